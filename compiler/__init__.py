"""The pure core: factories, pipelines, baselines, the dynamic pipeline and its schedules.

Nothing here reads or writes files or prints; time is in integer stabilizer rounds.
"""

from magicpipe.compiler.baselines import BaselineCost, parallel, sequential
from magicpipe.compiler.counts import LogicalCounts
from magicpipe.compiler.errormodel import PAPER, ErrorModel, ProtocolCoefficients
from magicpipe.compiler.factory import Factory
from magicpipe.compiler.layers import DemandTimeline
from magicpipe.compiler.hardware import Hardware, LogicalErrorModel, check_distance, patch_qubits
from magicpipe.compiler.pipeline import Level, Pipeline
from magicpipe.compiler.protocols import FIFTEEN_TO_ONE, PROTOCOLS, Protocol, get_protocol
from magicpipe.compiler.source import Source

__all__ = [
    "BaselineCost",
    "DemandTimeline",
    "ErrorModel",
    "FIFTEEN_TO_ONE",
    "Factory",
    "Hardware",
    "Level",
    "LogicalCounts",
    "LogicalErrorModel",
    "PAPER",
    "PROTOCOLS",
    "Pipeline",
    "Protocol",
    "ProtocolCoefficients",
    "check_distance",
    "get_protocol",
    "parallel",
    "patch_qubits",
    "sequential",
    "Source",
]
