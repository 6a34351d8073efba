"""Catalogue factories as producers of the dynamic scheduler: a level of several outputs per run.

The dynamic scheduler (:mod:`magicpipe.compiler.dynamic`) and its allocator take their lower level as
:class:`~magicpipe.compiler.allocator.Producer` s: qubits, rounds of one run, outputs of a successful run,
success probability, output error and the distance of the output patches. A catalogue entry
(:class:`magicpipe.compiler.catalogue.Factory`) -- for instance Litinski's ``(15-to-1)^4 x (20-to-4)``, four
T states per run -- becomes one: its run lasts its mean cycles times its success probability (the catalogue's
cycles count failed runs; the scheduler draws the failures itself), its outputs are the block's, and its
outputs sit in patches of the upper block's ``d_X``. Runs of several outputs deposit them together: the
allocator caps what a fill may yield by the buffer's room (``at_most``), and the scheduler refuses a buffer
that cannot take whole runs (``docs/model.md``).
"""

from __future__ import annotations

import math

from magicpipe.compiler.allocator import Producer
from magicpipe.compiler.catalogue import Factory as CatalogueFactory
from magicpipe.errors import SpecError

__all__ = ["catalogue_producer"]


def catalogue_producer(factory: CatalogueFactory) -> Producer:
    """The catalogue entry ``factory`` as a lower level of the dynamic scheduler (module docstring).

    Raises:
        SpecError: a CCZ factory (the scheduler's upper level takes T states) or one without distances.

    Examples:
        >>> from magicpipe.compiler.blockmodel import NoiseModel
        >>> from magicpipe.compiler.catalogue import two_level
        >>> f = two_level(NoiseModel.litinski(1e-4), (7, 3, 3), 4, "20-to-4", (15, 7, 9))
        >>> p = catalogue_producer(f)
        >>> p.outputs, p.distance, p.rounds == math.ceil(f.cycles * (1 - f.p_fail) - 1e-9)
        (4, 15, True)
    """
    if factory.kind != "T":
        raise SpecError(f"{factory.name} makes {factory.kind} states; the dynamic scheduler's upper level takes T "
                        f"states")
    if not factory.distances:
        raise SpecError(f"{factory.name} has no distances: its output patches' size is unknown")
    p_succ = 1.0 - factory.p_fail
    rounds = max(1, math.ceil(factory.cycles * p_succ - 1e-9))
    distance = factory.distances[-3] if len(factory.distances) >= 3 else factory.distances[-1]
    return Producer(factory.name, factory.qubits, rounds, factory.outputs, p_succ, factory.output_error, distance,
                    level=2 if len(factory.distances) > 3 else 1, source=factory)
