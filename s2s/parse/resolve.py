"""Name resolution: what every free name of a function refers to, rewritten canonically.

>>> from s2s.parse.debug import show
>>> print(show('''
... from numpy import exp
... import numpy as anything
... SCALE = 2.0
... def helper(v):
...     return v + 1.0
... def f(x):
...     return helper(exp(x)) * SCALE + anything.sin(x) + math.pi
... ''', upto="resolve"))
import numpy as _np
import math as _math
SCALE = 2.0
<BLANKLINE>
def f(x):
    return helper(_np.exp(x)) * SCALE + _np.sin(x) + _math.pi
<BLANKLINE>
def helper(v):
    return v + 1.0

NumPy under any alias (`np`, `numpy`, `jnp` from `s2s.numpy`, `from numpy import exp`)
becomes `_np.<canonical path>`; `math` becomes `_math`. A user function becomes a call to
its transformed twin in the same module (transformed recursively, named once). Globals,
closure cells and static arguments become module-level constants; builtins stay as they
are. Attribute chains on plain modules and objects (`cfg.N`, `self.w`) are read now, at
transform time, like any other captured constant; a change to what was read is detected
by a guard and triggers a new transformation.
"""
import builtins
import functools
import inspect
import math
import sys
import types

import gast

import numpy

from ..literals import literal
from ..errors import SourceUnavailableError
from ..naming import MATH_ALIAS, NUMPY_ALIAS
from .base import (
    attribute_path,
    clone,
    dotted,
    fix_missing_locations,
    function_locals,
    FunctionPass,
    load,
    located,
    walk,
)
from .context import Guard, is_math_module, is_numpy_module
from .macros import Macros
from .function_args import Closure, FunctionArguments, Shared as _Shared, function_like as _function_like
from .local_aliases import inline_function_aliases, inline_vjp_pullbacks, unroll_function_sequences
from .transform_calls import TransformCalls, _is_transform, _jvp
from .stand_ins import math_stand_in, numpy_stand_in, stand_in, stand_in_function

_LIBRARY_ROOTS = frozenset(
    {"numpy", "scipy", "numba", "llvmlite", "math", "cmath", "builtins", "functools", "jax", "torch", "s2s"}
)

_SPACES = (
    (NUMPY_ALIAS, numpy),
    (NUMPY_ALIAS + ".linalg", numpy.linalg),
    (NUMPY_ALIAS + ".fft", numpy.fft),
    (NUMPY_ALIAS + ".random", numpy.random),
    (MATH_ALIAS, math),
)


def canonical_path(value):
    """'_np.exp' for numpy.exp, '_np.linalg.norm' for its norm, '_math.sin' for math.sin.

    Found by the object's own `__name__` (ufuncs, functions and dtypes all have one), so
    `from numpy import abs as myabs` resolves to `_np.absolute`; None if not NumPy's/math's.
    """
    name = getattr(value, "__name__", None)
    if not isinstance(name, str) or isinstance(value, types.ModuleType):
        return None
    for prefix, mod in _SPACES:
        if getattr(mod, name, None) is value:
            return f"{prefix}.{name}"
    return None


def _scipy_rules_for(value):
    """Register scipy.special's rules when transformed code uses a scipy object (they are not
    loaded with s2s: importing scipy takes a while)."""
    module = getattr(value, "__module__", None) or ""
    special = sys.modules.get("scipy.special")
    if module.startswith("scipy") or special is not None and getattr(special, getattr(value, "__name__", "") or "",
                                                                     None) is value:
        from ..diff.rules import load_scipy_rules

        load_scipy_rules()


def is_user_function(value):
    if hasattr(value, "__s2s_function__"):
        return True
    if isinstance(value, functools.partial):
        return is_user_function(value.func)
    if isinstance(value, (staticmethod, classmethod)):
        value = value.__func__
    if isinstance(value, types.MethodType):
        value = value.__func__
    if not isinstance(value, types.FunctionType):
        return False
    root = (getattr(value, "__module__", None) or "").split(".")[0]
    return root not in _LIBRARY_ROOTS


def _is_namespace(value):
    """Modules and plain objects whose attributes are read at transform time."""
    if isinstance(value, types.ModuleType):
        return not (is_numpy_module(value) or is_math_module(value))
    if isinstance(value, type):
        # A user's class (e.g. `cls` in a classmethod): its attributes are constants too.
        root = (getattr(value, "__module__", None) or "builtins").split(".")[0]
        return root not in _LIBRARY_ROOTS
    if isinstance(value, (numpy.ndarray, numpy.generic, int, float, complex, str, bytes, tuple, list, dict, set)):
        return False
    if callable(value) or value is None:
        return False
    return hasattr(value, "__dict__") or hasattr(type(value), "__slots__")


_MISSING = object()


def _plain(value):
    if type(value) is tuple:
        return all(_plain(v) for v in value)
    return type(value) in (int, float, bool, str, type(None))


class ResolveNames(Macros, FunctionArguments, TransformCalls, FunctionPass):
    name = "resolve"
    description = "rewrite free names: NumPy/math to private aliases, helpers to their twins, captured values to constants"

    def __init__(self, ctx):
        super().__init__(ctx)
        fn = ctx.src.fn
        self.fn = fn
        self.cells = dict(zip(fn.__code__.co_freevars, fn.__closure__ or ()))
        self.globals = fn.__globals__
        b = self.globals.get("__builtins__", builtins)
        self.builtins = b if isinstance(b, dict) else vars(b)
        self.scopes = []
        self.resolved = {}  # free name -> replacement path/name (for one canonical reference)

    # -- scopes -------------------------------------------------------------------------
    def run(self):
        tree = self.ctx.tree
        self._snapshot_closures(tree)
        self.scopes = [function_locals(tree)]
        inline_function_aliases(tree, self._function_value)  # `df = s2s.grad(f)` ... `df(x)`
        self.scopes = [function_locals(tree)]
        inline_vjp_pullbacks(tree, self._is_vjp)  # `y, pull = s2s.vjp(f, x)` ... `pull(v)`
        self.scopes = [function_locals(tree)]
        unroll_function_sequences(tree, self._sequence_length)  # `[f(x) for f in funs]`
        self._snapshot_closures(tree)  # again: the lambdas those steps copied to where they are called
        self.scopes = [function_locals(tree)]
        # Static parameters: bound as constants; if the body also assigns them, they stay
        # locals initialised from the constant.
        prologue = []
        for pname in self.ctx.static:
            if pname in self.scopes[0] and self._stored(tree, pname):
                const = self._resolve_value(pname, self.ctx.static[pname], tree, guard=None)
                prologue.append(located(gast.Assign(targets=[gast.Name(pname, gast.Store(), None, None)], value=const, type_comment=None), tree.body[0]))
            else:
                self.scopes[0].discard(pname)
        self._defaults(tree)
        self._add_closure_parameters(tree)
        tree.body = [self.visit(s) for s in tree.body]
        tree.body = prologue + tree.body
        if self._closure_made:
            self._drop_passed_closures(tree)
        fix_missing_locations(tree)
        return tree

    def _defaults(self, tree):
        """Defaults were evaluated once, when `def` ran: use those values, not the text.

        Keyword-only parameters arrive here as ordinary ones (see FunctionContext); when
        the parameters with defaults no longer form a suffix, no default is kept: every
        call s2s generates passes every argument (`visit_Call`), and `jit` binds its own.
        """
        fn = self.fn
        code = fn.__code__
        positional = code.co_varnames[: code.co_argcount]
        given = dict(zip(positional[len(positional) - len(fn.__defaults__ or ()) :], fn.__defaults__ or ()))
        given.update(fn.__kwdefaults__ or {})
        params = tree.args.posonlyargs + tree.args.args
        n = 0
        while n < len(params) and params[len(params) - 1 - n].id in given:
            n += 1
        if any(p.id in given for p in params[: len(params) - n]):
            n = 0
        with_default = params[len(params) - n :]
        tree.args.defaults = [self._value_node(a.id, given[a.id], tree) for a in with_default]

    def _value_node(self, param, value, like):
        """A default value: inline when it is a plain Python literal, else a constant."""
        text = literal(value)
        if text is not None and _plain(value):
            node = gast.parse(text).body[0].value
            for n in walk(node):
                located(n, like)
            return node
        return self._resolve_value(f"{param}_default", value, like, None)

    @staticmethod
    def _stored(tree, pname):
        return any(
            isinstance(n, gast.Name) and n.id == pname and isinstance(n.ctx, gast.Store) for n in walk(tree)
        )

    def _is_local(self, name):
        return any(name in s for s in self.scopes)

    def visit_FunctionDef(self, node):
        # Defaults are evaluated in the enclosing scope; the body is a new scope.
        node.args.defaults = [self.visit(d) for d in node.args.defaults]
        node.args.kw_defaults = [self.visit(d) if d is not None else None for d in node.args.kw_defaults]
        inline_function_aliases(node, self._function_value)  # `df = s2s.grad(f)` ... `df(x)`
        self.scopes.append(function_locals(node))
        node.body = [self.visit(s) for s in node.body]
        self.scopes.pop()
        return node

    def visit_Lambda(self, node):
        args = node.args
        names = {a.id for a in args.posonlyargs + args.args + args.kwonlyargs + [args.vararg, args.kwarg] if a is not None}
        self.scopes.append(names)
        node.body = self.visit(node.body)
        self.scopes.pop()
        return node

    # -- lookups ------------------------------------------------------------------------
    def _lookup(self, name, node):
        """(value, guard) for a free name, following Python's closure/global/builtin order."""
        if name in self.ctx.static:
            return self.ctx.static[name], None
        if name in self.cells:
            cell = self.cells[name]
            try:
                value = cell.cell_contents
            except ValueError:
                raise NameError(
                    f"free variable {name!r} is referenced before assignment in the enclosing "
                    f"function ({self.ctx.where(node)})"
                ) from None
            return value, Guard("cell", cell, None, value)
        if name in self.globals:
            value = self.globals[name]
            return value, Guard("global", self.globals, name, value)
        if name in self.builtins:
            return self.builtins[name], None
        raise NameError(f"name {name!r} is not defined ({self.ctx.where(node)})")

    def _resolve_value(self, hint, value, node, guard):
        """The expression that stands for `value` in generated code; a function's carries
        the function (`s2s_value`), for calls that pass it to a user function."""
        if isinstance(value, Closure):
            return self._closure_reference(hint, value, node)
        ref = self._resolve_value_node(hint, value, node, guard)
        if _function_like(value):
            ref.s2s_value = _Shared(value)
        return ref

    def _resolve_value_node(self, hint, value, node, guard):
        program = self.ctx.program
        if isinstance(value, types.BuiltinFunctionType) and self.builtins.get(value.__name__, _MISSING) is value \
                and not self._is_local(value.__name__):
            return located(load(value.__name__), node)  # a static parameter bound to `abs`, `max`...
        if guard is not None:
            program.guards.append(guard)
        avoid = self.scopes[0] if self.scopes else ()
        if is_numpy_module(value):
            return located(load(NUMPY_ALIAS), node)
        if is_math_module(value):
            return located(load(MATH_ALIAS), node)
        if isinstance(value, types.ModuleType) and value.__name__.startswith("numpy."):
            return dotted(NUMPY_ALIAS + value.__name__[len("numpy"):], node)
        path = canonical_path(value)
        if path is not None:
            return dotted(path, node)
        _scipy_rules_for(value)
        if isinstance(value, types.MethodType):  # `lp = scipy.stats.norm.logpdf` then `lp(x)`
            value = stand_in(value.__self__, value.__name__) or value
        elif callable(value):  # scipy.linalg.solve_triangular & co.
            value = stand_in_function(value) or value
        if _is_transform(value):
            ref = located(load(program.constant(value, hint, avoid=avoid)), node)
            ref.s2s_transform = _Shared(value)
            return ref
        if getattr(value, "__s2s_custom__", None) is not None:
            return self._custom_function(hint, value, node, avoid)
        if isinstance(value, numpy.vectorize):  # `vf = np.vectorize(f)` outside: vf(x) is rewritten by visit_Call
            ref = located(load(program.constant(value, hint, avoid=avoid)), node)
            ref.s2s_vectorize = _Shared(value)
            return ref
        if getattr(value, "__s2s_macro__", None) is not None:  # lax.switch: rewritten by visit_Call
            ref = located(load(program.constant(value, hint, avoid=avoid)), node)
            ref.s2s_macro = _Shared(value)
            return ref
        if getattr(value, "__s2s_by_arity__", None) is not None:  # visit_Call picks the version to call
            ref = located(load(program.constant(value, hint, avoid=avoid)), node)
            ref.s2s_callee = _Shared(value)
            return ref
        if is_user_function(value):
            from .source import get_source  # local: source imports nothing from here

            try:
                src = get_source(value)
            except SourceUnavailableError as exc:
                raise SourceUnavailableError(f"{exc} (it is called at {self.ctx.where(node)})") from None
            fname = program.function(
                src,
                hint=getattr(src.fn, "__name__", hint),
                avoid=avoid,
                make_context=self.ctx.__class__,
            )
            ref = located(load(fname), node)
            ref.s2s_callee = _Shared(value)
            return ref
        return located(load(program.constant(value, hint, avoid=avoid)), node)

    def _custom_function(self, hint, value, node, avoid, static=None):
        """A custom_jvp/custom_vjp function: its primal body is transformed as usual, and its
        rule functions (jvp, or fwd and bwd) join the program, named on its context. With
        `nondiff_argnums`, the call site decides (`_custom_nondiff_call`): `static` binds
        those arguments' values to the parameters of the function and of its rules."""
        from .source import get_source

        program = self.ctx.program
        rules = value.rules()
        if value.nondiff_argnums and static is None:
            ref = located(load(program.constant(value, hint, avoid=avoid)), node)
            ref.s2s_custom_nondiff = _Shared(value)
            return ref
        static = static or {}
        fname = program.function(get_source(value.fun), hint=getattr(value.fun, "__name__", hint), avoid=avoid,
                                 static=static.get("fun"), make_context=self.ctx.__class__, custom=value)
        ctx = next(c for c in program.functions if c.name == fname)
        if ctx.custom_names is None:
            ctx.custom_names = {
                role: program.function(get_source(fn), hint=f"{fname}_{role}", avoid=avoid, static=static.get(role),
                                       make_context=self.ctx.__class__)
                for role, fn in rules.items()
            }
        ref = located(load(fname), node)
        ref.s2s_callee = _Shared(value.fun)
        return ref

    def _custom_nondiff_call(self, value, node):
        """`f(g, x)` for a custom function with nondiff_argnums=(0,): `f_g(x)`, f and its rules
        specialized for the value of `g` (JAX passes it to the rules as a Python value)."""
        try:
            bound = inspect.signature(value.fun).bind(*node.args, **{k.arg: k.value for k in node.keywords})
        except TypeError as exc:
            raise TypeError(f"{exc} (in the call at {self.ctx.where(node)})") from None
        bound.apply_defaults()
        args = list(bound.arguments.values())
        values = [self._static_value(args[i], value, i, node) for i in value.nondiff_argnums]
        ref = self._custom_function(getattr(value.fun, "__name__", "f"), value, node.func, self.scopes[0],
                                    static=value.static_parameters(values))
        rest = [a if isinstance(a, gast.AST) else self._value_node("arg", a, node)
                for i, a in enumerate(args) if i not in value.nondiff_argnums]
        return located(gast.Call(func=ref, args=rest, keywords=[]), node)

    def _static_value(self, e, value, i, call):
        """The Python value of the resolved argument `e`, known now (or an error)."""
        program = self.ctx.program
        if not isinstance(e, gast.AST):  # a default
            return e
        if getattr(e, "s2s_callee", None) is not None:
            return e.s2s_callee.value
        if isinstance(e, gast.Constant):
            return e.value
        if isinstance(e, gast.UnaryOp) and isinstance(e.op, gast.USub) and isinstance(e.operand, gast.Constant):
            return -e.operand.value
        if isinstance(e, gast.Tuple):
            return tuple(self._static_value(x, value, i, call) for x in e.elts)
        if isinstance(e, gast.Name) and e.id in program.constants and not self._is_local(e.id):
            return program.constants[e.id]
        path = attribute_path(e)
        for prefix, module in _SPACES:
            if path and path.startswith(prefix + ".") and path.count(".") == prefix.count(".") + 1:
                return getattr(module, path.rsplit(".", 1)[1])
        if getattr(self.fn, "__s2s_trampoline__", None) is value:  # grad(f) itself: f's parameter
            raise TypeError(
                f"argument {i} of {value.__name__} is in its nondiff_argnums: s2s specializes {value.__name__} for "
                "its value, which must be known when the code is transformed; transform a function that calls "
                f"{value.__name__} with it fixed (`s2s.grad(lambda x: {value.__name__}(g, x))`), or pass it as "
                "a static argument of jit")
        raise self.ctx.error(
            call, f"argument {i} of {value.__name__} is in its nondiff_argnums, so its value must be known where "
            "s2s transforms the call: a literal, a function, or a global, closure or jit-static name",
            "nondiff_argnums")

    def visit_Call(self, node):
        """Calls of user functions pass every argument, by position, defaults filled in:
        the callee's signature is known now, so numba never has to bind keywords."""
        node = self.generic_visit(node)
        self._expand_varargs(node)
        self._expand_kwargs(node)
        macro = self._macro(node)
        if macro is not None:
            return macro
        return self._finish_call(node)

    def _finish_call(self, node):
        """A call whose function and arguments are resolved, made what transformed code calls."""
        if getattr(node.func, "s2s_closure", None) is not None:
            return self._closure_call(node)
        pending = getattr(node.func, "s2s_custom_nondiff", None)
        if pending is not None:
            return self._custom_nondiff_call(pending.value, node)
        if attribute_path(node.func) in _SEQUENCE_FUNCTIONS and node.args and isinstance(node.args[0], gast.List):
            # `np.concatenate([a, b])`: the same call with a tuple, which numba also compiles.
            node.args[0] = gast.copy_location(gast.Tuple(elts=node.args[0].elts, ctx=gast.Load()), node.args[0])
        special = getattr(node.func, "s2s_transform", None)
        if special is not None:
            if special.value is _jvp():
                return self._transform_call(special.value, node)
            return self._make_transform(special.value, node)
        callee = getattr(node.func, "s2s_callee", None)
        if callee is None:
            return node
        by_arity = getattr(callee.value, "__s2s_by_arity__", None)
        if by_arity is not None and not node.keywords and len(node.args) in by_arity:
            # a function of *args with fixed-arity versions (s2s.lax.cond): the one for this call
            variant = by_arity[len(node.args)]
            node.func = self._resolve_value(variant.__name__.lstrip("_"), variant, node.func, None)
            callee = node.func.s2s_callee
        env = getattr(node.func, "s2s_env", None)
        if env is not None:  # `grad(lambda p: loss(p, x))(w)`: the lambda's variables after w
            node.args = list(node.args) + [clone(e) for e in env.value]
        return self._specialize_on_functions(self._bind_user_call(node, callee.value), callee.value)

    def _bind_user_call(self, node, callee):
        """The call of a user function `callee` with every argument by position (also used by
        parse/partials.py for the calls a partial stands for)."""
        try:
            from .source import signature_of  # local: source imports nothing from here

            sig = signature_of(callee) if isinstance(callee, functools.partial) else inspect.signature(callee)
            bound = sig.bind(*node.args, **{k.arg: k.value for k in node.keywords})
        except TypeError as exc:
            raise TypeError(f"{exc} (in the call at {self.ctx.where(node)})") from None
        args = []
        for p in sig.parameters.values():
            if p.kind == p.VAR_POSITIONAL:  # `*xs`: the extra positional arguments, as a tuple
                args.append(located(gast.Tuple(elts=list(bound.arguments.get(p.name, ())), ctx=gast.Load()), node))
            elif p.kind == p.VAR_KEYWORD:  # `**kw`: the extra keywords, as a dict
                extra = bound.arguments.get(p.name, {})
                args.append(located(gast.Dict(keys=[located(gast.Constant(value=k, kind=None), node) for k in extra],
                                              values=list(extra.values())), node))
            elif p.name in bound.arguments:
                args.append(bound.arguments[p.name])
            else:
                args.append(self._value_node(p.name, p.default, node))
        node.args, node.keywords = args, []
        return node

    def visit_Name(self, node):
        if not isinstance(node.ctx, gast.Load) or self._is_local(node.id):
            return node
        value, guard = self._lookup(node.id, node)
        if guard is None and node.id not in self.ctx.static and self.builtins.get(node.id, _MISSING) is value:
            return node  # a builtin: range, len, abs, min, ...
        if node.id in self.ctx.static and (value is None or type(value) in (bool, int, str)) and (
                node.id in self.ctx.literal_static or type(value) is not str):
            # a literal, as numba wants axes (also jit's static flags and numbers: `keepdims=kd`
            # with kd static; a static string stays a constant of the module)
            return located(gast.Constant(value=value, kind=None), node)
        return self._resolve_value(node.id, value, node, guard)

    def visit_Attribute(self, node):
        chain = []
        root = node
        while isinstance(root, gast.Attribute):
            chain.append(root)
            root = root.value
        if not isinstance(root, gast.Name) or self._is_local(root.id) or not isinstance(root.ctx, gast.Load):
            return self.generic_visit(node)
        chain.reverse()  # innermost attribute first
        value, guard = self._lookup(root.id, root)
        if guard is not None:
            self.ctx.program.guards.append(guard)
        hint = [root.id]
        # Read attributes of plain modules/objects now; stop at the first value that is
        # not a namespace (an array, a number, a NumPy module, a function...).
        i = 0
        while i < len(chain) and (_is_namespace(value) or chain[i].attr == "__s2s_twin__"):  # (vjp's twin maker)
            attr = chain[i].attr
            nxt = getattr(value, attr, _MISSING)
            if nxt is _MISSING:
                raise AttributeError(f"{'.'.join(hint)} has no attribute {attr!r} ({self.ctx.where(node)})")
            self.ctx.program.guards.append(Guard("attr", value, attr, nxt))
            value = nxt
            hint.append(attr)
            i += 1
        if i == 0 and guard is None and self.builtins.get(root.id, _MISSING) is value:
            return node
        if is_numpy_module(value) and chain:
            sub = numpy_stand_in([c.attr for c in chain[:2]])
            if sub is not None:  # np.linalg.lstsq, np.multiply.outer -> s2s's NumPy source of it
                fn, n = sub
                base = self._resolve_value("_".join([root.id] + [c.attr for c in chain[:n]]), fn, chain[n - 1], None)
                for link in chain[n:]:
                    base = located(gast.Attribute(value=base, attr=link.attr, ctx=link.ctx), link)
                return base
        if is_math_module(value) and chain and chain[0].attr == "fsum" and not self._is_local("sum") \
                and self._lookup("sum", node) == (self.builtins.get("sum"), None):
            # math.fsum(seq) is sum(seq) for differentiation (lists built in place included)
            return located(gast.Name(id="sum", ctx=gast.Load(), annotation=None, type_comment=None), chain[0])
        if is_math_module(value) and chain and math_stand_in(chain[0].attr) is not None:  # (sum shadowed)
            return self._resolve_value(f"{root.id}_{chain[0].attr}", math_stand_in(chain[0].attr), chain[0], None)
        sub = stand_in(value, chain[i].attr) if i < len(chain) else None
        if sub is not None:  # scipy.stats.norm.logpdf -> s2s's NumPy source of it
            value, i = sub, i + 1
            hint.append(chain[i - 1].attr)
        base = self._resolve_value("_".join(hint), value, root if i == 0 else chain[i - 1], None)
        # Re-attach the attributes that are read at run time (x.shape, np.linalg.norm ...).
        for link in chain[i:]:
            base = located(gast.Attribute(value=base, attr=link.attr, ctx=link.ctx), link)
        return base


# NumPy functions taking a sequence of arrays first: a list literal there becomes a tuple.
_SEQUENCE_FUNCTIONS = frozenset(
    f"{NUMPY_ALIAS}.{n}" for n in ("concatenate", "stack", "hstack", "vstack", "dstack", "column_stack", "row_stack")
)
