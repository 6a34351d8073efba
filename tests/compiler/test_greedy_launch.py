"""GREEDY_LAUNCH: launch on the burst and the first step's input, steps wait for the lanes; tried for d1 > d2."""

from __future__ import annotations

from magicpipe.compiler import FIFTEEN_TO_ONE, Factory, Pipeline
from magicpipe.compiler.allocator import Producer
from magicpipe.compiler.dynamic import simulate
from magicpipe.compiler.options import FAILURE_AWARE, GREEDY_LAUNCH, PAPER
from magicpipe.compiler.pareto import pareto_front


def test_greedy_launch_by_hand():
    """A d = 3 factory (11 steps of 3 rounds) fed by a 735-qubit, 55-round producer that never fails; 11 slots of
    49 qubits and 5 producer copies: 4214 qubits. Beside the factory and the buffer, 4 lanes fit.

    Exact rule: the lanes make nothing within the 30 rounds of steps, so N_th = 4 + 11 = 15: three fill batches of
    5, launch at 165, end at 198. Greedy: the 5 fill copies make the burst and the first input by 55, launch then;
    the 4 lanes deliver 4 states at 110, 165 and 220, so steps 2-5 wait until 110, steps 6-9 until 165, steps
    10-11 until 220; the last step starts at 223 and the execution ends at 226.
    """
    high = Factory(FIFTEEN_TO_ONE, 3)
    low = Producer("low", 735, 55, 1, 1.0, 1e-6, 5)
    exact = simulate(high, (low,), 539 + 5 * 735, 11, 49, FAILURE_AWARE)
    assert (exact.launch_threshold, exact.tops[0].launch, exact.rounds, exact.stalls) == (15, 165, 198, ())
    greedy = simulate(high, (low,), 539 + 5 * 735, 11, 49, GREEDY_LAUNCH)
    assert (greedy.launch_threshold, greedy.tops[0].launch, greedy.rounds) == (5, 55, 226)
    assert [(x.step, x.start, x.end, x.reuse) for x in greedy.stalls] == [
        (2, 58, 110, False), (6, 122, 165, False), (10, 177, 220, False)]
    assert [k.time for k in greedy.takes if k.step >= 1] == [55, 110, 113, 116, 119, 165, 168, 171, 174, 220, 223]


def test_search_tries_greedy_launch_only_where_level_one_outlasts_level_two():
    def policies(distances):
        front = pareto_front(Pipeline.from_distances(distances), buffer_sizes=(8,), shots=0)
        return {p.policy for p in front.evaluated}

    assert policies((7, 5)) == {PAPER, FAILURE_AWARE, GREEDY_LAUNCH}  # T1 = 77 > T2 = 55
    assert policies((5, 7)) == {PAPER, FAILURE_AWARE}
