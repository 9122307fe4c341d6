"""JVP rules of rules/creation.py: np.linspace is linear in (start, stop) jointly (the
tangent is the linspace of the tangents), np.full and np.full_like linear in the fill
value (the shape and the template array are read for their shape)."""
import numpy as np

from ..registry import JVP_RULES, supports
from .creation import linspace_check

linear = JVP_RULES.linear


@linear(np.linspace)
@supports(linspace_check)
def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    """Linear in start and stop together."""


@linear(np.full, nondiff=("shape",))
def full(shape, fill_value, dtype=None):
    """Linear in the fill value."""


@linear(np.full_like, nondiff=("a",))
def full_like(a, fill_value, dtype=None):
    """Linear in the fill value."""
