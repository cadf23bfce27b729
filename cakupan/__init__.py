"""cakupan: UCJ coverage figures from Indonesian news, each traceable to its exact quote."""

__version__ = "0.1.0"
