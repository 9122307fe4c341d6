"""Reverse-mode transformations: `grad`, `value_and_grad`, `vjp` (JAX's API, JAX's errors).

Each returns an s2s function object: calling it runs the generated derivative as Python;
`s2s.source()` shows it; `jit(grad(f))` compiles it with numba, because
`__s2s_function__` is the generated wrapper function itself (so transformations compose
by re-transforming source).
"""
import inspect
import operator
import types

import numpy as np

from .diff.program import build_grad_module, build_vjp_module
from .diff.pytrees import copied, of_value, others_of
from .diff.ranks import of_value as rank_of
from .parse.source import signature_of


def _argnums_tuple(argnums, n_params, who):
    single = isinstance(argnums, int) and not isinstance(argnums, bool)
    nums = (argnums,) if single else argnums
    try:
        nums = tuple(operator.index(a) for a in nums)
    except TypeError:
        raise TypeError(f"{who}: argnums must be an int or a tuple of ints, got {argnums!r}") from None
    if not nums:
        raise TypeError(f"{who}: argnums must not be empty")
    out = []
    for a in nums:
        if not -n_params <= a < n_params:
            raise TypeError(
                f"{who}: differentiating with respect to argnums={argnums} requires at least "
                f"{max(abs(a) + (a >= 0), 1)} positional arguments, but the function has {n_params}"
            )
        out.append(a % n_params)
    return single, tuple(out)


def _tree_leaves(value):
    if isinstance(value, (tuple, list)):
        return [x for v in value for x in _tree_leaves(v)]
    if isinstance(value, dict):
        return [x for k in value for x in _tree_leaves(value[k])]
    return [value]


def _check_input(value, i, allow_int, who, holomorphic=False):
    """Every leaf of argument `i` (a scalar, an array, or a tuple/list/dict of them) must be
    real or complex floating point (or integer with allow_int); complex with `holomorphic`."""
    for leaf in _tree_leaves(value):
        _check_leaf(leaf, i, allow_int, who, holomorphic)


def _check_leaf(value, i, allow_int, who, holomorphic=False):
    try:
        dtype = np.result_type(value)
    except TypeError:
        raise TypeError(f"{who}: argument {i} contains a {type(value).__name__}, which is not a valid JAX type") from None
    if holomorphic and not np.issubdtype(dtype, np.complexfloating):
        raise TypeError(f"{who} with holomorphic=True requires inputs with complex dtype, but got {dtype.name}.")
    if not np.issubdtype(dtype, np.inexact) and not allow_int:
        raise TypeError(
            f"{who} requires real- or complex-valued inputs (input dtype that is a sub-dtype of "
            f"np.inexact), but got {dtype.name} for argument {i}. If you want to use Boolean- or "
            "integer-valued inputs, use vjp or set allow_int to True."
        )


def _check_scalar(out, who, holomorphic=False):
    if holomorphic:
        if np.ndim(out) != 0:
            raise TypeError(f"Gradient only defined for scalar-output functions. Output had shape: {np.shape(out)}.")
        if not np.issubdtype(np.result_type(out), np.complexfloating):
            raise TypeError(f"{who} with holomorphic=True requires outputs with complex dtype, but got "
                            f"{np.result_type(out).name}.")
        return
    if np.ndim(out) != 0 or not np.issubdtype(np.result_type(out), np.floating):
        raise TypeError(
            f"Gradient only defined for scalar-output functions. Output had shape: {np.shape(out)}."
            if np.ndim(out) != 0
            else f"{who} requires real-valued outputs (output dtype that is a sub-dtype of np.floating), "
            f"but got {np.result_type(out).name}."
        )


def tests_isinstance(fn, depth=4, seen=None):
    """Does `fn`, or a function it calls by a global or closure name (`depth` calls deep),
    call isinstance? Then its arguments' types decide code (parse/fold.py)."""
    code = getattr(getattr(fn, "__func__", fn), "__code__", None)
    if code is None:
        return False
    if "isinstance" in code.co_names:
        return True
    seen = set() if seen is None else seen
    if depth == 0 or id(code) in seen:
        return False
    seen.add(id(code))
    scope = dict(getattr(fn, "__globals__", {}))
    for name, cell in zip(code.co_freevars, getattr(fn, "__closure__", None) or ()):
        try:
            scope[name] = cell.cell_contents
        except ValueError:  # an empty cell
            pass
    for name in code.co_names + code.co_freevars:
        value = scope.get(name)
        if isinstance(value, types.FunctionType) and tests_isinstance(value, depth - 1, seen):
            return True
    return False


def none_parameters(signature, argnums, args, kwargs, typed=False):
    """The parameters (not differentiated) that are None in this call, given or by default:
    derivative code is made per such pattern (their tests decided: `if w is not None`); when
    `typed` (the function tests isinstance: tests_isinstance), also (parameter, type of its
    argument) for every argument given."""
    out = []
    for i, p in enumerate(signature.parameters.values()):
        if i in argnums or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        given = args[i] if i < len(args) and p.kind != p.KEYWORD_ONLY else kwargs.get(p.name, p.default)
        if given is None:
            out.append(p.name)
    if typed:
        # its isinstance tests of parameters are decided per call (parse/fold.py)
        for i, p in enumerate(signature.parameters.values()):
            if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
                continue
            missing = inspect.Parameter.empty
            given = args[i] if i < len(args) and p.kind != p.KEYWORD_ONLY else kwargs.get(p.name, p.default)
            if given is not missing and given is not None:
                out.append((p.name, type(given)))
    return tuple(out)


class GradFunction:
    """`grad(f)` / `value_and_grad(f)`: the generated derivative, callable and inspectable."""

    __s2s_build_by_function__ = True  # transforming it reads only its generated function

    def __init__(self, fn, argnums, has_aux, allow_int, value, holomorphic=False):
        self._fn = fn
        self._value = value
        self._holomorphic = holomorphic  # complex in and out: the complex derivative f'(z)
        self._has_aux = has_aux
        self._allow_int = allow_int
        self._who = "value_and_grad" if value else "grad"
        self._typed = tests_isinstance(fn)  # its code is made per argument types too
        sig = signature_of(fn)  # np.sin: its wrapper `def sin(x)`
        positional = [p for p in sig.parameters.values() if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        self._single, self._argnums = _argnums_tuple(argnums, len(positional), self._who)
        self.__signature__ = sig
        self.__name__ = f"{self._who}_{getattr(fn, '__name__', 'f')}"
        self.__qualname__ = self.__name__
        self.__doc__ = f"{self._who} of {getattr(fn, '__qualname__', fn)!r} w.r.t. argnums={argnums}."
        self._built = {}

    def _build(self, structs=None, ranks=None, nones=(), others=()):
        """The generated module for arguments of the given structures (pytrees: one
        specialization per structure of the differentiated arguments) and ranks (numbers of
        dimensions of the positional arguments: scalar code saves less); `nones`: parameters
        given None (their tests decided: `if w is not None`); `others`: the other arguments'
        structures (pytrees.others_of)."""
        structs = tuple(structs or (None,) * len(self._argnums))
        ranks = tuple(ranks or ())
        key = (structs, ranks, tuple(nones), tuple(others))
        if key not in self._built:
            module, vjp_name, wrapper = build_grad_module(
                self._fn, self._argnums, self._single, self._value, self._has_aux, title=self._who,
                structs=structs, ranks=ranks, nones=tuple(nones), others=tuple(others),
            )
            ns = module.load("python").__dict__
            self._built[key] = (module, ns[vjp_name], ns[wrapper])
        return self._built[key]

    def _key(self, args, kwargs=None):
        structs = tuple(of_value(args[i]) if i < len(args) else None for i in self._argnums)
        others = others_of([of_value(a) for a in args], self._argnums)
        return structs, tuple(rank_of(a) for a in args), self._nones(args, kwargs or {}), others

    def _nones(self, args, kwargs):
        return none_parameters(self.__signature__, self._argnums, args, kwargs, self._typed)

    @property
    def __s2s_function__(self):
        return self._build()[2]

    @property
    def __s2s_signature_of__(self):  # (jit of one made per call: the user function's signature)
        return self._fn

    def __s2s_structured__(self, structs):
        """The generated function for positional arguments of `structs` (pytree structures
        by position; None for leaves and unknowns): a grad inside a differentiated function
        is respecialized when its arguments' structures become known."""
        return self._build(tuple(structs[i] if i < len(structs) else None for i in self._argnums),
                           others=others_of(structs, self._argnums))[2]

    def __s2s_specialize__(self, args, kwargs=None, backend=None):
        """(key, generated function) for these arguments: `jit(grad(f))` compiles one
        specialization per structure of the differentiated arguments (tuples, lists) and
        per number of dimensions of the arguments."""
        for i in self._argnums:  # jit passes every argument here, before numba sees any
            if i < len(args):
                _check_input(args[i], i, self._allow_int, self._who, self._holomorphic)
        key = self._key(args, kwargs)
        return key, self._build(*key)[2]

    def __s2s_finish__(self, args, kwargs, out):
        """The compiled result (`jit(grad(f))`) as grad's own: each gradient in its input's
        dtype (float32 in, float32 out; the seed and constants of derivative code are float64)."""
        if any(i >= len(args) for i in self._argnums):
            return out

        def projected(g):
            if self._single:
                return _projected(g, args[self._argnums[0]])
            return tuple(_projected(gi, args[i]) for gi, i in zip(g, self._argnums))
        if self._has_aux:
            if self._value:
                (value, aux), g = out
                return (value, aux), projected(g)
            g, aux = out
            return projected(g), aux
        if self._value:
            value, g = out
            return value, projected(g)
        return projected(out)

    def source(self, *args, **kwargs):
        """The generated source; given arguments, the version made for them (their pytree
        structures and ranks), as a call with them runs."""
        if not args and not kwargs:
            return self._build()[0].source
        return self._build(*self._key(args, kwargs))[0].source

    def generated(self):
        """The `GeneratedModule` (for arrays and scalars as the differentiated arguments)."""
        return self._build()[0]

    def __call__(self, *args, **kwargs):
        for i in self._argnums:
            if i >= len(args):
                raise TypeError(
                    f"{self._who}: argnums={self._argnums} refers to positional argument {i}, but "
                    f"only {len(args)} positional arguments were passed"
                )
            _check_input(args[i], i, self._allow_int, self._who, self._holomorphic)
        _, vjp_fn, _ = self._build(*self._key(args, kwargs))
        try:
            out, grads = vjp_fn(1.0, *args, **kwargs)
        except Exception:
            self._check_output(args, kwargs)  # a tuple/array output fails inside: say that instead
            raise
        if self._has_aux:
            if not isinstance(out, tuple) or len(out) != 2:
                raise TypeError(f"{self._who} with has_aux=True requires the function to return a pair (value, aux)")
            value, aux = out
        else:
            value = out
        _check_scalar(value, self._who, self._holomorphic)
        grads = [_projected(gr, args[i]) for gr, i in zip(grads, self._argnums)]
        g = grads[0] if self._single else tuple(grads)
        if self._has_aux:
            return ((value, aux), g) if self._value else (g, aux)
        return (value, g) if self._value else g

    def _check_output(self, args, kwargs):
        """Raise the TypeError of a non-scalar output (the derivative code, seeded with a
        scalar, fails on one in its own way); return if the output is a scalar."""
        try:
            out = self._fn(*args, **kwargs)
        except Exception:  # noqa: BLE001 -- the derivative code's own error is the one to see
            return
        if self._has_aux:
            if not isinstance(out, tuple) or len(out) != 2:
                raise TypeError(f"{self._who} with has_aux=True requires the function to return a pair "
                                "(value, aux)") from None
            out = out[0]
        if isinstance(out, (tuple, list, dict)):
            raise TypeError(f"Gradient only defined for scalar-output functions. Output was a {type(out).__name__}: "
                            "use jacrev/vjp for several outputs, or has_aux=True for (value, aux).") from None
        _check_scalar(out, self._who, self._holomorphic)

    def __repr__(self):
        return f"<s2s.{self._who} of {getattr(self._fn, '__qualname__', self._fn)}>"


# JAX's dtype of the "gradient" of an integer input (grad with allow_int=True, vjp): no data.
FLOAT0 = np.dtype([("float0", np.void, 0)])


def _is_integer(x):
    if isinstance(x, (bool, int, np.integer, np.bool_)):
        return True
    return isinstance(x, np.ndarray) and x.dtype.kind in "biu"


def _projected(ct, primal):
    """`ct` with the real part taken of every leaf whose primal is real (the generated code
    does this where it sees complex values itself; a complex argument it cannot see)."""
    if isinstance(ct, dict) and isinstance(primal, dict):
        out = {k: _projected(v, primal[k]) for k, v in ct.items()}
        if type(primal) is not dict:  # an OrderedDict's gradient is one (JAX), in its order
            try:
                return type(primal)((k, out[k]) for k in primal if k in out)
            except TypeError:  # (a subclass with another constructor)
                return out
        return out
    if isinstance(ct, (tuple, list)) and isinstance(primal, (tuple, list)) and len(ct) == len(primal):
        items = [_projected(c, p) for c, p in zip(ct, primal)]
        if hasattr(primal, "_fields"):  # a namedtuple's gradient is one
            return type(primal)(*items)
        return type(ct)(items)
    if _is_integer(primal):  # allow_int: an integer input has no gradient (JAX's float0 zeros)
        return np.zeros(np.shape(primal), FLOAT0)
    if np.iscomplexobj(ct) and not np.iscomplexobj(primal):
        ct = np.real(ct)
    elif np.iscomplexobj(primal) and not np.iscomplexobj(ct) and isinstance(ct, (np.ndarray, np.generic, float, int)):
        # a complex input's gradient is complex (JAX), also where the function read only its real part
        ctype = np.result_type(primal)
        return ct.astype(ctype) if isinstance(ct, np.ndarray) else ctype.type(ct)
    dtype = getattr(primal, "dtype", None)
    if dtype is not None and np.issubdtype(dtype, np.inexact) and isinstance(ct, (np.ndarray, np.generic, float,
                                                                                 complex)) \
            and np.result_type(ct) != dtype and np.can_cast(dtype, np.result_type(ct)):
        # float32 in, float32 out (as JAX): the float64 seed and constants widened it
        return ct.astype(dtype) if isinstance(ct, np.ndarray) else dtype.type(ct)
    return ct


def grad(fun, argnums=0, has_aux=False, holomorphic=False, allow_int=False):
    """The gradient of scalar-valued `fun` with respect to the positional `argnums`. With
    `holomorphic`, `fun` maps complex inputs to a complex scalar and the result is its
    complex derivative f'(z) (for a real output, the gradient of z is dL/dRe z - i dL/dIm z)."""
    if not callable(fun):
        raise TypeError(f"grad expects a callable, got {type(fun).__name__}")
    return GradFunction(fun, argnums, has_aux, allow_int, value=False, holomorphic=holomorphic)


def value_and_grad(fun, argnums=0, has_aux=False, holomorphic=False, allow_int=False):
    """`(fun(*args), grad(fun)(*args))`, computed together."""
    if not callable(fun):
        raise TypeError(f"value_and_grad expects a callable, got {type(fun).__name__}")
    return GradFunction(fun, argnums, has_aux, allow_int, value=True, holomorphic=holomorphic)


def checkpoint(fun=None, *, prevent_cse=True, policy=None, static_argnums=()):
    """JAX's `checkpoint` (`remat`), for code written against JAX: `fun` itself. JAX uses it
    to recompute a function's intermediates on the backward pass instead of storing them;
    s2s's reverse mode stores only what the derivative reads (loops keep a tape of the
    values they overwrite), and the derivative is the same either way. Works as
    `checkpoint(f)`, `@checkpoint` and `@checkpoint(policy=...)`, also inside transformed code."""
    if fun is None:
        return lambda f: checkpoint(f, prevent_cse=prevent_cse, policy=policy, static_argnums=static_argnums)
    if not callable(fun):
        raise TypeError(f"checkpoint expects a callable, got {type(fun).__name__}")
    return fun


remat = checkpoint


class _VJPFunction:
    """The `vjp_fn` returned by `vjp`: cotangent -> one cotangent per primal."""

    def __init__(self, vjp_fn, primals, out):
        self._vjp_fn, self._primals, self._out = vjp_fn, primals, out
        self._function = None

    @property
    def __s2s_function__(self):
        """`def vjp_fn(ct): return twin(ct, *primals)[1]` over these primals: what vmap(vjp_fn)
        (JAX's Jacobian by rows), jit(vjp_fn) and code calling it transform."""
        if self._function is None:
            from .closures import closure

            names = [f"_s2s_v{i}" for i in range(len(self._primals))]
            self._function = closure("vjp_fn", ["ct"], f"_s2s_twin(ct, {', '.join(names)})[1]",
                                     {"_s2s_twin": self._vjp_fn, **dict(zip(names, self._primals))},
                                     f"vjp_fn of {self._vjp_fn.__name__}")
        return self._function

    def __call__(self, cotangent):
        if of_value(cotangent) != of_value(self._out):
            raise ValueError(
                f"vjp: the cotangent has the structure {of_value(cotangent)} but the function's output has "
                f"{of_value(self._out)}; they must match (a tuple/list/dict of the same keys)"
            )
        for ct, o in zip(_tree_leaves(cotangent), _tree_leaves(self._out)):
            if np.shape(ct) != np.shape(o):
                raise ValueError(
                    f"vjp: the cotangent has shape {np.shape(ct)} but the function's output has "
                    f"shape {np.shape(o)}; they must match"
                )
        _, grads = self._vjp_fn(cotangent, *self._primals)
        return tuple(_projected(g, p) for g, p in zip(grads, self._primals))


class VjpTwin:
    """The VJP twin of `fn` w.r.t. its first `n` positional parameters, as a function:
    `twin(cotangent, *args) -> (out, (contribution, ...))` (`has_aux`: fn returns `(out,
    aux)` and only out is differentiated). What `y, pull = s2s.vjp(f, x)`
    inside a transformed function becomes (parse/local_aliases.py): `y = f(x)`, and
    `pull(ct)` reads `twin(ct, x)[1]`, so jit compiles it as ordinary generated code."""

    def __init__(self, fn, n, has_aux=False):
        self._module, name = build_vjp_module(fn, n, has_aux=has_aux)
        self._twin = self._module.load("python").__dict__[name]
        self.__signature__ = inspect.signature(self._twin)
        self.__name__ = name

    @property
    def __s2s_function__(self):
        return self._twin

    def generated(self):
        return self._module

    def __call__(self, *args):
        return self._twin(*args)


def vjp(fun, *primals, has_aux=False):
    """`(fun(*primals), vjp_fn)`; `vjp_fn(cotangent)` returns one cotangent per primal."""
    if not callable(fun):
        raise TypeError(f"vjp expects a callable, got {type(fun).__name__}")
    if not primals:
        raise TypeError("vjp requires at least one primal argument")
    for i, p in enumerate(primals):
        _check_input(p, i, True, "vjp")
    module, vjp_name = build_vjp_module(fun, len(primals), tuple(of_value(p) for p in primals), has_aux,
                                        tuple(rank_of(p) for p in primals))
    vjp_fn = module.load("python").__dict__[vjp_name]
    out = fun(*[copied(p) for p in primals])  # (a function storing into its arguments leaves the caller's)
    if has_aux:
        if not isinstance(out, tuple) or len(out) != 2:
            raise TypeError("vjp with has_aux=True requires the function to return a pair (out, aux)")
        out, aux = out
        return out, _VJPFunction(vjp_fn, primals, out), aux
    return out, _VJPFunction(vjp_fn, primals, out)


vjp.__s2s_twin__ = VjpTwin  # (what resolve makes of a vjp called inside transformed code)
