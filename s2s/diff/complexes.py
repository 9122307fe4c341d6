"""Whether a program may compute with complex values -- then the adjoints a VJP returns for
its real parameters are projected on their dtype (`real_for`, reverse.py): an adjoint that
went through complex values (`x * 1j`, an FFT) keeps an imaginary part that a real input
has no use for, and JAX's convention gives the real input the real part.

Read from the source: complex literals, complex dtypes (`complex`, `np.complex128`,
'complex64', 'c16'...), NumPy functions that make complex values (np.fft, np.emath,
np.linalg.eig/eigvals, np.roots), and complex arrays bound into the program as constants.
A complex value passed by the caller to another parameter is not seen here (the API projects
that case in Python).

>>> import gast
>>> from types import SimpleNamespace as NS
>>> fn = gast.parse("def f(x):\\n    return _np.real(_np.exp(1j * x))").body[0]
>>> may_be_complex(NS(functions=[NS(tree=fn)], constants={}))
True
"""
import gast
import numpy as np

from ..naming import NUMPY_ALIAS
from ..parse.base import walk

_DTYPE_TEXT = ("complex", "c8", "c16", "c32", "F", "D", "G")
_MAKERS = ("fft", "emath", "scimath", "eig", "eigvals", "roots")


def _node_is_complex(n):
    if isinstance(n, gast.Constant):
        v = n.value
        return isinstance(v, complex) or isinstance(v, str) and (v in _DTYPE_TEXT or "complex" in v)
    if isinstance(n, gast.Name):
        return "complex" in n.id
    if isinstance(n, gast.Attribute):
        if "complex" in n.attr or n.attr in ("csingle", "cdouble", "clongdouble"):
            return True
        root = n
        while isinstance(root, gast.Attribute):
            root = root.value
        return isinstance(root, gast.Name) and root.id == NUMPY_ALIAS and n.attr in _MAKERS
    return False


def may_be_complex(program):
    """True when some function of `program` may compute with complex values (see above)."""
    for value in getattr(program, "constants", {}).values():
        if np.iscomplexobj(value) if isinstance(value, (np.ndarray, np.generic, complex)) else False:
            return True
    return any(_node_is_complex(n) for ctx in program.functions for n in walk(ctx.tree))
