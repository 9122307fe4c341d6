"""The rule families. Importing this package fills `s2s.diff.registry.VJP_RULES`,
`JVP_RULES` and `NONDIFF`; each family is one module (unary, binary, reductions, linalg,
shape, nondiff, layout, stats, decompositions, creation, interpolation, fft, special --
scipy.special, registered on first use (`load_scipy_rules`) where scipy is installed --, and
helpers and partials: rules
for the runtime helpers the templates call, for derivatives of derivatives), and
`jvp_<family>` holds the family's forward-mode rules, one
for every key (and arity) of its VJP rules (see `JvpTable` for the template, linear and
multilinear kinds).

Template conventions, VJP and JVP (beyond the registry's contract): a template body is
straight-line code ending in one `return` -- no branches, loops or comprehensions;
whatever depends on types (scalar or array, ndim, None, axis kind) is decided inside a
`s2s.diff.runtime` helper, at compile time under numba. Templates use only `np`, `math`,
runtime helpers, their parameters and locals. A contribution that is always absent is a
literal `None` in the `return`. Contributions may alias `g` (e.g. `add` returns `g`
itself) or be views of it, so adjoints must be accumulated out of place (`bx = bx + c`) or
copied before an in-place update.
"""
import importlib.util

from . import binary, helpers, linalg, nondiff, partials, reductions, shape, unary  # noqa: F401  -- registers the rules
from . import jacobian, jvp_binary, jvp_helpers, jvp_linalg, jvp_partials, jvp_reductions, jvp_shape  # noqa: F401
from . import jvp_unary  # noqa: F401
from . import decompositions, jvp_decompositions, jvp_layout, jvp_stats, layout, stats  # noqa: F401
from . import creation, jvp_creation  # noqa: F401
from . import interpolation, jvp_interpolation  # noqa: F401
from . import fft, jvp_fft  # noqa: F401

_SCIPY_LOADED = []


def load_scipy_rules():
    """Register scipy.special's rules (VJP, JVP, vmap, numba forms) -- on the first use of a
    scipy function in transformed code (parse/resolve.py), so that `import s2s` does not import
    scipy. A no-op without scipy, or once done."""
    if _SCIPY_LOADED or importlib.util.find_spec("scipy") is None:
        return
    _SCIPY_LOADED.append(True)
    from . import jvp_special, scipy_linalg, signal, special  # noqa: F401
    from ...vectorize.rules import special as batch_special  # noqa: F401
    if importlib.util.find_spec("numba") is not None:  # the numba forms (an error in them is not hidden)
        from .. import runtime_numba_signal, runtime_numba_special  # noqa: F401
