"""The whole program's stream (format version 2): emitted for one- and two-level units, nominal and sampled,
checked, delivered = t_count, round trips through text and JSON Lines, REPEAT blocks equal to their expansion."""

import dataclasses
import json

import pytest
from magicpipe.compiler.pareto import pareto_front
from magicpipe.compiler.pipeline import Pipeline
from magicpipe.grammar.jsonl import from_jsonl, schema, to_jsonl
from magicpipe.grammar.parser import parse
from magicpipe.grammar.parser2 import _fast, _parse_line, _parser, parse_program
from magicpipe.lattice.check2 import audit2, check2
from magicpipe.lattice.stream2 import Op, ProgramStream, Segment
from magicpipe.lattice.whole import (
    ProgramLayout,
    consumption_runs,
    emit_program,
    program_stream2,
    unit_from_schedule,
    unit_one_level,
)

from magicpipe.errors import ParseError, SpecError

TIMELINE = [(40, 30, 2, 9), (400, 6, 5, 9), (600, 40, 1, 9)]


@pytest.fixture(scope="module")
def two_level_unit():
    return unit_from_schedule(pareto_front(Pipeline.from_distances((3, 9))).min_volume().schedule)


def shapes(two_level_unit):
    one = unit_one_level("15-to-1", 5)
    return {
        "one-level": program_stream2(ProgramLayout(3, 9), one, 4, TIMELINE),
        "one-level-trace": program_stream2(ProgramLayout(3, 9), one, 4, TIMELINE, seed=5, p_accept=0.7),
        "two-level": program_stream2(ProgramLayout(4, 9), two_level_unit, 3, TIMELINE),
        "two-level-trace": program_stream2(ProgramLayout(4, 9), two_level_unit, 3, TIMELINE[:2], seed=1, p_accept=0.8),
    }


def expand(ops, shift=0):
    """Every REPEAT written out: the independent replay a REPEAT must agree with."""
    for op in ops:
        if op.action == "REPEAT":
            for k in range(op.count):
                yield from expand(op.body, shift + op.time + k * op.period)
        else:
            yield dataclasses.replace(op, time=op.time + shift)


def test_every_shape_checks_delivers_and_round_trips(two_level_unit):
    for name, s in shapes(two_level_unit).items():
        a = audit2(s)
        assert a.violations == (), (name, a.violations[:2])
        assert a.delivered == s.header.t_count == 30 * 2 + 6 * 5 + 40 or name == "two-level-trace"
        assert s.ops[-1].tally[-1] == s.header.t_count
        assert parse_program(str(s)) == s, name
        head, ops = from_jsonl(list(to_jsonl(s.header, s.ops)))
        assert ProgramStream(head, tuple(ops)) == s, name


def test_repeat_equals_its_expansion():
    s = program_stream2(ProgramLayout(3, 9), unit_one_level("15-to-1", 5), 4, [(40, 500, 2, 9)])
    repeats = [o for o in s.ops if o.action == "REPEAT"]
    assert repeats and sum(1 for _ in expand(s.ops)) > 10 * len(s.ops)
    flat = ProgramStream(s.header, tuple(expand(s.ops)))
    assert check2(flat) == [] and check2(s) == []
    tally_flat = flat.ops[-1].tally
    assert tally_flat == s.ops[-1].tally and tally_flat[3] == 1000


def test_a_trace_is_seeded_and_resolves_every_outcome():
    u = unit_one_level("15-to-1", 5)
    a = str(program_stream2(ProgramLayout(2, 9), u, 2, [(0, 20, 2, 9)], seed=3, p_accept=0.6))
    b = str(program_stream2(ProgramLayout(2, 9), u, 2, [(0, 20, 2, 9)], seed=3, p_accept=0.6))
    assert a == b and " IF " not in a and "outcome=1" in a and "reason=rejected" in a
    s = parse_program(a)
    runs, accepted, rejected = s.ops[-1].tally[:3]
    # a run is accepted (its state to the port), rejected, or dropped because its port was full
    assert rejected > 0 and runs == accepted + rejected + a.count("reason=full") and accepted == 40


def test_nominal_stream_writes_both_branches_and_both_corrections():
    s = program_stream2(ProgramLayout(2, 9), unit_one_level("15-to-1", 5), 2, [(0, 3, 2, 9)])
    text = str(s)
    assert text.count("DECIDE") == text.count("IF a0=0 OUTPUT") + text.count("IF a1=0 OUTPUT")
    assert text.count("reason=rejected") == text.count("DECIDE")
    assert text.count("ROTATE") == text.count("FRAME") == text.count("X:p") == 6


def test_program_waits_for_states_and_never_starts_a_layer_early():
    # one copy of a 50-round factory cannot feed a layer every 9 rounds: layers spread out, not sooner
    s = program_stream2(ProgramLayout(1, 9), unit_one_level("15-to-1", 5), 1, [(0, 5, 1, 9)])
    layers = [o.time for o in s.ops if o.action == "LAYER"]
    rounds = unit_one_level("15-to-1", 5).rounds
    assert layers[0] >= rounds and all(b - a >= rounds for a, b in zip(layers, layers[1:]))
    assert check2(s) == []


def test_consumption_runs_keep_the_time_of_empty_layers():
    assert consumption_runs((3, 2, 1), (1, 0, 4), 7, start=5) == ((5, 3, 1, 7), (40, 1, 4, 7))


def test_fast_line_reader_agrees_with_the_grammar(two_level_unit):
    s = shapes(two_level_unit)
    lines = {line.strip() for name in ("one-level", "one-level-trace") for line in str(s[name]).splitlines()
             if line.startswith("@")}
    checked = 0
    for line in sorted(lines):
        fast = _fast(line)
        if fast is None:
            continue
        assert _parser().parse(line) == fast, line
        checked += 1
    assert checked > 50


def test_fast_timeline_reader_agrees_with_the_grammar():
    lines = ["TIMELINE start=0 layers=2 states=1 rounds=7", "TIMELINE start=14 layers=30 states=2 rounds=7 ccz=3",
             "TIMELINE start=007 layers=1 states=0 rounds=13 ccz=0"]
    for number, line in enumerate(lines, start=1):
        assert _parse_line(line, number) == _parser().parse(line) == (
            "timeline", Segment(*(int(x.split("=")[1]) for x in line.split()[1:]), *([0] if "ccz" not in line else [])))
    # lines the fast path leaves to the grammar read the same, or fail as the grammar fails
    assert _parse_line("TIMELINE start = 5 layers=1 states=2 rounds=3", 9) == ("timeline", Segment(5, 1, 2, 3, 0))
    with pytest.raises(ParseError, match="line 4"):
        _parse_line("TIMELINE start=5 layers=1 states=2", 4)


def test_json_lines_match_the_shipped_schema(two_level_unit):
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema validates the JSON Lines export")
    validator = jsonschema.Draft202012Validator(schema())
    s = shapes(two_level_unit)["one-level-trace"]
    lines = list(to_jsonl(s.header, s.ops))
    assert all(not list(validator.iter_errors(json.loads(x))) for x in lines)
    assert list(validator.iter_errors({"kind": "op", "t": 3, "op": "JUMP"}))


def test_version_1_reader_points_version_2_files_to_their_reader():
    s = program_stream2(ProgramLayout(2, 9), unit_one_level("15-to-1", 5), 2, [(0, 3, 2, 9)])
    with pytest.raises(ParseError, match="version 2"):
        parse(str(s))
    with pytest.raises(ParseError, match="version 1 is read by magicpipe.grammar.parse"):
        parse_program("MAGICPIPE_LSI 1\n")


def test_bad_inputs_are_refused():
    u = unit_one_level("15-to-1", 5)
    with pytest.raises(SpecError):
        emit_program(ProgramLayout(2, 9), u, 0, [(0, 3, 2, 9)])
    with pytest.raises(SpecError):
        emit_program(ProgramLayout(2, 9), u, 2, [(0, 0, 2, 9)])
    with pytest.raises(SpecError):
        ProgramLayout(2, 8)
    with pytest.raises(SpecError):
        Op(-1, "RUN", copy=0)


class _Data:
    def __init__(self, distance, logical_qubits):
        self.distance, self.logical_qubits = distance, logical_qubits


class _Source:
    def __init__(self, method, name="src"):
        self.method, self.name = method, name


class _Point:
    """What the planner's ProgramPoint offers the stream (duck-typed: source, copies, data, schedule,
    distances, consumption() with the planner's waits as a fifth field)."""

    def __init__(self, distances, schedule, copies, runs, data_distance=9, method=None, qubits=3):
        self.distances, self.schedule, self.copies = distances, schedule, copies
        self.data = _Data(data_distance, qubits)
        self.source = _Source(method or ("dynamic" if schedule is not None else "single"))
        self._runs = runs

    def consumption(self):
        return iter(tuple(r) + (0.0,) for r in self._runs)


def test_stream_for_a_planned_point_one_and_two_levels(tmp_path, two_level_unit):
    from magicpipe.compiler.blockmodel import NoiseModel
    from magicpipe.compiler.catalogue import one_level
    from magicpipe.grammar.writer2 import write_program
    from magicpipe.lattice.whole import stream_for_point

    schedule = pareto_front(Pipeline.from_distances((3, 9))).min_volume().schedule
    for point in (_Point((5,), None, 3, [(30.0, 10, 2, 9.0)]), _Point((3, 9), schedule, 2, [(100, 10, 2, 9)])):
        path, audit = write_program(tmp_path, *stream_for_point(point))
        assert audit.violations == () and audit.delivered == 20 and path.name == "schedule.lsi"
    with pytest.raises(SpecError):
        stream_for_point(_Point((3, 9, 21), None, 2, [(0, 1, 1, 9)], method="sequential"))
    # a three-level source without its schedule still is not (with it: test_composed.py); a catalogue block is
    block = _Point((17, 7, 7), None, 2, [(0, 1, 1, 9)], method="litinski")
    block.source = one_level(NoiseModel.litinski(1e-3), (17, 7, 7)).source()
    head, ops = stream_for_point(block)
    assert head.units[0].text.startswith("BLOCK ") and check2(ProgramStream(head, tuple(ops))) == []
    trace_head, trace_ops = stream_for_point(_Point((5,), None, 3, [(30.4, 10, 2, 9.0), (118.2, 3, 1, 9.0)]), seed=1)
    assert trace_head.mode == "trace" and check2(ProgramStream(trace_head, tuple(trace_ops))) == []


def test_a_steady_state_point_streams_its_single_execution(tmp_path):
    from magicpipe.compiler.steady import steady_state
    from magicpipe.grammar.writer2 import write_program
    from magicpipe.lattice.whole import single_execution, stream_for_point

    pipe = Pipeline.from_distances((3, 9))
    point = pareto_front(pipe).min_volume()
    steady = steady_state(pipe, point, executions=3).schedule
    assert len(steady.tops) == 3 and single_execution(steady).tops == point.schedule.tops
    path, audit = write_program(tmp_path, *stream_for_point(_Point((3, 9), steady, 2, [(50, 12, 1, 9)], qubits=2)))
    assert audit.violations == () and audit.delivered == 12


def test_a_stream_that_fails_its_check_is_not_written(tmp_path):
    from magicpipe.grammar.writer2 import write_program

    from magicpipe.errors import VerificationError

    head, ops = emit_program(ProgramLayout(2, 9), unit_one_level("15-to-1", 5), 2, [(0, 3, 2, 9)])
    with pytest.raises(VerificationError):
        write_program(tmp_path / "s.lsi", dataclasses.replace(head, qubit_budget=10), ops)
    assert list(tmp_path.iterdir()) == []


def test_random_programs_check_clean_under_both_replays():
    """Random small programs (qubits, copies, distances, timeline runs, traces): the validator and the mutation
    test's independent replay both accept what the emitter writes, and it delivers the T-count."""
    import random

    from magicpipe.lattice.mutate import independent_replay

    units = (unit_one_level("15-to-1", 3), unit_one_level("15-to-1", 5))
    for seed in range(10):
        r = random.Random(seed)
        n, K, D = r.randint(1, 5), r.randint(1, 7), r.choice([3, 5, 9])
        segs, t = [], r.randint(0, 100)
        for _ in range(r.randint(1, 3)):
            L, s, lr = r.choice([1, 2, 5, 40]), r.randint(1, 7), r.choice([D, D + 2, 1])
            segs.append((t, L, s, lr))
            t += L * lr + r.randint(0, 50)
        trace = r.random() < 0.3
        st = program_stream2(ProgramLayout(n, D), r.choice(units), K, segs, seed=seed if trace else None, p_accept=0.7)
        a = audit2(st)
        assert a.violations == () and independent_replay(st) == [], (seed, a.violations[:1])
        assert a.delivered == st.header.t_count == sum(x[1] * x[2] for x in segs)


def test_deeply_nested_repeats_are_refused_with_a_message():
    s = program_stream2(ProgramLayout(2, 9), unit_one_level("15-to-1", 5), 2, [(0, 3, 2, 9)])
    head = "\n".join(s.header.lines()) + "\n"
    with pytest.raises(ParseError, match="nest at most"):
        parse_program(head + "@0 REPEAT count=1 period=1 {\n" * 500 + "}\n" * 500)


def test_ports_too_small_for_a_layer_are_refused_not_looped():
    from magicpipe.lattice.whole import ProgramLayout, program_stream2, unit_one_level

    unit = unit_one_level("15-to-1", 3)
    with pytest.raises(SpecError, match="capacity=1: the 1 copies' ports cannot gather the largest layer's 2 states"):
        program_stream2(ProgramLayout(2, 3), unit, 1, [(0, 1, 2, 3)], capacity=1)
    s = program_stream2(ProgramLayout(2, 3), unit, 2, [(0, 1, 2, 3)], capacity=1)  # two ports of one state
    assert check2(s) == [] and audit2(s).delivered == 2
