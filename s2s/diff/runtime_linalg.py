"""Runtime helpers of the linalg rules (np.linalg decompositions: slogdet, cholesky, eigh, svd, pinv, matrix_power, qr): the
contributions the VJP templates of rules/linalg.py call. Part of the runtime
(`s2s.diff.runtime` re-exports every name in `__all__`; `s2s dump -o` copies this file after
it), so self-contained like it: math, NumPy and the runtime's helpers.
"""
import math  # noqa: F401

import numpy as np  # noqa: F401

__all__ = []
