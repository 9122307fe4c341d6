"""Python source text for constant values (used by the parser for defaults and by codegen)."""
import math

import numpy

from .naming import MATH_ALIAS, NUMPY_ALIAS


def literal(value):
    """Python source that evaluates to `value` in the generated module, or None."""
    if value is None or isinstance(value, (bool, int, str, bytes)) and type(value) in (bool, int, str, bytes):
        return repr(value)
    if type(value) is float:
        if math.isnan(value):
            return f"{MATH_ALIAS}.nan"
        if math.isinf(value):
            return f"{MATH_ALIAS}.inf" if value > 0 else f"-{MATH_ALIAS}.inf"
        return repr(value)
    if type(value) is complex:
        return f"complex({literal(value.real)}, {literal(value.imag)})"
    if isinstance(value, numpy.generic) and value.dtype.kind in "biufc" and value.ndim == 0:
        inner = literal(value.item())
        return None if inner is None else f"{NUMPY_ALIAS}.{value.dtype.name}({inner})"
    if type(value) is tuple:
        parts = [literal(v) for v in value]
        if any(p is None for p in parts):
            return None
        return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"
    return None
