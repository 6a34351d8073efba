"""``compile --storage-decay on|fixed-slots|off``: how the plan records the decay and the slot growth."""

import json

import pytest

from magicpipe.cli import main

BELL_T = 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\nh q[0];\nt q[0];\ncx q[0],q[1];\n'


@pytest.mark.parametrize(("choice", "decay", "grow"), [("on", True, True), ("fixed-slots", True, False),
                                                       ("off", False, False)])
def test_storage_decay_choice_sets_decay_and_growth(tmp_path, choice, decay, grow):
    (tmp_path / "c.qasm").write_text(BELL_T)
    out = tmp_path / choice
    assert main(["compile", str(tmp_path / "c.qasm"), "--storage-decay", choice, "--factories", "pipeline",
                 "--out", str(out)]) == 0
    options = json.loads((out / "plan.json").read_text())["options"]
    assert (options["storage_decay"], options["grow_slots"]) == (decay, grow)
