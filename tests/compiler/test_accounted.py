"""The sequential baseline with its storage and failures counted (compiler/accounted.py), by hand."""

from __future__ import annotations

import random

import pytest

from magicpipe.compiler import Hardware, Pipeline, sequential
from magicpipe.compiler.accounted import expected_retry_rounds, sequential_accounted
from magicpipe.compiler.errormodel import PAPER as PAPER_MODEL
from magicpipe.compiler.options import FAILURE_AWARE
from magicpipe.compiler.pareto import pareto_front
from magicpipe.errors import SpecError


def test_retry_recursion_by_hand():
    # one state, one copy, p = 1/2: geometric, 10 / (1/2)
    assert expected_retry_rounds(1, 0.5, lambda k: 1, 10.0) == 20.0
    # two states, two copies, p = 1/2: E[1] = 1 / (1 - 1/4) = 4/3; E[0] = (1 + 1/2 * 4/3) / (3/4) = 20/9
    assert expected_retry_rounds(2, 0.5, lambda k: 2, 1.0) == pytest.approx(20 / 9, rel=1e-12)
    # copies depend on what is kept: with one kept only one copy fits, E[1] = 2, E[0] = (1 + 1/2 * 2) / (3/4)
    assert expected_retry_rounds(2, 0.5, lambda k: 2 - k, 1.0) == pytest.approx(8 / 3, rel=1e-12)
    with pytest.raises(SpecError):
        expected_retry_rounds(2, 0.5, lambda k: 0, 1.0)


def test_storage_counted_where_the_high_factory_is_larger():
    # (3, 13): level 2 is 15 x (2 * 13^2 - 1) = 5055 qubits > 16 x 255; its 11 waiting states need d = 3 patches
    s = sequential_accounted(Pipeline.from_distances((3, 13)))
    assert (s.qubits, s.deterministic_rounds, s.slots) == (5055 + 11 * 17, 33 + 143, (11,))
    # (5, 7): the 16 level-1 copies (11,760 qubits) leave room for the 11 states beside the d = 7 factory
    pipe = Pipeline.from_distances((5, 7))
    assert sequential_accounted(pipe).qubits == sequential(pipe).qubits == 11760


def test_failures_match_a_direct_simulation_of_the_retry_rule():
    # (3, 9) at p = eps = 1e-3: level-1 success 0.878; 16 copies, 15 states needed, retries with every copy
    pipe = Pipeline.from_distances((3, 9), Hardware(p=1e-3, eps=1e-3, model=PAPER_MODEL))
    s = sequential_accounted(pipe)
    p, t1, t2 = pipe.levels[0].p_succ, pipe.levels[0].rounds, pipe.levels[1].rounds
    rng, total, shots = random.Random(5), 0, 20000
    for _ in range(shots):
        have, rounds = 0, 0
        while have < 15:
            have += sum(rng.random() < p for _ in range(16))
            rounds += t1
        total += rounds + t2
    mean = total / shots
    assert s.rounds == pytest.approx(mean, abs=0.6)  # stderr of the mean ~0.2 rounds
    assert s.rounds > s.deterministic_rounds + 0.5 * t1  # most executions retry once (P(>= 15 of 16) = 0.40)


def test_the_search_contains_the_sequential_order():
    # at (3, 13) nothing beats the sequential order; the search finds it at the accounted baseline's qubits
    pipe = Pipeline.from_distances((3, 13))
    best = pareto_front(pipe, FAILURE_AWARE).min_volume()
    acc = sequential_accounted(pipe)
    assert (best.qubits, best.buffer_slots, best.deterministic_rounds) == (acc.qubits, 11, 176)
    assert best.volume <= acc.volume * 1.001
