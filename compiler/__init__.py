"""The pure core: factories, pipelines, baselines, the dynamic pipeline and its schedules.

Nothing here reads or writes files or prints; time is in integer stabilizer rounds.
"""

from magicpipe.compiler.baselines import BaselineCost, parallel, sequential
from magicpipe.compiler.factory import Factory
from magicpipe.compiler.hardware import Hardware, LogicalErrorModel, check_distance, patch_qubits
from magicpipe.compiler.pipeline import Level, Pipeline
from magicpipe.compiler.protocols import FIFTEEN_TO_ONE, PROTOCOLS, Protocol, get_protocol

__all__ = [
    "BaselineCost",
    "FIFTEEN_TO_ONE",
    "Factory",
    "Hardware",
    "Level",
    "LogicalErrorModel",
    "PROTOCOLS",
    "Pipeline",
    "Protocol",
    "check_distance",
    "get_protocol",
    "parallel",
    "patch_qubits",
    "sequential",
]
