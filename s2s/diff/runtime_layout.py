"""Runtime helpers of the layout rules (np.triu/tril, diagonal, atleast_*d, fliplr/flipud/rot90, append, column_stack/dstack, pad, split): the
contributions the VJP templates of rules/layout.py call. Part of the runtime
(`s2s.diff.runtime` re-exports every name in `__all__`; `s2s dump -o` copies this file after
it), so self-contained like it: math, NumPy and the runtime's helpers.
"""
import math  # noqa: F401

import numpy as np  # noqa: F401

__all__ = []
