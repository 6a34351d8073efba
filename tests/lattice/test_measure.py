"""The factory expanded into its Pauli-product measurements: the rotation list, the routes, the validator."""

import dataclasses

from magicpipe.compiler.protocols import FIFTEEN_TO_ONE
from magicpipe.lattice import BlockLayout, Stream, Tile, build_stream, check
from magicpipe.lattice.measure import check_paulis, rotation_index, rotation_paulis, route
from magicpipe.lattice.samples import sample_schedule


def test_injections_cover_the_eleven_multi_qubit_rotations_once():
    p = FIFTEEN_TO_ONE
    products = [rotation_paulis(p, rotation_index(p, step, 0)) for step in range(1, p.steps + 1)]
    assert len(set(products)) == 11 and all(x[-1] == "Zm" and len(x) >= 3 for x in products)
    assert products[0] == ("Z1", "Z2", "Z5", "Zm")  # v = 0011: weight 2, so the output qubit joins
    assert products[-1] == ("Z1", "Z2", "Z3", "Z4", "Z5", "Zm")
    assert check_paulis(p) == (("X1",), ("X2",), ("X3",), ("X4",))


def test_routes_run_along_the_port_row_to_the_port():
    block = BlockLayout.for_protocol(FIFTEEN_TO_ONE)
    assert route(block, Tile(0, 0), 5, ("Z3", "Z4", "Zm")) == (Tile(10, 0), Tile(15, 0))
    assert route(block, Tile(0, 0), 5, ("Z5", "Zm")) == ()  # data patch 5 sits on the port


def test_expanded_streams_validate_and_a_wrong_product_is_caught():
    for seed in (3, 8, 11, 19):
        s = sample_schedule(seed)
        stream = build_stream(s, measurements=True)
        assert check(stream) == []
        measures = [i for i in stream.instructions if i.action == "MEASURE"]
        assert len(measures) == 2 * FIFTEEN_TO_ONE.steps * len(s.tops) + 4 * len(s.tops)
    k = next(n for n, i in enumerate(stream.instructions) if i.action == "MEASURE" and i.step == 4)
    bad = dataclasses.replace(stream.instructions[k], paulis=("Z1", "Zm"))
    broken = Stream(stream.header, stream.instructions[:k] + (bad,) + stream.instructions[k + 1:])
    first = check(broken)[0]
    assert first.rule == "input-pattern" and "rotation 8 (ZIIZZ)" in first.message
