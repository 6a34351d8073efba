"""magicpipe: a compiler for multi-level magic-state distillation pipelines.

Subpackages: ``compiler`` (pure core), ``passes`` (Qiskit analysis), ``lattice`` (layout and instruction
stream), ``grammar`` (stream text form), ``verification`` (Stim and PyMatching checks).
"""

from magicpipe.errors import InfeasibleError, MagicpipeError, ParseError, SpecError, VerificationError

__version__ = "0.1.0"

__all__ = ["InfeasibleError", "MagicpipeError", "ParseError", "SpecError", "VerificationError", "__version__"]
