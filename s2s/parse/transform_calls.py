"""Transformations called inside transformed code (a mixin of resolve.ResolveNames).

    def f(x):                                  def f(x):
        g = s2s.grad(loss)(x)          ->          g = loss_grad(x)
        y, t = s2s.jvp(h, (x,), (v,))              y_t = h_jvp(v, x)

`s2s.grad(loss, argnums=1)` and the other makers of derivative functions are called now
(their arguments are functions and constants) and the call refers to the generated
function; `s2s.jvp(f, primals, tangents)` becomes a call of f's JVP twin. A local bound
once to such a transformation (`df = s2s.grad(f)`) is read as the transformation itself
(local_aliases.py asks `_function_value`), and a loop over a global list of functions is
written out per function, `funs[1]` read as the function (`_sequence_length`, `visit_Subscript`).
"""
import gast

from .base import attribute_path, load, located
from .function_args import Closure, Shared as _Shared, function_like
from .macros import _literal_int

_MISSING = object()
_MAX_WRITTEN_OUT = 64  # functions in a sequence a loop over is written out for


class TransformCalls:
    """The transformation calls of ResolveNames (which gives _lookup, _resolve_value,
    _bind_user_call, _function_argument, _is_local)."""

    def _global_value(self, expr):
        """The value the dotted name `expr` (reading no local) has now, else _MISSING."""
        path = attribute_path(expr)
        if path is None or self._is_local(path.split(".")[0]):
            return _MISSING
        try:
            value = self._lookup(path.split(".")[0], expr)[0]
        except NameError:
            return _MISSING
        for attr in path.split(".")[1:]:
            value = getattr(value, attr, _MISSING)
        return value

    def _function_value(self, expr):
        """Whether `expr` (reading no local) is a transformation of a function or names a
        callable, known now."""
        value = self._global_value(expr.func if isinstance(expr, gast.Call) else expr)
        return _is_transform(value) if isinstance(expr, gast.Call) else callable(value) and not isinstance(value, type)

    def _is_vjp(self, expr):
        """Whether `expr` (reading no local) names s2s.vjp."""
        from .. import autodiff

        return self._global_value(expr) is autodiff.vjp

    def _sequence_length(self, name):
        """The length of the global (or closure) list/tuple of functions `name` names, else None."""
        if self._is_local(name.id):
            return None
        try:
            value = self._lookup(name.id, name)[0]
        except NameError:
            return None
        if isinstance(value, (list, tuple)) and 0 < len(value) <= _MAX_WRITTEN_OUT and all(
                function_like(v) for v in value):
            return len(value)
        return None

    def visit_Subscript(self, node):
        """`funs[1]` of a global list of functions (as `_Unroll` writes loops over one): the
        function itself."""
        v, k = node.value, _literal_int(node.slice)
        if isinstance(v, gast.Name) and isinstance(node.ctx, gast.Load) and k is not None \
                and self._sequence_length(v) is not None:
            value, guard = self._lookup(v.id, v)
            if -len(value) <= k < len(value):
                return self._resolve_value(f"{v.id}_{k % len(value)}", value[k], node, guard)
        return self.generic_visit(node)

    def _make_transform(self, factory, node):
        """`s2s.grad(f, argnums=1)` inside a transformed function: made now (its arguments
        are functions and constants), and the call refers to the generated function."""
        from ..api import jit
        from ..autodiff import checkpoint

        if (factory is jit and node.args) or (factory is checkpoint and len(node.args) == 1):
            # jit(f) inside transformed code is f (compiled with its caller, if at all); checkpoint(f) is f
            return self._function_itself(node.args[0], node)
        env = []

        def value(e):
            found = self._function_argument(e)
            if found is not None:  # also a lambda or nested def reading this function's variables
                env.extend(found[1])
                return found[0]
            if getattr(e, "s2s_callee", None) is not None:
                return e.s2s_callee.value
            if isinstance(e, gast.Constant):
                return e.value
            if isinstance(e, gast.Tuple) and all(isinstance(x, gast.Constant) for x in e.elts):
                return tuple(x.value for x in e.elts)
            if isinstance(e, gast.UnaryOp) and isinstance(e.op, gast.USub) and isinstance(e.operand, gast.Constant):
                return -e.operand.value
            raise self.ctx.error(e, f"the arguments of {factory.__name__} inside a transformed function must be "
                                 "functions and constants", factory.__name__)
        args, kwargs = [value(a) for a in node.args], {k.arg: value(k.value) for k in node.keywords}
        if env:  # the closure's variables are its last parameters: never batched
            self._unbatched_closure_variables(factory, args, kwargs, len(env))
        obj = factory(*args, **kwargs)
        ref = self._resolve_value(f"{factory.__name__}_{getattr(obj, '__name__', 'f')}", obj, node, None)
        if env:
            ref.s2s_env = _Shared(env)
        if getattr(obj, "__s2s_structured__", None) is not None and isinstance(ref, gast.Name):
            # Made for array arguments; differentiation respecializes it for pytree
            # arguments once their structures are known (diff/nested.py).
            for ctx in self.ctx.program.functions:
                if ctx.name == ref.id:
                    ctx.transform = obj
        return ref

    def _function_itself(self, e, node):
        """The function expression `e` as a callee: a lambda or nested def made a
        program-level function (its variables travelling with it), anything else as written."""
        if not isinstance(e, (gast.Lambda, gast.Name)) or isinstance(e, gast.Name) and not self._is_local(e.id):
            return e
        found = self._function_argument(e)
        if found is None:
            return e
        fn, env = found
        if isinstance(fn, Closure):  # called like a closure passed in: its variables after the arguments
            ref = located(load(fn.hint), node)
            ref.s2s_closure = _Shared((fn, list(fn.free)))
            return ref
        ref = self._resolve_value(getattr(fn, "__name__", "f"), fn, node, None)
        if env:
            ref.s2s_env = _Shared(env)
        return ref

    def _transform_call(self, transform, node):
        """`s2s.jvp(f, (x, y), (dx, dy))` inside a transformed function: a call of f's JVP
        twin, `f_jvp(dx, dy, x, y)`, which returns `(out, out_tangent)` as jvp does (so
        `jit` and `grad` see ordinary generated code)."""
        from ..forward import JvpTwin

        found = self._function_argument(node.args[0]) if node.args else None
        f, env = (_Shared(found[0]), found[1]) if found is not None else (None, [])
        ok = (len(node.args) == 3 and not node.keywords and f is not None
              and all(isinstance(a, (gast.Tuple, gast.List)) for a in node.args[1:])
              and len(node.args[1].elts) == len(node.args[2].elts) > 0)
        if not ok:
            raise self.ctx.error(
                node, "inside a transformed function, jvp is supported as jvp(f, (x, ...), (dx, ...)) with f a "
                "function and literal tuples of primals and tangents (no has_aux)", "jvp")
        primals, tangents = node.args[1].elts, node.args[2].elts
        twin = JvpTwin(f.value, argnums=tuple(range(len(primals))))
        ref = self._resolve_value(f"{getattr(f.value, '__name__', 'f')}_jvp", twin, node.args[0], None)
        call = located(gast.Call(func=ref, args=list(tangents) + list(primals) + env, keywords=[]), node)
        return self._bind_user_call(call, twin)


def _jvp():
    from .. import forward

    return forward.jvp


def _is_transform(value):
    """s2s transformations that can be called inside transformed code: `jvp`, and the
    makers of derivative functions (`grad(f)`, `jacfwd(f)`, ...) -- and `jit(f)`, whose
    function is transformed with the code calling it (it is compiled with it, if at all),
    and `checkpoint(f)` (f itself)."""
    from .. import api, autodiff, batching, jacobians

    makers = (_jvp(), autodiff.grad, autodiff.value_and_grad, jacobians.jacfwd, jacobians.jacrev,
              jacobians.jacobian, jacobians.hessian, batching.vmap, autodiff.VjpTwin, api.jit, autodiff.checkpoint)
    return any(value is m for m in makers)


