"""User-supplied derivative rules: `custom_jvp`, `custom_vjp` (JAX's API and semantics),
`stop_gradient`, and `defjvp` / `defvjp` to give a NumPy function a rule.

    @s2s.custom_vjp
    def safe_log1pexp(x):
        return np.log1p(np.exp(x))

    def fwd(x):                      # -> (output, residuals for bwd)
        return safe_log1pexp(x), x

    def bwd(x, g):                   # -> one cotangent per input, as a tuple
        return (g / (1.0 + np.exp(-x)),)

    safe_log1pexp.defvjp(fwd, bwd)

Calls of the decorated function inside differentiated code use the rule: reverse mode
calls `fwd` in the forward sweep (its residuals are saved like any value, on the tape in
loops) and `bwd` in the backward sweep; forward mode calls the `defjvp` rule
`rule(primals, tangents) -> (out, out_tangent)`. A `custom_jvp` function differentiated in
reverse mode uses the transpose of its JVP rule (reverse mode applied to the rule w.r.t.
its tangents, which it is linear in). A `custom_vjp` function cannot be differentiated in
forward mode (TypeError, as JAX). `fwd`, `bwd` and the JVP rule are ordinary functions:
s2s transforms them like any other (so they compile with `jit`, and higher derivatives
differentiate through them). Called directly, the decorated function runs its own body.
"""
import functools
import inspect

from .closures import closure
from .diff import registry
from .diff.runtime import stop_gradient

_TRAMPOLINES = {}


def _trampoline(obj):
    """`def f(x, y): return _s2s_custom(x, y)`: the function `grad(obj)` transforms, so the
    entry point calls the custom object (whose rule then applies) instead of its body."""
    key = id(obj)
    if key not in _TRAMPOLINES:
        params = [p.name for p in inspect.signature(obj.fun).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        name = getattr(obj.fun, "__name__", "f")
        fn = closure(name, params, f"_s2s_custom({', '.join(params)})", {"_s2s_custom": obj},
                     f"custom rule of {getattr(obj.fun, '__qualname__', name)}")
        fn.__s2s_trampoline__ = obj
        _TRAMPOLINES[key] = (obj, fn)  # the object kept alive: its id stays unique
    return _TRAMPOLINES[key][1]


def _positional(fn):
    return [p.name for p in inspect.signature(fn).parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]


class _Custom:
    kind = None

    def __init__(self, fun, nondiff_argnums=()):
        if not callable(fun):
            raise TypeError(f"{type(self).__name__} expects a callable, got {type(fun).__name__}")
        nums = (nondiff_argnums,) if isinstance(nondiff_argnums, int) else tuple(nondiff_argnums)
        n = len(_positional(fun))
        if not all(isinstance(i, int) and not isinstance(i, bool) and -n <= i < n for i in nums):
            raise TypeError(f"{type(self).__name__}: nondiff_argnums must be positions of {fun.__name__}'s "
                            f"{n} positional parameters, got {nondiff_argnums!r}")
        self.nondiff_argnums = tuple(sorted({i % n for i in nums}))
        self.fun = fun
        functools.update_wrapper(self, fun)

    def static_parameters(self, values):
        """{role: {parameter: value}}: the non-differentiable arguments `values` (in the order
        of `nondiff_argnums`) bound to the parameters of the function ("fun") and of each
        rule that receives them, as JAX passes them (see the subclasses)."""
        names = _positional(self.fun)
        out = {"fun": {names[i]: v for i, v in zip(self.nondiff_argnums, values)}}
        for role, fn in self.rules().items():
            params = _positional(fn)
            where = self.nondiff_argnums if role == "fwd" else range(len(values))  # fwd: f's arguments
            if len(params) < (max(where) + 1 if role == "fwd" else len(values) + 2):
                raise TypeError(f"the {role} rule of {self.__name__} takes {len(params)} positional parameters: too "
                                f"few for the nondiff arguments ({len(values)}) and its own")
            out[role] = {params[i]: v for i, v in zip(where, values)}
        return out

    @property
    def __s2s_custom__(self):
        return self.kind

    @property
    def __s2s_function__(self):
        return _trampoline(self)

    def __call__(self, *args, **kwargs):
        return self.fun(*args, **kwargs)

    def __repr__(self):
        return f"<s2s.{type(self).__name__} {getattr(self.fun, '__qualname__', self.fun)}>"


class custom_jvp(_Custom):
    """A function with a user-supplied JVP rule: `f.defjvp(rule)` with
    `rule(primals, tangents) -> (primal_out, tangent_out)` (`primals` and `tangents` are
    tuples with one entry per argument; the tangent output must be linear in `tangents`).

    `nondiff_argnums`: positions of arguments that are not differentiated (a function, an
    int...); as in JAX the rule receives them first, `rule(*nondiff_args, primals,
    tangents)`, and `primals`/`tangents` hold the other arguments. Where the function is
    called in transformed code those arguments must be known then (literals, globals,
    closure variables, `jit` static arguments): s2s specializes the function and its rule
    for their values."""

    kind = "jvp"

    def __init__(self, fun, nondiff_argnums=()):
        super().__init__(fun, nondiff_argnums)
        self.jvp = None

    def defjvp(self, jvp):
        if not callable(jvp):
            raise TypeError(f"defjvp expects a callable rule, got {type(jvp).__name__}")
        self.jvp = jvp
        return jvp

    def rules(self):
        if self.jvp is None:
            raise TypeError(f"custom_jvp function {self.__name__} has no rule: call .defjvp(rule) first")
        return {"jvp": self.jvp}


class custom_vjp(_Custom):
    """A function with a user-supplied VJP: `f.defvjp(fwd, bwd)` with
    `fwd(*args) -> (out, residuals)` and `bwd(residuals, g) -> tuple` (one cotangent per
    argument).

    `nondiff_argnums`: as JAX, `fwd` takes the same arguments as the function and
    `bwd(*nondiff_args, residuals, g)` returns cotangents for the other arguments only;
    the values must be known where the function is called (see custom_jvp)."""

    kind = "vjp"

    def __init__(self, fun, nondiff_argnums=()):
        super().__init__(fun, nondiff_argnums)
        self.fwd = self.bwd = None

    def defvjp(self, fwd, bwd):
        if not (callable(fwd) and callable(bwd)):
            raise TypeError("defvjp expects two callables, fwd and bwd")
        self.fwd, self.bwd = fwd, bwd

    def rules(self):
        if self.fwd is None:
            raise TypeError(f"custom_vjp function {self.__name__} has no rule: call .defvjp(fwd, bwd) first")
        return {"fwd": self.fwd, "bwd": self.bwd}


def defvjp(fn, template):
    """Register a VJP rule template for a NumPy/`math` function that has none (the same
    template convention as s2s's own rules, see `s2s.diff.registry`):

        s2s.defvjp(np.sinc, lambda-free template `def sinc_vjp(g, ans, x): return g * ...`)
    """
    registry.VJP_RULES.register(fn)(template)
    return template


def defjvp(fn, template):
    """Register a JVP rule template for a NumPy/`math` function: `def t(ans, x, dx): ...`
    returning the output tangent, linear in the tangents."""
    registry.JVP_RULES.register(fn)(template)
    return template


__all__ = ["custom_jvp", "custom_vjp", "stop_gradient", "defjvp", "defvjp"]
