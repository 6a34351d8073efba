"""magicpipe.verification: the formulas the planner uses, checked with Stim, PyMatching and sinter.

The only subpackage that imports stim, pymatching and sinter. Small private modules behind this facade:

* ``logical`` -- the 15-to-1 rotation list by state vector, the logical-level Stim circuit with twirled
  input noise, exact enumeration of its error patterns, and the gaps of Eqs. 3-4 (at p_L = 0).
* ``memory`` -- Stim's rotated surface-code memories, logical error per cycle, the fit of Eq. 2 and the
  planner's ``load_logical_error_model``.
* ``factory`` -- the 15-to-1 factory at circuit level, built from its lattice-surgery instructions
  (``factory_program``), as merged and split surface-code patches (``surgery``, ``factory_circuit``); its
  summary and the fit of Eqs. 3-4's ``p_L`` coefficients (``factory_summary``); what the ``|+>`` stand-in for
  the magic state cannot carry (``stand_in``); the real protocol under circuit-level noise, both error types in
  one frame simulation and T states by state vector (``joint``, ``magicpipe verify real``).
* ``sampling`` -- a seeded sinter sampler (Stim, then PyMatching or post-selection).
* ``chunks`` -- sampling in seeded shot chunks on local processes or a Dask cluster (``verify --dask``).
* ``summary``, ``plots``, ``collect`` -- counts to summaries, summaries to PNG, and the resumable
  ``sinter.collect`` edge behind ``magicpipe verify``.
* ``bench`` -- shots per second of this layer against plain ``sinter.collect``.

See docs/verification.md for the measured numbers.
"""

from magicpipe.verification.collect import (
    RunOptions,
    collect,
    run_factory,
    run_logical,
    run_memory,
)
from magicpipe.verification.factory import (
    FactoryDistance,
    ForcedError,
    factory_circuit,
    factory_distance,
    factory_events_task,
    factory_layout,
    factory_task,
    surgery_memory_task,
)
from magicpipe.verification.factory_program import FactoryProgram, factory_instructions
from magicpipe.verification.factory_summary import summarize_factory
from magicpipe.verification.joint import RealRun, real_outcome, run_real, sample_real
from magicpipe.verification.logical import (
    POSTSELECTION,
    FormulaGap,
    RotationCheck,
    WeightEnumerator,
    check_rotations,
    enumerate_errors,
    formula_gaps,
    logical_circuit,
    logical_task,
)
from magicpipe.verification.memory import (
    Eq2Fit,
    fit_eq2,
    load_logical_error_model,
    memory_circuit,
    memory_task,
    patch_rate,
    per_cycle_rate,
)
from magicpipe.verification.sampling import SeededSampler, sample_task
from magicpipe.verification.stand_in import real_effect, split_events
from magicpipe.verification.summary import Estimate, summarize_logical, summarize_memory

__all__ = [
    "POSTSELECTION",
    "Eq2Fit",
    "Estimate",
    "RealRun",
    "FactoryDistance",
    "FactoryProgram",
    "ForcedError",
    "FormulaGap",
    "RotationCheck",
    "RunOptions",
    "SeededSampler",
    "WeightEnumerator",
    "check_rotations",
    "collect",
    "enumerate_errors",
    "factory_circuit",
    "factory_distance",
    "factory_events_task",
    "factory_instructions",
    "factory_layout",
    "factory_task",
    "fit_eq2",
    "formula_gaps",
    "load_logical_error_model",
    "logical_circuit",
    "logical_task",
    "memory_circuit",
    "memory_task",
    "patch_rate",
    "per_cycle_rate",
    "real_effect",
    "real_outcome",
    "run_factory",
    "run_logical",
    "run_memory",
    "run_real",
    "sample_real",
    "sample_task",
    "split_events",
    "summarize_factory",
    "summarize_logical",
    "summarize_memory",
    "surgery_memory_task",
]
