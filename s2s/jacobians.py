"""Jacobians and Hessians by reverse mode: `jacrev`, `jacobian`, `hessian` (JAX's API).

`jacrev(f)` is a generated function that runs f once for the shape of its output, then f's
VJP once per output element with a basis cotangent, each filling one row of the Jacobian --
a loop in the generated source, so `jit(jacrev(f))` compiles the whole sweep into one numba
function. The Jacobian has shape `out.shape + in.shape`. `hessian(f) = jacrev(grad(f))`
(reverse over reverse: the same values as JAX's `jacfwd(jacrev(f))`; forward mode is the
next step). Arrays and scalars as inputs and outputs; pytrees are not supported here yet.
"""
import inspect

from .autodiff import GradFunction, _argnums_tuple, _check_input, _tree_leaves
from .diff.program import build_jacrev_module
from .diff.ranks import of_value as rank_of
from .parse.source import library_wrapper


class JacrevFunction:
    """`jacrev(f)`: callable, inspectable (`s2s.source`), compilable (`jit`), composable."""

    def __init__(self, fn, argnums, has_aux, who):
        self._fn, self._has_aux, self._who = fn, has_aux, who
        sig = inspect.signature(library_wrapper(fn) or fn)
        positional = [p for p in sig.parameters.values() if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        self._single, self._argnums = _argnums_tuple(argnums, len(positional), who)
        self.__signature__ = sig
        self.__name__ = f"{who}_{getattr(fn, '__name__', 'f')}"
        self.__qualname__ = self.__name__
        self._built = {}

    def _build(self, ranks=()):
        ranks = tuple(ranks)
        if ranks not in self._built:
            module, name = build_jacrev_module(self._fn, self._argnums, self._single, self._has_aux, ranks)
            self._built[ranks] = (module, module.load("python").__dict__[name])
        return self._built[ranks]

    @property
    def __s2s_function__(self):
        return self._build()[1]

    def __s2s_specialize__(self, args):
        key = tuple(rank_of(a) for a in args)
        return key, self._build(key)[1]

    def generated(self):
        return self._build()[0]

    def source(self):
        return self._build()[0].source

    def __call__(self, *args):
        for i in self._argnums:
            if i >= len(args):
                raise TypeError(f"{self._who}: argnums={self._argnums} refers to positional argument {i}, but only "
                                f"{len(args)} positional arguments were passed")
            _check_input(args[i], i, False, self._who)
            if len(_tree_leaves(args[i])) != 1 or isinstance(args[i], (tuple, list, dict)):
                raise TypeError(f"{self._who}: argument {i} is a {type(args[i]).__name__}; Jacobians with respect to "
                                "containers (pytrees) are not supported yet: pass arrays or scalars")
        return self._build(tuple(rank_of(a) for a in args))[1](*args)

    def __repr__(self):
        return f"<s2s.{self._who} of {getattr(self._fn, '__qualname__', self._fn)}>"


def jacrev(fun, argnums=0, has_aux=False):
    """The Jacobian of `fun` w.r.t. the positional `argnums`, by reverse mode (one VJP per
    output element): shape `out.shape + in.shape`; a tuple of those for tuple `argnums`."""
    if not callable(fun):
        raise TypeError(f"jacrev expects a callable, got {type(fun).__name__}")
    return JacrevFunction(fun, argnums, has_aux, "jacrev")


def jacobian(fun, argnums=0, has_aux=False):
    """`jacrev` (JAX's `jacobian` is its alias)."""
    if not callable(fun):
        raise TypeError(f"jacobian expects a callable, got {type(fun).__name__}")
    return JacrevFunction(fun, argnums, has_aux, "jacobian")


def hessian(fun, argnums=0, has_aux=False):
    """The Hessian of scalar-valued `fun` w.r.t. the positional argument `argnums`: shape
    `in.shape + in.shape`; `jacrev(grad(fun))`."""
    if not callable(fun):
        raise TypeError(f"hessian expects a callable, got {type(fun).__name__}")
    if not isinstance(argnums, int) or isinstance(argnums, bool):
        raise TypeError("hessian: a tuple of argnums (the block Hessian) is not supported yet; pass one int")
    if has_aux:
        raise TypeError("hessian(has_aux=True) is not supported yet")
    return JacrevFunction(GradFunction(fun, argnums, False, False, value=False), argnums, False, "hessian")


__all__ = ["jacrev", "jacobian", "hessian"]
