"""What the passes share: the program being built and the function being rewritten.

A `Program` is one generated module: the entry function, every user helper it calls
(transformed too, named once, shared when called twice), and the constants the code reads
(globals, closure cells, static arguments) under module-level names. A `FunctionContext`
is one function of that program: its tree, the user's file and lines, a `Namer` for fresh
locals, and `error()` which builds an error pointing at the user's line.
"""
import math
import types

import gast
import numpy

from ..errors import UnsupportedSyntaxError
from ..naming import MATH_ALIAS, NUMPY_ALIAS, Namer
from .base import walk


class Guard:
    """Something captured at transform time whose change means 'transform again'.

    kind is 'global' (dict lookup), 'cell' (closure cell), 'attr' (attribute of a module or
    object), 'code' (a function's `__code__`, i.e. its source).
    """

    __slots__ = ("kind", "holder", "key", "value")

    def __init__(self, kind, holder, key, value):
        self.kind, self.holder, self.key, self.value = kind, holder, key, value

    _MISSING = object()

    def current(self):
        try:
            if self.kind == "global":
                return self.holder.get(self.key, self._MISSING)
            if self.kind == "cell":
                return self.holder.cell_contents
            if self.kind == "attr":
                return getattr(self.holder, self.key, self._MISSING)
            return self.holder.__code__
        except ValueError:  # empty closure cell
            return self._MISSING

    def holds(self):
        cur = self.current()
        if cur is self.value:
            return True
        # Equal immutable scalars rebuilt by the user's code are not a change.
        simple = (int, float, complex, bool, str, bytes, type(None))
        return type(cur) is type(self.value) and isinstance(cur, simple) and cur == self.value


def guards_hold(guards):
    for g in guards:
        if not g.holds():
            return False
    return True


def guard_checker(guards):
    """A fast `() -> bool` for "every guard still holds": identity checks first.

    Called on every call of a jitted function, so the common case (nothing changed) is a
    tight loop of `is` tests; only a failed identity test pays for the full comparison.
    """
    unique = {}
    for g in guards:
        unique.setdefault((g.kind, id(g.holder), g.key), g)
    guards = list(unique.values())
    globs = tuple((g.holder, g.key, g.value) for g in guards if g.kind == "global")
    codes = tuple((g.holder, g.value) for g in guards if g.kind == "code")
    rest = tuple(g for g in guards if g.kind not in ("global", "code"))
    missing = Guard._MISSING
    if not guards:
        return lambda: True

    def check():
        for d, k, v in globs:
            if d.get(k, missing) is not v:
                return guards_hold(guards)
        for fn, code in codes:
            if fn.__code__ is not code:
                return False
        for g in rest:
            if g.current() is not g.value:
                return guards_hold(guards)
        return True

    return check


class Program:
    """The module being generated: functions, constants and their module-level names."""

    def __init__(self):
        self.namer = Namer(reserved={NUMPY_ALIAS, MATH_ALIAS, "__name__", "__file__"})
        self.functions = []  # FunctionContext, entry first, in discovery order
        self.pending = []  # FunctionContext waiting for the pipeline
        self.constants = {}  # module-level name -> value
        self.guards = []
        self._by_identity = {}  # (kind, id(obj), id(bound)) -> name
        self._alive = []  # keep captured objects alive so their ids stay unique
        # functions whose calls were all made for the functions passed to them (resolve's
        # `_specialize_on_functions`): dropped at the end if nothing calls them any more
        self.superseded = set()

    @property
    def entry(self):
        return self.functions[0]

    def _fresh(self, hint, avoid):
        name = self.namer.fresh(hint, keep_leading_underscore=True)
        while name in avoid:
            name = self.namer.fresh(hint, keep_leading_underscore=True)
        return name

    def constant(self, value, hint, avoid=()):
        """Module-level name bound to `value` (the same object always gets the same name)."""
        key = ("const", id(value), None)
        name = self._by_identity.get(key)
        if name is None or name in avoid:
            name = self._fresh(hint, avoid)
            self._by_identity[key] = name
            self.constants[name] = value
            self._alive.append(value)
        return name

    def function(self, src, hint, avoid=(), static=None, make_context=None, custom=None, identity=None):
        """Module-level name of the transformed `src.fn`; queues it the first time.
        `custom`: a custom_jvp/custom_vjp object whose primal `src` is (its context keeps it,
        distinct from plain calls of the same function)."""
        bound = src.bound_self if src.has_bound_self else None
        if src.bound_args:  # functools.partial: its arguments are constants, like static ones
            static = {**src.bound_args, **(static or {})}
        # Identities, not values: a bound `self` need not be hashable.
        # `identity`: a function made inside another (parse/function_args.py), whose `fn` is that other's
        key = ("fn", id(src.fn), id(bound), tuple(sorted((k, id(v)) for k, v in (static or {}).items())), id(custom),
               id(identity))
        name = self._by_identity.get(key)
        if name is None:
            name = self._fresh(hint, avoid)
            self._by_identity[key] = name
            self._alive.append((src.fn, bound, static, identity))
            ctx = make_context(self, src, name, static or {})
            ctx.custom = custom
            self._alive.append(custom)
            self.functions.append(ctx)
            self.pending.append(ctx)
            self.guards.append(Guard("code", src.fn, None, src.fn.__code__))
        return name


class FunctionContext:
    """One function of the program, as the passes see it."""

    custom = None  # a custom_jvp/custom_vjp object (its rule functions: `custom_names`)
    transform = None  # the s2s transformation (grad(f), ...) this function was generated by
    custom_names = None
    literal_static = frozenset()  # static parameters written as literals where read (axes: resolve)
    vararg_length = None  # how many values its `*args` holds, where the caller said (f(*args) inside)
    unexpanded_varargs = None  # an f(*args) call made before that number was known (a dropped version)
    kwarg_keys = None  # the keys its `**kw` holds, where the caller said (f(**kw) inside)
    known_none = frozenset()  # parameters None in every call it is made for (grad's, per call: fold),
    # and (parameter, type) pairs: the type of its argument in every such call (isinstance tests: fold)

    def __init__(self, program, src, name, static):
        self.program = program
        self.src = src
        self.name = name
        self.static = dict(static)  # parameter name -> value, baked in as constants
        self.tree = src.node
        self.tree.name = name
        if src.has_bound_self:
            # A bound method: `self` is captured like a closure value, not passed.
            first = (self.tree.args.posonlyargs + self.tree.args.args)[0].id
            self.static = {first: src.bound_self, **self.static}
        _drop_parameters(self.tree.args, set(self.static))
        # Keyword-only parameters become ordinary ones: numba applies no keyword-only
        # defaults, and every call s2s generates passes all arguments anyway.
        args = self.tree.args
        # `*xs` / `**kw` become ordinary parameters too: the calls pass a tuple and a dict
        # (resolve.py packs them), so the function is differentiated like any pytree one.
        self.packed = args.vararg is not None or args.kwarg is not None
        self.vararg_name = args.vararg.id if args.vararg is not None else None
        self.kwarg_name = args.kwarg.id if args.kwarg is not None else None
        if self.packed:
            args.args = args.args + [a for a in (args.vararg,) if a is not None]
            # (a **kw with nothing to pass on is a static {}: parse/function_args.py)
            args.kwonlyargs = args.kwonlyargs + [a for a in (args.kwarg,) if a is not None and a.id not in self.static]
            args.vararg = args.kwarg = None
            args.defaults, args.kw_defaults = [], []  # every call passes every argument
        args.args = args.args + args.kwonlyargs
        args.kwonlyargs, args.kw_defaults = [], []
        self.filename = src.filename
        names = {n.id for n in walk(self.tree) if isinstance(n, gast.Name)}
        args = self.tree.args
        for a in args.posonlyargs + args.args + args.kwonlyargs + [args.vararg, args.kwarg]:
            if a is not None:
                names.add(a.id)
        bound = {n.id for n in walk(self.tree) if isinstance(n, gast.Name) and not isinstance(n.ctx, gast.Load)}
        self.namer = Namer(reserved=names, parent=program.namer, local=bound)

    # -- errors -----------------------------------------------------------------------
    def line(self, lineno):
        return self.src.line(lineno)

    def error(self, node, message, construct):
        lineno = getattr(node, "lineno", None) or self.tree.lineno
        col = getattr(node, "col_offset", None)
        return UnsupportedSyntaxError(
            message,
            construct=construct,
            filename=self.filename,
            lineno=lineno,
            offset=None if col is None else col + 1,
            text=self.line(lineno),
        )

    def where(self, node):
        lineno = getattr(node, "lineno", None) or self.tree.lineno
        return f"{self.filename}, line {lineno}"


def _drop_parameters(args, names):
    """Remove parameters (and their defaults) named in `names` from a gast `arguments`."""
    if not names:
        return
    positional = args.posonlyargs + args.args
    defaults = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    keep = [(a, d) for a, d in zip(positional, defaults) if a.id not in names]
    n_only = len([a for a in args.posonlyargs if a.id not in names])
    args.posonlyargs = [a for a, _ in keep[:n_only]]
    args.args = [a for a, _ in keep[n_only:]]
    # Defaults stay a suffix: dropping entries keeps "no default, then defaults" order.
    args.defaults = [d for _, d in keep if d is not None]
    kw = [(a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults) if a.id not in names]
    args.kwonlyargs = [a for a, _ in kw]
    args.kw_defaults = [d for _, d in kw]


def is_numpy_module(value):
    return isinstance(value, types.ModuleType) and (
        value is numpy or value.__name__ == "s2s.numpy"
    )


def is_math_module(value):
    return value is math
