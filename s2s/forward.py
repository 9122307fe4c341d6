"""Forward-mode transformations: `jvp` and `linearize` (JAX's API, JAX's errors).

`jvp(f, primals, tangents)` runs f's generated JVP twin: the primal statements with
their tangent statements interleaved (`s2s/diff/forward.py`), one pass, no tape. The twin
is built once per function, differentiated arguments and their structures/ranks, and kept
with the function object.
"""
import inspect
import weakref

import numpy as np

from .autodiff import _tree_leaves
from .diff.program import build_jvp_module
from .diff.pytrees import copied, of_value, others_of
from .diff.ranks import of_value as rank_of

_TWINS = weakref.WeakKeyDictionary()


def _twin(fun, argnums, structs, ranks, others=()):
    """The JVP twin of `fun` (Python) w.r.t. positional `argnums`, memoized per function."""
    key = (argnums, structs, ranks, others)
    try:
        table = _TWINS.setdefault(fun, {})
    except TypeError:  # not weak-referenceable (a ufunc): build every time
        table = {}
    if key not in table:
        module, name = build_jvp_module(fun, argnums, structs, ranks, others)
        module.jvp_name = name
        table[key] = (module, module.load("python").__dict__[name])
    return table[key]


def _is_float(x):
    return np.issubdtype(np.result_type(x), np.inexact)


def _check_pair(primals, tangents):
    for what, v in (("primal", primals), ("tangent", tangents)):
        if not isinstance(v, (tuple, list)):
            raise TypeError(f"{what} and tangent arguments to jvp must be tuples or lists; found "
                            f"{type(primals).__name__} and {type(tangents).__name__}.")
    if len(primals) != len(tangents) or of_value(tuple(primals)) != of_value(tuple(tangents)):
        raise TypeError("primal and tangent arguments to jvp must have the same tree structure; primals have "
                        f"structure {of_value(tuple(primals))} whereas tangents have structure "
                        f"{of_value(tuple(tangents))}.")
    for p, t in zip(_tree_leaves(list(primals)), _tree_leaves(list(tangents))):
        try:
            pd, td = np.result_type(p), np.result_type(t)
        except TypeError:
            raise TypeError(f"jvp: {type(p).__name__} / {type(t).__name__} is not a valid argument type") from None
        if np.shape(p) != np.shape(t):
            raise ValueError(f"jvp called with different primal and tangent shapes;Got primal shape "
                             f"{np.shape(p)} and tangent shape as {np.shape(t)}")
        if _is_float(p) and pd != td and not (isinstance(p, (float, complex)) or isinstance(t, (float, int))):
            raise TypeError("primal and tangent arguments to jvp do not match; dtypes must be equal. Got primal "
                            f"dtype {pd.name} and so expected tangent dtype {pd.name}, but got tangent dtype "
                            f"{td.name} instead.")


def _differentiable(p):
    return all(_is_float(leaf) for leaf in _tree_leaves(p))


def jvp(fun, primals, tangents, has_aux=False):
    """`(fun(*primals), tangent of the output)` for the input tangents `tangents` (a tuple or
    list with one entry per primal, of the same structure and shapes). Integer primals are
    held constant (their tangents are ignored). With `has_aux`, `fun` returns
    `(out, aux)` and the result is `(out, out_tangent, aux)`."""
    if not callable(fun):
        raise TypeError(f"jvp expects a callable, got {type(fun).__name__}")
    _check_pair(primals, tangents)
    primals, tangents = tuple(primals), tuple(tangents)
    argnums = tuple(i for i, p in enumerate(primals) if _differentiable(p))
    structs = tuple(of_value(primals[i]) for i in argnums)
    others = others_of([of_value(p) for p in primals], argnums)
    _, twin = _twin(fun, argnums, structs, tuple(rank_of(p) for p in primals), others)
    # (copies: a function storing into its arguments leaves the caller's as they were)
    out, dout = twin(*[tangents[i] for i in argnums], *[copied(p) for p in primals])
    if has_aux:
        if not isinstance(out, tuple) or len(out) != 2:
            raise TypeError("jvp with has_aux=True requires the function to return a pair (out, aux)")
        return out[0], dout[0], out[1]
    return out, dout


class LinearizedFunction:
    """`f_jvp` of `linearize`: tangents -> output tangent at the fixed primals. When f's JVP
    twin separates into a primal part and a linear part (straight-line code), the primal
    part ran once in `linearize` and `f_jvp` runs only the linear part on the saved
    residuals (JAX's semantics); otherwise it reruns the whole twin. `s2s.source(f_jvp)`
    shows the generated code."""

    __s2s_source_only__ = True

    def __init__(self, fun, primals):
        from .diff.program import build_linearize_module

        self._primals = primals
        self._argnums = tuple(i for i, p in enumerate(primals) if _differentiable(p))
        structs = tuple(of_value(primals[i]) for i in self._argnums)
        self._module, twin, split = build_linearize_module(fun, self._argnums, structs,
                                                           tuple(rank_of(p) for p in primals),
                                                           others_of([of_value(p) for p in primals], self._argnums))
        ns = self._module.load("python").__dict__
        # (copies: a function storing into its arguments leaves the caller's as they were)
        if split is not None:
            self.out, self._residuals = ns[split[0]](*[copied(p) for p in primals])
            self._linear = ns[split[1]]
        else:
            twin_fn = ns[twin]
            self.out = twin_fn(*[_zeros_of(primals[i]) for i in self._argnums], *[copied(p) for p in primals])[0]
            self._residuals = None
            self._linear = lambda *ts: twin_fn(*ts, *[copied(p) for p in primals])[1]
        self._twin_fn = None if split is not None else twin_fn
        self._function = None
        # one tangent per primal (what vmap and jit of f_jvp map over)
        self.__signature__ = inspect.Signature([inspect.Parameter(f"t{i}", inspect.Parameter.POSITIONAL_OR_KEYWORD)
                                                for i in range(len(primals))])

    @property
    def __s2s_function__(self):
        """`def f_jvp(t0, t1): return linear(t0, *residuals)` (or the whole twin at the
        primals): what vmap(f_jvp) (JAX's Jacobian by columns), jit and callers transform."""
        if self._function is None:
            from .closures import closure

            params = [f"t{i}" for i in range(len(self._primals))]
            ts = [params[i] for i in self._argnums]
            if self._residuals is not None:
                names = [f"_s2s_r{i}" for i in range(len(self._residuals))]
                values = {"_s2s_linear": self._linear, **dict(zip(names, self._residuals))}
                body = f"_s2s_linear({', '.join(ts + names)})"
                label = self._linear.__name__
            else:
                names = [f"_s2s_v{i}" for i in range(len(self._primals))]
                values = {"_s2s_twin": self._twin_fn, **dict(zip(names, self._primals))}
                body = f"_s2s_twin({', '.join(ts + names)})[1]"
                label = self._twin_fn.__name__
            self._function = closure("f_jvp", params, body, values, f"f_jvp of {label}")
        return self._function

    def source(self):
        return self._module.source

    def __call__(self, *tangents):
        if len(tangents) != len(self._primals):
            raise TypeError(f"linearized function takes {len(self._primals)} tangent arguments (one per primal), "
                            f"got {len(tangents)}")
        _check_pair(self._primals, tangents)
        ts = [tangents[i] for i in self._argnums]
        return self._linear(*ts) if self._residuals is None else self._linear(*ts, *self._residuals)


def linearize(fun, *primals):
    """`(fun(*primals), f_jvp)` where `f_jvp(*tangents)` is the JVP at `primals`."""
    if not callable(fun):
        raise TypeError(f"linearize expects a callable, got {type(fun).__name__}")
    if not primals:
        raise TypeError("linearize requires at least one primal argument")
    f_jvp = LinearizedFunction(fun, primals)
    return f_jvp.out, f_jvp


def _zeros_of(x):
    if isinstance(x, (tuple, list)):
        return type(x)(_zeros_of(v) for v in x)
    if isinstance(x, dict):
        return {k: _zeros_of(v) for k, v in x.items()}
    return np.zeros_like(x) if isinstance(x, np.ndarray) else 0.0 * x


class JvpTwin:
    """The JVP twin of `fn` w.r.t. positional `argnums` as an inspectable function (what
    `s2s dump --jvp` prints): `twin(*tangents, *args) -> (out, out_tangent)`."""

    def __init__(self, fn, argnums=0):
        self._fn = fn
        self._argnums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
        self._module, self._twin = _twin(fn, self._argnums, (None,) * len(self._argnums), ())
        self.__signature__ = inspect.signature(self._twin)
        self.__name__ = self._twin.__name__

    @property
    def __s2s_function__(self):
        return self._twin

    def generated(self):
        return self._module

    def source(self):
        return self._module.source

    def __call__(self, *args):
        return self._twin(*args)


__all__ = ["jvp", "linearize"]
