"""Helpers that corpus functions import from another module (tests/corpus.py).

s2s must find, transform and compile these too: a helper's source lives in a different file
than the function that calls it, and it uses its own `np` alias.
"""
import numpy as np

OFFSET = 0.25


def softplus(x):
    """log(1 + exp(x)), stable for large x (works on scalars and arrays)."""
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))


def shifted_square(x):
    """Calls a helper of its own module and reads a global of its own module."""
    return softplus(x) ** 2 + OFFSET
