"""A whole-program stream as one Stim circuit (``verification/stream_circuit.py``): factory runs, routes, ports,
consumptions and Pauli frames read from the stream; deterministic without noise, graph-like distance 3 at d = 3."""

import pytest
from magicpipe.grammar.parser2 import parse_program
from magicpipe.lattice.geometry import Tile
from magicpipe.lattice.whole import ProgramLayout, program_stream2, unit_one_level
from magicpipe.verification.factory_circuit import ForcedError
from magicpipe.verification.stream_circuit import patch_qubits, stream_circuit, stream_distance

from magicpipe.cli import main
from magicpipe.errors import SpecError, VerificationError

UNIT = unit_one_level("15-to-1", 3)


@pytest.fixture(scope="module")
def one_state():
    """Two data patches, one T gate: one run (rounds 0-33), its route (one move, 33-36), the merge with q0
    (36-39)."""
    return program_stream2(ProgramLayout(2, 3), UNIT, 1, [(0, 1, 1, 3)])


def test_two_runs_two_consumptions_are_one_circuit_of_distance_3():
    s = program_stream2(ProgramLayout(2, 3), UNIT, 1, [(0, 2, 1, 3)], capacity=1)
    sc = stream_circuit(s, 1e-3, 0.0)
    assert (sc.runs, sc.consumptions, sc.moves, sc.rounds) == (2, 2, 2, 76)   # TALLY at 76; one move a route
    assert (sc.data_observables, sc.check_observables, sc.circuit.num_observables) == (2, 8, 10)
    assert (sc.frames, sc.rotations) == (2, 2)
    assert sc.deterministic(seed=3)
    assert stream_distance(sc) == 3


def test_a_logical_error_reaches_the_observable_it_should(one_state):
    """Logical Z (a full row) on the state in the port mid-merge flips data patch 0's X (the patch it is consumed
    into), on idle data patch 1 its own, on the factory's patch 1 its check (observable 2); no detector fires."""
    def row(tile):
        region = patch_qubits(one_state, tile)
        y = min(y for _, y in region)
        return tuple(q for q in region if q[1] == y)

    forced = (ForcedError(36, "Z", row(Tile(12, 6))), ForcedError(10, "Z", row(Tile(3, 0))),
              ForcedError(20, "Z", row(Tile(0, 12))))
    sc = stream_circuit(one_state, forced=forced)
    dets, obs = sc.circuit.compile_detector_sampler(seed=1).sample(4, separate_observables=True)
    assert not dets.any()
    assert obs.all(axis=0).tolist() == [True, True, True, False, False, False]
    assert not obs[:, 3:].any()


@pytest.mark.parametrize("edit", [("@40 IF x0=1 FRAME Z:q0\n", ""), ("IF x0=1 FRAME", "IF z0=1 FRAME"),
                                  ("FRAME Z:q0", "FRAME Z:q1")])
def test_the_frame_update_is_read_from_the_stream(one_state, edit):
    """A dropped FRAME or one on the merge's random Z outcome leaves the data observable random; a FRAME on a
    patch the merge did not hold is refused."""
    text = str(one_state)
    assert edit[0] in text
    bad = parse_program(text.replace(*edit, 1))
    if "q1" in edit[1]:
        with pytest.raises(VerificationError, match="merged Z of data patches"):
            stream_circuit(bad)
        return
    assert not stream_circuit(bad).deterministic(shots=32, seed=1)


def test_streams_the_circuit_does_not_cover_are_refused():
    trace = program_stream2(ProgramLayout(2, 3), UNIT, 1, [(0, 1, 1, 3)], seed=1)
    with pytest.raises(SpecError, match="nominal stream"):
        stream_circuit(trace)
    two = program_stream2(ProgramLayout(2, 3), UNIT, 2, [(0, 1, 2, 3)])
    with pytest.raises(SpecError, match="abut"):
        stream_circuit(two)
    with pytest.raises(SpecError, match="p in"):
        stream_circuit(two, p=0.5)
    long = program_stream2(ProgramLayout(2, 3), UNIT, 1, [(0, 17, 1, 3)], capacity=1)
    with pytest.raises(SpecError, match="more than 16 consumptions"):
        stream_circuit(long)


def test_verify_stream_runs_the_whole_stream_circuit(one_state, tmp_path, capsys):
    path = tmp_path / "schedule.lsi"
    path.write_text(str(one_state))
    assert main(["verify", "stream", str(path), "--shots", "5", "--circuit-shots", "300", "--twin", "--seed", "2"]) == 0
    out = capsys.readouterr().out
    assert "every branch applies T" in out and "its Z twin" in out   # --twin passes on the stream as written
    assert "the whole stream as one Stim circuit:" in out and "(2 data patches, 4 checks of 1 factory runs)" in out
    assert "without noise every detector and observable is 0; graph-like distance 3 at p=0.001" in out
    assert "300 noisy shots (p=0.001, eps=0, seed 2):" in out


def test_verify_stream_fails_when_the_twin_is_below_d(one_state, tmp_path, capsys, monkeypatch):
    """``verify stream --twin`` fails (status 1) when the Z twin's distance is below d, as it was with one-round
    moves (it passes on the stream as written: the test above)."""
    import magicpipe.verification.stream_circuit as sc

    path = tmp_path / "schedule.lsi"
    path.write_text(str(one_state))
    args = ["verify", "stream", str(path), "--shots", "2", "--circuit-shots", "0", "--twin", "--seed", "2"]
    real, calls = sc.stream_distance, []

    def twin_below_d(c):  # the command asks for the stream circuit's distance first, then the twin's
        calls.append(c)
        return real(c) if len(calls) == 1 else 1

    monkeypatch.setattr(sc, "stream_distance", twin_below_d)
    assert main(args) == 1
    assert "graph-like distance 1 -- below d" in capsys.readouterr().out


def test_the_z_twin_has_distance_d_with_the_streams_own_moves(one_state):
    """Every patch in |0>: observables are the data patches' and check patches' logical Z and every merge's
    outcome. The route is one move of d = 3 rounds, as the stream says (``OUTPUT ... rounds=3``), read by the
    circuit: graph-like distance 3 (the finding that made routes moves of d rounds)."""
    assert [o.rounds for o in one_state.ops if o.action == "OUTPUT"] == [3]
    twin = stream_circuit(one_state, 1e-3, 0.0, basis="z")
    assert twin.deterministic(seed=2)
    assert twin.circuit.num_observables == 2 + 4 + 11 + 1
    assert stream_distance(twin) == 3


def test_states_waiting_in_a_port_step_down_one_move_at_a_time():
    """A port of capacity 3 (three states a layer from one copy): a state that lands above the bottom tile steps
    down when the tile below is free and no longer held by a move in progress; the merges find each state on the
    bottom tile when the stream says, ``D`` rounds after the readout before it (lattice.whole.bottom)."""
    s = program_stream2(ProgramLayout(3, 3), UNIT, 1, [(0, 2, 3, 3)])
    assert s.header.ports[0].capacity == 3
    sc = stream_circuit(s)
    assert (sc.runs, sc.consumptions, sc.moves, sc.rounds) == (6, 6, 10, 229)   # 6 routes, 4 steps down
    assert sc.deterministic(seed=1)


def test_the_z_twin_shows_one_round_moves_carry_z_on_checks_measured_once(one_state):
    """The same move held one round (``step_rounds=1``, the stream's former timing): the state's Z rides on the
    checks that straddle the seams, measured once, so one measurement error there flips the consumption's
    outcome: graph-like distance 1, at a check on a seam row the state crosses."""
    twin = stream_circuit(one_state, 1e-3, 0.0, basis="z", step_rounds=1)
    assert twin.deterministic(seed=2)
    (err,) = twin.circuit.shortest_graphlike_error(ignore_ungraphlike_errors=True)
    assert [str(t.dem_target) for t in err.dem_error_terms] == ["L17"]        # the consumption's outcome
    x, y = err.circuit_error_locations[0].flipped_pauli_product[0].coords   # an ancilla at (2ax + 1, 2ay + 1)
    ax, ay = (x - 1) / 2, (y - 1) / 2
    # the route's column (x 16..18) and its seams: circuit rows -13 (tile -4 to -3) and -9 (-3 to the port, -2)
    assert 15 <= ax <= 18 and {ay, ay + 1} & {-13, -9}


@pytest.mark.slow
def test_moves_of_d_rounds_give_the_z_twin_distance_d():
    """The route's move held 1, 2, 3 rounds (the program starts late enough for any of them): the twin's distance
    is the move's rounds, 1, 2, 3; the stream's own (d = 3) gives 3."""
    s = program_stream2(ProgramLayout(2, 3), UNIT, 1, [(100, 1, 1, 3)])
    got = [stream_distance(stream_circuit(s, 1e-3, 0.0, basis="z", step_rounds=r)) for r in (1, 2, 3)]
    assert got == [1, 2, 3]
    assert stream_distance(stream_circuit(s, 1e-3, 0.0, basis="z")) == 3
    assert stream_distance(stream_circuit(s, 1e-3, 0.0, step_rounds=3)) == 3
