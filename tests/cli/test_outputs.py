"""Outputs whole or absent (magicpipe.cli._output): staged, moved into place on success, never mixed with an
earlier run's files, user files kept and never replaced without --force, a killed run leaves the old output."""

import os
import pathlib
import signal
import subprocess
import sys
import time

import pytest

from magicpipe.cli import _output, main

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples"
BELL = 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\nh q[0];\ncx q[0],q[1];\n'


def _files(folder: pathlib.Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def _stages(folder: pathlib.Path) -> list[pathlib.Path]:
    return sorted(folder.parent.glob(f".{folder.name}.magicpipe-*"))


def test_rerun_without_a_stream_removes_the_old_stream(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()  # what an earlier compile that wrote a stream left (its manifest names both files)
    (out / "plan.json").write_text("{}")
    (out / "schedule.lsi").write_text("MAGICPIPE_LSI 1\n")
    (out / _output.MANIFEST).write_text('{"magicpipe compile": ["plan.json", "schedule.lsi"]}')
    (tmp_path / "bell.qasm").write_text(BELL)
    capsys.readouterr()
    assert main(["compile", str(tmp_path / "bell.qasm"), "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == [_output.MANIFEST, "plan.json"]
    assert f"removed schedule.lsi of the earlier run in {out}" in capsys.readouterr().out
    assert _stages(out) == []


def test_user_files_kept_and_never_replaced_without_force(tmp_path, capsys):
    (tmp_path / "bell.qasm").write_text(BELL)
    (tmp_path / "notes.txt").write_text("mine")
    (tmp_path / "plan.json").write_text("my own plan")
    argv = ["compile", str(tmp_path / "bell.qasm"), "--out", str(tmp_path)]
    assert main(argv) == 2
    assert "plan.json exists and magicpipe did not write it; pass --force" in capsys.readouterr().err
    assert (tmp_path / "plan.json").read_text() == "my own plan"
    assert main(argv + ["--force"]) == 0
    assert (tmp_path / "plan.json").read_text().startswith("{")
    assert (tmp_path / "notes.txt").read_text() == "mine" and (tmp_path / "bell.qasm").read_text() == BELL
    assert main(argv) == 0  # now plan.json is magicpipe's: a re-run replaces it without --force


def test_commands_sharing_a_folder_keep_each_others_files(tmp_path):
    out = tmp_path / "p"
    (tmp_path / "bell.qasm").write_text(BELL)
    assert main(["compile", str(tmp_path / "bell.qasm"), "--out", str(out)]) == 0
    plan = (out / "plan.json").read_bytes()
    assert main(["pipeline", "--distances", "3,5", "--error-model", "paper", "--out", str(out)]) == 0
    assert (out / "plan.json").read_bytes() == plan  # compile's file is not the pipeline's to remove
    pipeline_files = {k: v for k, v in _files(out).items() if k not in ("plan.json", _output.MANIFEST)}
    assert main(["compile", str(tmp_path / "bell.qasm"), "--out", str(out)]) == 0
    assert {k: v for k, v in _files(out).items() if k in pipeline_files} == pipeline_files
    assert _output._read_manifest(out) == {"magicpipe compile": ["plan.json"],
                                           "magicpipe pipeline": sorted(pipeline_files)}


def test_a_stream_that_fails_its_check_is_not_left(tmp_path, capsys, monkeypatch):
    out = tmp_path / "p"
    (tmp_path / "bell.qasm").write_text(BELL)
    assert main(["compile", str(tmp_path / "bell.qasm"), "--out", str(out)]) == 0
    before = _files(out)
    import magicpipe.grammar.checked

    monkeypatch.setattr(magicpipe.grammar.checked, "check", lambda stream: ["line 9: slot-full: invented for the test"])
    assert main(["pipeline", "--distances", "3,5", "--error-model", "paper", "--p", "2e-4", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "slot-full: invented for the test" in err and f"nothing written to {out}" in err
    assert _files(out) == before and _stages(out) == []


def test_out_is_the_working_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bell.qasm").write_text(BELL)
    assert main(["compile", "bell.qasm", "--out", "."]) == 0
    assert {"bell.qasm", "plan.json", _output.MANIFEST} <= {p.name for p in tmp_path.iterdir()}
    assert pathlib.Path.cwd() == tmp_path and _stages(tmp_path) == []


def test_check_json_needs_force_to_replace(tmp_path, capsys):
    from magicpipe.grammar import write_schedule
    from magicpipe.lattice.samples import sample_schedule

    stream = write_schedule(sample_schedule(3), tmp_path)
    target = tmp_path / "s.json"
    target.write_text("keep me")
    assert main(["check", str(stream), "--json", str(target)]) == 2
    assert target.read_text() == "keep me"
    assert main(["check", str(stream), "--json", str(target), "--force"]) == 0
    assert target.read_text().startswith("{")


def test_killed_run_leaves_the_previous_output_untouched(tmp_path):
    """A second run into the same folder is killed (SIGKILL, by PID) once its files are staged."""
    out = tmp_path / "p"
    assert main(["pipeline", "--distances", "3,5", "--error-model", "paper", "--out", str(out)]) == 0
    before = _files(out)
    env = dict(os.environ, **{_output.PAUSE_ENV: "120"})
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "magicpipe",
            "pipeline",
            "--distances",
            "3,5",
            "--error-model",
            "paper",
            "--p",
            "5e-5",
            "--out",
            str(out),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 90
        staged = []
        while time.monotonic() < deadline and proc.poll() is None:
            staged = [s for s in _stages(out) if (s / "summary.json").exists() and (s / "front.png").exists()]
            if staged:
                break
            time.sleep(0.1)
        assert staged, "the run never staged its output"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert _files(out) == before  # same files, same bytes
    assert _stages(out)  # the dead run's staging folder is still beside ...
    (tmp_path / "bell.qasm").write_text(BELL)
    assert main(["compile", str(tmp_path / "bell.qasm"), "--out", str(out)]) == 0
    assert _stages(out) == []  # ... until the next run into the same place clears it
    assert {k: v for k, v in _files(out).items() if k in before and k != _output.MANIFEST} == \
        {k: v for k, v in before.items() if k != _output.MANIFEST}


@pytest.mark.parametrize("swap", [True, False])
def test_commit_by_swap_and_by_file(tmp_path, monkeypatch, swap):
    out = tmp_path / "o"
    out.mkdir()
    (out / "a.txt").write_text("old a")
    (out / "old.txt").write_text("old")
    (out / _output.MANIFEST).write_text('{"k": ["a.txt", "old.txt"], "other": ["b.txt"]}')
    (out / "b.txt").write_text("other command's")
    (out / "user.txt").write_text("user's")
    if not swap:
        (out / "sub").mkdir()  # a subfolder: files are renamed into place one by one
    staging = _output.begin(out, "k")
    (staging.stage / "a.txt").write_text("new a")
    assert _output.commit(staging) == ["old.txt"]
    names = {p.name for p in out.iterdir()}
    assert names == {"a.txt", "b.txt", "user.txt", _output.MANIFEST} | ({"sub"} if not swap else set())
    assert (out / "a.txt").read_text() == "new a" and (out / "b.txt").read_text() == "other command's"
    assert _output._read_manifest(out) == {"k": ["a.txt"], "other": ["b.txt"]}
    assert not _stages(out)


def test_a_single_file_output(tmp_path):
    target = tmp_path / "counts.json"
    staging = _output.begin_file(target, "magicpipe x")
    staging.stage.write_text("first")
    _output.commit(staging)
    assert target.read_text() == "first"
    with pytest.raises(_output.SpecError, match="counts.json exists; pass --force"):
        _output.begin_file(target, "magicpipe x")
    staging = _output.begin_file(target, "magicpipe x", force=True)
    staging.stage.write_text("second")
    assert target.read_text() == "first"  # untouched until the commit
    _output.commit(staging)
    assert target.read_text() == "second" and sorted(p.name for p in tmp_path.iterdir()) == ["counts.json"]
