"""Jacobians and Hessians: `jacfwd`, `jacrev`, `jacobian`, `hessian` (JAX's API).

`jacrev(f)` is a generated function that runs f once for the shape of its output, then f's
VJP once per output element with a basis cotangent, each filling one row of the Jacobian;
`jacfwd(f)` runs f's JVP once per input element with a basis tangent, each filling one
column. Both sweeps are loops in the generated source, so `jit(jacfwd(f))` compiles the
whole sweep into one numba function. The Jacobian has shape `out.shape + in.shape`;
`hessian(f) = jacfwd(jacrev(f))` (forward over reverse; `jacfwd(grad(f))` when f's
output is inferred to be a scalar), `in.shape + in.shape` for a scalar f, nested tuples
(blocks) for tuple `argnums`. Inputs are arrays and scalars (real; complex with
`holomorphic=True`, for functions of complex values whose Jacobian is the complex one);
`jacfwd` also takes functions returning tuples/lists/dicts (a Jacobian per output leaf).
"""

import numpy as np

from .autodiff import _argnums_tuple, _check_input, _tree_leaves, none_parameters, tests_isinstance
from .diff.jacobian import build_jacfwd_module, build_jacrev_module
from .diff.program import output_rank
from .diff.pytrees import of_value, others_of
from .diff.ranks import of_value as rank_of
from .parse.source import signature_of


class JacobianFunction:
    """`jacfwd(f)` / `jacrev(f)`: callable, inspectable (`s2s.source`), compilable (`jit`),
    composable."""

    __s2s_build_by_function__ = True  # transforming it reads only its generated function

    def __init__(self, fn, argnums, has_aux, who, mode="rev", holomorphic=False):
        self._fn, self._has_aux, self._who, self._mode = fn, has_aux, who, mode
        self._typed = tests_isinstance(fn)  # its code is made per argument types too
        self._holomorphic = holomorphic  # complex in and out: the complex derivatives
        # The generated function's name: f_jacfwd, f_jacrev, f_hessian (not f_jacrev_jacfwd).
        self._suffix = {"fwd": "jacfwd", "rev": "jacrev", "hessian": "hessian"}[mode]
        sig = signature_of(fn)
        positional = [p for p in sig.parameters.values() if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        self._single, self._argnums = _argnums_tuple(argnums, len(positional), who)
        self.__signature__ = sig
        self.__name__ = f"{who}_{getattr(fn, '__name__', 'f')}"
        self.__qualname__ = self.__name__
        self._built = {}

    def _build(self, structs=None, ranks=(), nones=(), others=()):
        """The generated module for differentiated arguments of `structs` (pytrees; None
        for arrays and scalars) and arguments of `ranks` (numbers of dimensions); `nones`:
        the parameters given None (their tests decided); `others`: the other arguments'
        structures (pytrees.others_of)."""
        structs = tuple(structs or (None,) * len(self._argnums))
        key = (structs, tuple(ranks), tuple(nones), tuple(others))
        if key not in self._built:
            fn, build = self._fn, build_jacfwd_module if self._mode != "rev" else build_jacrev_module
            options = {}
            if self._mode == "hessian":
                fn, of_grad = self._inner(structs, key[1], key[2], key[3])
                options = {"of_grad": of_grad}
            elif self._mode == "rev" and self._holomorphic:
                options = {"holomorphic": True}
            module, name = build(fn, self._argnums, self._single, self._has_aux, key[1], structs, suffix=self._suffix,
                                 nones=key[2], others=key[3], **options)
            self._built[key] = (module, module.load("python").__dict__[name])
        return self._built[key]

    def _key(self, args, kwargs=None):
        return (tuple(of_value(args[i]) for i in self._argnums), tuple(rank_of(a) for a in args),
                none_parameters(self.__signature__, self._argnums, args, kwargs or {}, self._typed),
                others_of([of_value(a) for a in args], self._argnums))

    def _inner(self, structs, ranks, nones=(), others=()):
        """hessian = jacfwd of the first derivative, specialized for these arguments:
        `grad(f)` when f's output is known to be a scalar (rank inference on its code), else
        `jacrev(f)` (which also runs f once per call for its output's shape). Returns (the
        first derivative, whether it is grad)."""
        from .autodiff import GradFunction

        argnums = self._argnums[0] if self._single else self._argnums
        if output_rank(self._fn, ranks) == 0:
            inner = GradFunction(self._fn, argnums, self._has_aux, False, value=False, holomorphic=self._holomorphic)
            return inner._build(structs, ranks, nones, others)[2], True
        jacrev = JacobianFunction(self._fn, argnums, self._has_aux, "hessian", mode="rev", holomorphic=self._holomorphic)
        return jacrev._build(structs, ranks, nones, others)[1], False

    @property
    def __s2s_function__(self):
        return self._build()[1]

    @property
    def __s2s_signature_of__(self):  # (jit of one made per call: the user function's signature)
        return self._fn

    def __s2s_structured__(self, structs):
        """The generated function for positional arguments of `structs` (see GradFunction)."""
        return self._build(tuple(structs[i] if i < len(structs) else None for i in self._argnums),
                           others=others_of(structs, self._argnums))[1]

    def __s2s_specialize__(self, args, kwargs=None, backend=None):
        self._check_inputs(args, present=True)  # jit passes every argument here first
        key = self._key(args, kwargs)
        return key, self._build(*key)[1]

    def generated(self):
        return self._build()[0]

    def source(self, *args):
        """The generated source; given arguments, the version made for them."""
        return self._build(*self._key(args))[0].source if args else self._build()[0].source

    def __call__(self, *args):
        self._check_inputs(args)
        return self._build(*self._key(args))[1](*args)

    def _check_inputs(self, args, present=False):
        """The TypeErrors JAX raises for arguments it cannot differentiate (`present`: only
        check the differentiated arguments the call has; numba reports a missing one)."""
        for i in self._argnums:
            if present and i >= len(args):
                continue
            if i >= len(args):
                raise TypeError(f"{self._who}: argnums={self._argnums} refers to positional argument {i}, but only "
                                f"{len(args)} positional arguments were passed")
            _check_input(args[i], i, False, self._who, self._holomorphic)
            # (jacrev of a real function of complex input is grad's convention, as JAX's)
            if not self._holomorphic and (self._mode != "rev" or self._who == "hessian") and any(np.iscomplexobj(leaf) for leaf in
                                                                        _tree_leaves(args[i])):
                raise TypeError(f"{self._who} requires real-valued inputs (input dtype that is a sub-dtype of "
                                f"np.floating), but got a complex argument {i}.")

    def __repr__(self):
        return f"<s2s.{self._who} of {getattr(self._fn, '__qualname__', self._fn)}>"


JacrevFunction = JacobianFunction  # the name earlier code used


def jacfwd(fun, argnums=0, has_aux=False, holomorphic=False):
    """The Jacobian of `fun` w.r.t. the positional `argnums`, by forward mode (one JVP per
    input element): shape `out.shape + in.shape`; a tuple of those for tuple `argnums`;
    the output's structure (tuple/list/dict) of those for a function returning a pytree."""
    if not callable(fun):
        raise TypeError(f"jacfwd expects a callable, got {type(fun).__name__}")
    return JacobianFunction(fun, argnums, has_aux, "jacfwd", mode="fwd", holomorphic=holomorphic)


def jacrev(fun, argnums=0, has_aux=False, holomorphic=False):
    """The Jacobian of `fun` w.r.t. the positional `argnums`, by reverse mode (one VJP per
    output element): shape `out.shape + in.shape`; a tuple of those for tuple `argnums`."""
    if not callable(fun):
        raise TypeError(f"jacrev expects a callable, got {type(fun).__name__}")
    return JacobianFunction(fun, argnums, has_aux, "jacrev", holomorphic=holomorphic)


def jacobian(fun, argnums=0, has_aux=False, holomorphic=False):
    """`jacrev` (JAX's `jacobian` is its alias)."""
    if not callable(fun):
        raise TypeError(f"jacobian expects a callable, got {type(fun).__name__}")
    return JacobianFunction(fun, argnums, has_aux, "jacobian", holomorphic=holomorphic)


def hessian(fun, argnums=0, has_aux=False, holomorphic=False):
    """The Hessian of `fun` w.r.t. the positional `argnums`: `jacfwd(jacrev(fun))`, shape
    `out.shape + in.shape + in.shape`; for tuple `argnums` the blocks `H[i][j]` (d/dx_i
    d/dx_j). With `has_aux`, `(hessian, aux)`."""
    if not callable(fun):
        raise TypeError(f"hessian expects a callable, got {type(fun).__name__}")
    return JacobianFunction(fun, argnums, has_aux, "hessian", mode="hessian", holomorphic=holomorphic)


__all__ = ["jacfwd", "jacrev", "jacobian", "hessian"]
