"""The Qiskit front end: magic-state demand, the distillation plan, a transpiler plugin.

The only subpackage that imports Qiskit. Passes:

* :class:`MagicStateDemand` writes ``property_set["magicpipe_demand"]`` (a :class:`Demand`);
* :class:`DistillationPlanner` reads it and writes ``property_set["magicpipe_plan"]`` (a
  :class:`~magicpipe.compiler.compilation.Compilation`, the whole-program plan);
* :class:`WriteMetadata` copies both into the circuit's ``metadata`` as JSON-able dicts.

:func:`pass_manager` chains them with every option; the ``scheduling`` stage plugin ``"magicpipe"`` runs
them with the defaults. See ``docs/frontend.md``.
"""

from magicpipe.passes.budget import ErrorBudget
from magicpipe.passes.demand import Demand, MagicStateDemand, count_demand
from magicpipe.passes.planner import DistillationPlanner, WriteMetadata, circuit_compilation, plan_demand
from magicpipe.passes.plugin import MagicpipeSchedulingPlugin, pass_manager
from magicpipe.passes.program import load_program
from magicpipe.passes.timeline import Timeline

__all__ = [
    "Demand",
    "DistillationPlanner",
    "ErrorBudget",
    "MagicStateDemand",
    "MagicpipeSchedulingPlugin",
    "Timeline",
    "WriteMetadata",
    "circuit_compilation",
    "count_demand",
    "load_program",
    "pass_manager",
    "plan_demand",
]
