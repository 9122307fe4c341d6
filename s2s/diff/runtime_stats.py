"""Runtime helpers of the stats rules (cumprod, diff, average, nan-reductions, kron, vdot, cross, convolve): the
contributions the VJP templates of rules/stats.py call. Part of the runtime
(`s2s.diff.runtime` re-exports every name in `__all__`; `s2s dump -o` copies this file after
it), so self-contained like it: math, NumPy and the runtime's helpers.
"""
import math  # noqa: F401

import numpy as np  # noqa: F401

__all__ = []
