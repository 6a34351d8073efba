"""The static baselines of Sec. 6 against hand calculation and the paper's Table 3."""

import pytest

from magicpipe.compiler import Pipeline, parallel, sequential


def test_sequential_by_hand_5_15():
    c = sequential(Pipeline.from_distances((5, 15)))
    # 16 level-1 factories of 15 patches of 2*25-1 = 49 qubits; level 2 is 15 * 449 = 6735 qubits
    assert c.copies == (16, 1)
    assert c.qubits == 16 * 15 * 49 == 11760
    assert c.rounds == 11 * 5 + 11 * 15 == 220


def test_parallel_by_hand_5_17():
    c = parallel(Pipeline.from_distances((5, 17)))
    # rate matching: n1 = ceil(15 * 55 / (187 * P1)) = ceil(4.41... / 0.9985) = 5
    assert c.copies == (5, 1)
    assert c.qubits == 5 * (735 + 4 * 49) + (8655 + 8 * 577) == 17926
    assert c.rounds == 187


def test_sequential_three_levels():
    c = sequential(Pipeline.from_distances((3, 9, 15), strict=False))
    assert c.copies == (256, 16, 1)
    assert c.qubits == max(256 * 255, 16 * 2415, 6735)


@pytest.mark.parametrize(
    "distances, paper_ratio",
    [((3, 9), 6_989_894 / 7_248_161), ((5, 15), 66_488_328 / 67_476_324), ((5, 17), 74_401_448 / 87_636_232)],
)
def test_table3_sequential_over_parallel(distances, paper_ratio):
    pipe = Pipeline.from_distances(distances)
    ratio = sequential(pipe).volume / parallel(pipe).volume
    assert round(ratio, 4) == round(paper_ratio, 4)
    assert ratio == pytest.approx(paper_ratio, abs=2e-5)
