"""magicpipe: a compiler for multi-level magic-state distillation pipelines.

``magicpipe.compile(program, ...)`` plans a whole program (a circuit, an OpenQASM file or logical counts):
its demand, the front of (physical qubits, runtime), the chosen point with its schedule and the baselines.

Subpackages: ``compiler`` (pure core), ``passes`` (Qiskit analysis), ``lattice`` (layout and instruction
stream), ``grammar`` (stream text form), ``verification`` (Stim and PyMatching checks).
"""

from magicpipe.errors import InfeasibleError, MagicpipeError, ParseError, SpecError, VerificationError
from magicpipe.compilation import Compilation, compile, describe, load_counts

__version__ = "0.1.0"

__all__ = [
    "Compilation",
    "compile",
    "describe",
    "load_counts",
    "InfeasibleError",
    "MagicpipeError",
    "ParseError",
    "SpecError",
    "VerificationError",
    "__version__",
]
