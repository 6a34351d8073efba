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

Magic-state cultivation (:mod:`magicpipe.compiler.cultivation`) becomes a producer whose run is one *attempt*:
one output, kept with probability ``p_succ``. With the scheduler's ``rng`` every attempt is drawn kept or
discarded and a lane relaunches at once after a discarded one, so the time to a kept state is a seeded
geometric number of attempts -- cultivation's restarts. Attempts last whole rounds: ``r = max(1,
round(attempt_rounds))``, and ``p_succ = r / T`` keeps the published mean time per kept state ``T = volume /
qubits`` exactly. The acceptance moves by the rounding: at p = 1e-3, 0.2254 -> 0.2250 for ``d1 = 3`` at the
floor (attempts of 4.007 rounds), but 0.0049 -> 0.0035 for ``d1 = 5`` at the loosest point (1.39 rounds
become 1); at such small acceptance the time to a kept state is close to exponential with mean ``T`` either
way. Without ``rng`` every attempt would be kept: schedule cultivation with a seed.
"""

from __future__ import annotations

import math

from magicpipe.compiler.allocator import Producer
from magicpipe.compiler.catalogue import Factory as CatalogueFactory
from magicpipe.compiler.cultivation import CultivationPoint
from magicpipe.errors import SpecError

__all__ = ["catalogue_producer", "cultivation_producer"]

#: the distance of cultivation's output patch (it escapes into a d2 = 15 surface code)
CULTIVATION_DISTANCE = 15


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


def cultivation_producer(point: CultivationPoint) -> Producer:
    """One cultivation patch at ``point`` as a producer of the dynamic scheduler: a run is one attempt
    (module docstring).

    Examples:
        >>> from magicpipe.compiler.cultivation import cultivation_point
        >>> c = cultivation_point(1e-3, 3, 0.0)
        >>> p = cultivation_producer(c)
        >>> p.rounds, round(p.p_succ, 4), round(p.rounds / p.p_succ, 6) == round(c.rounds, 6)
        (4, 0.225, True)
    """
    rounds = max(1, round(point.attempt_rounds))
    p_succ = rounds / point.rounds
    if not 0 < p_succ <= 1:
        raise SpecError(f"{point.name}: an attempt of {rounds} rounds against {point.rounds:.3g} rounds per kept "
                        f"state gives acceptance {p_succ:.3g}, outside (0, 1]")
    return Producer(point.name, point.qubits, rounds, 1, p_succ, point.error, CULTIVATION_DISTANCE, source=point)
