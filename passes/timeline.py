"""The program's demand per layer lives in the pure core: :class:`magicpipe.compiler.layers.DemandTimeline`.

``Timeline`` is kept here as its old name.
"""

from magicpipe.compiler.layers import DemandTimeline

Timeline = DemandTimeline

__all__ = ["Timeline", "DemandTimeline"]
