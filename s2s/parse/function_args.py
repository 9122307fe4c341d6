"""Functions passed to functions, made known where they are called (part of resolve).

A helper that takes a function -- an ODE step taking the dynamics, a fold taking its
operator -- is made for the function each call passes, as if that were a static argument:

    def apply(f, x):                      def apply_square(x):
        return f(x)                           return square(x)

    def loss(x):                          def loss(x):
        return apply(square, x)               return apply_square(x)

so the helper calls a known function and differentiation, batching and numba see ordinary
code. What counts as a function here: a module-level function, a NumPy/math function, a
builtin, operator.*, a partial, an s2s transformation of a function (`grad(f)`), a local name
bound once to one of those -- and a function made inside the caller, a nested `def` or a
lambda (`apply(lambda v: w * v, x)`). Such a closure is made a program-level function whose
parameters include the caller's variables it reads (lambda lifting), and those values travel
with it as extra arguments, through every helper it is passed on to:

    def loss(x, w):                       def loss(x, w):
        return apply(lambda v: w * v, x)      return apply_lambda(x, w)

                                          def apply_lambda(x, f_w):
                                              return loss_lambda(x, f_w)

                                          def loss_lambda(v, w):
                                              return w * v

A closure's variables are read when the helper is called: the helper cannot change them,
so this is the value the closure would have read.

Transformations of closures inside a transformed function work the same way (JAX's training
step: `g = s2s.grad(lambda p: loss(p, x, y))(w)` -> `g = step_lambda_grad(w, x, y)`): the
closure's variables are its last parameters, passed after the call's arguments, and never
batched by vmap (in_axes None) nor differentiated (argnums count the closure's own).
"""
import functools
import types

import gast
import numpy

from .base import clone, function_locals, load, located, names_read, walk

_MISSING = object()


class Shared:
    """A live object hung on a tree node: shared, not copied, when the tree is deep-copied
    (a function object drags its module and globals along)."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def __deepcopy__(self, memo):
        return self


def function_like(value):
    """A function that a call may pass to a user function."""
    from .resolve import canonical_path, is_user_function

    if isinstance(value, type):
        return False
    if callable(value) and canonical_path(value) is not None:  # np.sum: a dispatcher object in NumPy 2
        return True
    return isinstance(value, (types.FunctionType, types.BuiltinFunctionType, types.MethodType, numpy.ufunc,
                              functools.partial, Closure)) or is_user_function(value) \
        or getattr(value, "__s2s_custom__", None) is not None


class Closure:
    """A function defined inside a transformed function and passed to a helper: its tree
    (a `def`, parameters first, then the caller's variables it reads) and where it is from."""

    def __init__(self, src, node, free, hint, short):
        self.src, self.node, self.free, self.hint = src, node, tuple(free), hint
        self.__name__ = short  # names the helpers made for it: apply_lambda, rk4_dynamics

    def source(self):
        from .source import FunctionSource

        return FunctionSource(fn=self.src.fn, node=clone(self.node), filename=self.src.filename,
                              lines=self.src.lines)

    __s2s_source__ = source  # get_source(closure): `s2s.grad(lambda p: loss(p, x))` inside

    @property
    def __signature__(self):
        import inspect

        kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
        return inspect.Signature([inspect.Parameter(a.id, kind) for a in self.node.args.args])

    def __call__(self, *args, **kwargs):
        raise TypeError(f"{self.hint} was made inside a transformed function; it runs only in generated code")


_NOT = object()
# Parameters numba needs as literals: named so, or passed on as such a keyword's value. (The
# flags that decide a result's structure -- `eigvals_only`, `compute_uv`, ... -- too: the
# branch they select is folded before differentiation, the other one never typed.)
AXIS_LIKE = frozenset({"axis", "axes", "keepdims", "ord", "ddof", "axis1", "axis2", "order", "eigvals_only",
                       "compute_uv", "full_matrices", "lower", "return_sign", "edge_order", "ind"})


def _axis_like(callee):
    """The names of `callee`'s parameters that helpers are made for when the call passes a
    literal: axes and their kind (numba reduces along literal axes only). Others, such as a
    string `mode` tested in a branch, stay arguments: a branch that numba drops for a literal
    test would lose what the derivative code records there."""
    from .source import get_source

    try:
        node = get_source(callee).node
    except Exception:  # noqa: BLE001 -- no source: nothing to make
        return frozenset()
    params = {a.id for a in node.args.posonlyargs + node.args.args + node.args.kwonlyargs}
    used = {k.value.id for n in walk(node) if isinstance(n, gast.Call) for k in n.keywords
            if k.arg in AXIS_LIKE and isinstance(k.value, gast.Name)}
    return frozenset((params & AXIS_LIKE) | (params & used))


def _static_literal(node):
    """The value of an argument that helpers are made for, like a static argument: None, a
    bool, an int, a string, or a tuple of ints (axes, shapes); else _NOT. (Floats stay
    arguments: they are data, and one helper serves every value.)"""
    if isinstance(node, gast.Constant) and (node.value is None or type(node.value) in (bool, int, str)):
        return node.value
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub) and isinstance(node.operand, gast.Constant) \
            and type(node.operand.value) is int:
        return -node.operand.value
    if isinstance(node, gast.Tuple) and node.elts:
        values = [_static_literal(e) for e in node.elts]
        if all(type(v) is int for v in values):
            return tuple(values)
    return _NOT


def _passes_on_varargs(callee, name):
    """Whether `callee`'s body calls something with `*name` (its own *args passed on)."""
    from .source import get_source

    try:
        node = get_source(callee).node
    except Exception:  # noqa: BLE001
        return False
    return any(isinstance(n, gast.Starred) and isinstance(n.value, gast.Name) and n.value.id == name
               for n in walk(node))


def _passes_on_kwargs(callee, name):
    """How `callee`'s body uses its `**name`: "only" when it is read only to be passed on
    (`f(y, **name)`), "also" when it is passed on and read otherwise too, else None."""
    from .source import get_source

    try:
        node = get_source(callee).node
    except Exception:  # noqa: BLE001
        return None
    passed = sum(1 for n in walk(node) if isinstance(n, gast.keyword) and n.arg is None
                 and isinstance(n.value, gast.Name) and n.value.id == name)
    read = sum(1 for n in walk(node) if isinstance(n, gast.Name) and n.id == name and isinstance(n.ctx, gast.Load))
    return None if not passed else "only" if passed == read else "also"


def _lambda_as_def(lam, name):
    ret = located(gast.Return(value=lam.body), lam.body)
    fn = gast.FunctionDef(name=name, args=lam.args, body=[ret], decorator_list=[], returns=None, type_comment=None,
                          type_params=[])
    return located(fn, lam)


class FunctionArguments:
    """The part of ResolveNames that makes helpers for the functions passed to them."""

    def _snapshot_closures(self, tree):
        """Copies, before resolving, of the functions made inside `tree`: the top-level nested
        defs (by name, when bound once) and every lambda (by identity)."""
        self.function_names = {}  # local name bound once to a known function -> the function
        self._store_counts = {}
        self._closure_defs, self._closure_lambdas, self._closure_made = {}, {}, {}
        stored = {}
        for n in walk(tree):
            if isinstance(n, gast.Name) and not isinstance(n.ctx, gast.Load):
                stored[n.id] = stored.get(n.id, 0) + 1
            elif isinstance(n, gast.FunctionDef) and n is not tree:
                stored[n.name] = stored.get(n.name, 0) + 1
        for s in tree.body:
            if isinstance(s, gast.FunctionDef) and stored.get(s.name) == 1 and not s.decorator_list:
                self._closure_defs[s.name] = clone(s)
            elif isinstance(s, gast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], gast.Name) \
                    and isinstance(s.value, gast.Lambda) and stored.get(s.targets[0].id) == 1:
                self._closure_defs[s.targets[0].id] = _lambda_as_def(clone(s.value), s.targets[0].id)
        for n in walk(tree):
            if isinstance(n, gast.Lambda):
                self._closure_lambdas[id(n)] = (n, clone(n))
        self._closure_outer = function_locals(tree)
        self.closure_env = {}  # static parameter bound to a Closure -> the parameters carrying its variables

    def _add_closure_parameters(self, tree):
        """A helper made for a closure takes the closure's variables as extra parameters."""
        added = False
        for pname, value in self.ctx.static.items():
            if isinstance(value, Closure):
                names = [self.ctx.namer.fresh(f"{pname}_{v}") for v in value.free]
                tree.args.args = tree.args.args + [gast.Name(id=n, ctx=gast.Param(), annotation=None,
                                                             type_comment=None) for n in names]
                self.closure_env[pname] = names
                self.scopes[0].update(names)
                added = added or bool(names)
        if added:
            tree.args.defaults = []  # every call s2s makes passes every argument

    def visit_Assign(self, node):
        node = self.generic_visit(node)
        shared = getattr(node.value, "s2s_value", None)
        if shared is not None and len(node.targets) == 1 and isinstance(node.targets[0], gast.Name) \
                and len(self.scopes) == 1 and self._stores(node.targets[0].id) == 1:
            self.function_names[node.targets[0].id] = shared.value  # `g = s2s.grad(f)`, bound once
        return node

    def _stores(self, name):
        if name not in self._store_counts:
            self._store_counts[name] = sum(
                1 for n in walk(self.ctx.tree)
                if isinstance(n, gast.Name) and n.id == name and not isinstance(n.ctx, gast.Load))
        return self._store_counts[name]

    def _closure(self, key, node, hint, short):
        """The `Closure` for a nested def or lambda `node` (a pre-resolve copy) of this function,
        or None when it reads a variable that is itself a local function."""
        made = self._closure_made.get(key)
        if made is not None:
            return made
        inner = function_locals(node)
        free = sorted((names_read(node) & self._closure_outer) - inner - {node.name})
        if any(v in self._closure_defs or v in self.function_names for v in free):
            return None
        a = node.args
        if a.vararg or a.kwarg or a.kwonlyargs or a.defaults:
            return None
        node = clone(node)
        node.name = hint
        node.args.args = node.args.posonlyargs + node.args.args + [
            gast.Name(id=v, ctx=gast.Param(), annotation=None, type_comment=None) for v in free]
        node.args.posonlyargs = []
        made = Closure(self.ctx.src, node, free, hint, short)
        self._closure_made[key] = made
        return made

    def _function_argument(self, arg):
        """(the function an argument node stands for, the expressions of its variables) when
        it is known now -- a helper, a NumPy or math function, a builtin, a partial, grad(f),
        a local name bound once to one, a nested def or lambda of this function -- else None."""
        from .resolve import _SPACES

        closure = getattr(arg, "s2s_closure", None)
        if closure is not None:  # a closure passed on: its variables are parameters here
            marker, env = closure.value
            return marker, [load(n) for n in env]
        shared = getattr(arg, "s2s_value", None)
        if shared is not None:  # (grad of a closure: the closure's variables come along)
            env = getattr(arg, "s2s_env", None)
            return shared.value, [clone(e) for e in env.value] if env is not None else []
        if len(self.scopes) != 1:
            return None
        if isinstance(arg, gast.Lambda) and id(arg) in self._closure_lambdas:
            marker = self._closure(("lambda", id(arg)), self._as_def(arg), f"{self.ctx.name}_lambda", "lambda")
            return None if marker is None else (marker, [load(v) for v in marker.free])
        if isinstance(arg, gast.Name) and isinstance(arg.ctx, gast.Load):
            if arg.id in self.function_names:
                return self.function_names[arg.id], []
            if arg.id in self._closure_defs:
                marker = self._closure(("def", arg.id), self._closure_defs[arg.id], f"{self.ctx.name}_{arg.id}",
                                       arg.id)
                return None if marker is None else (marker, [load(v) for v in marker.free])
            if not self._is_local(arg.id):
                value = self.builtins.get(arg.id, _MISSING)
                if isinstance(value, types.BuiltinFunctionType):
                    return value, []
        from .base import attribute_path

        path = attribute_path(arg)
        if path is not None:  # `np.sin`, `np.linalg.norm`, `math.exp`
            for prefix, module in _SPACES:
                if path.startswith(prefix + ".") and path.count(".") == prefix.count(".") + 1:
                    value = getattr(module, path.rsplit(".", 1)[1], None)
                    if function_like(value):
                        return value, []
        return None

    def _unbatched_closure_variables(self, factory, args, kwargs, n_env):
        """vmap(closure, in_axes): the closure's variables (its last parameters) get in_axes None."""
        from .. import batching

        if factory is not batching.vmap:
            return
        import inspect

        given = args[1] if len(args) > 1 else kwargs.get("in_axes", 0)
        try:  # a closure, or a transformation of one (vmap(grad(lambda p: ...)))
            n_own = len(inspect.signature(args[0]).parameters) - n_env
        except (TypeError, ValueError):
            return
        own = tuple(given) if isinstance(given, (tuple, list)) else (given,) * n_own
        axes = own + (None,) * n_env
        if len(args) > 1:
            args[1] = axes
        else:
            kwargs["in_axes"] = axes

    def _expand_varargs(self, node):
        """`f(y, *args)` with `args` this helper's own `*args`, which its caller filled with n
        values: `f(y, args[0], ..., args[n - 1])`."""
        if not any(isinstance(a, gast.Starred) for a in node.args):
            return
        n = self.ctx.vararg_length
        if n is None:
            # the version no caller made for a number of values: dropped at the end unless
            # something calls it, and then an error (pipeline.build_program)
            self.ctx.unexpanded_varargs = node
            node.args = [a.value if isinstance(a, gast.Starred) else a for a in node.args]
            return
        args = []
        for a in node.args:
            if isinstance(a, gast.Starred):
                args.extend(located(gast.Subscript(value=load(a.value.id), slice=gast.Constant(value=k, kind=None),
                                                   ctx=gast.Load()), a) for k in range(n))
            else:
                args.append(a)
        node.args = args

    def _expand_kwargs(self, node):
        """`f(y, **kw)` with `kw` this helper's own `**kwargs`, which its caller filled with
        the keys a, b: `f(y, a=kw['a'], b=kw['b'])`."""
        passed = [k for k in node.keywords if k.arg is None]
        if not passed:
            return
        keys = self.ctx.kwarg_keys
        if keys is None:  # the version no caller made for its keys: dropped unless something calls it
            self.ctx.unexpanded_varargs = node
            node.keywords = [k for k in node.keywords if k.arg is not None]
            return
        out = []
        for k in node.keywords:
            if k.arg is not None:
                out.append(k)
                continue
            out.extend(gast.keyword(arg=key, value=located(gast.Subscript(
                value=load(k.value.id), slice=gast.Constant(value=key, kind=None), ctx=gast.Load()), k.value))
                for key in keys)
        node.keywords = out

    def _as_def(self, lam):
        _, before = self._closure_lambdas[id(lam)]
        return _lambda_as_def(clone(before), "lambda_")

    def _closure_call(self, node):
        """`f(a, b)` where f is a closure: the call of its program-level function, with the
        closure's variables after the arguments."""
        marker, env = node.func.s2s_closure.value
        if node.keywords or any(isinstance(a, gast.Starred) for a in node.args):
            raise self.ctx.error(node, "a function passed as an argument is called with positional arguments only "
                                 "here", "closure call")
        program = self.ctx.program
        fname = program.function(marker.source(), hint=marker.hint, avoid=self.scopes[0],
                                 make_context=self.ctx.__class__, identity=marker)
        func = located(load(fname), node.func)
        return located(gast.Call(func=func, args=list(node.args) + [load(n) for n in env], keywords=[]), node)

    def _closure_reference(self, pname, value, node):
        """The parameter `pname` bound to a Closure, where it is read: a placeholder that
        visit_Call turns into the call (or passes on)."""
        ref = located(load(pname), node)
        ref.s2s_closure = Shared((value, self.closure_env.get(pname, [])))
        return ref

    def _specialize_on_functions(self, node, callee):
        """`apply(sq, x)` -> `apply_sq(x)`: the helper made for the functions passed to it (see
        the module docstring). Arguments that are not functions known now stay arguments."""
        import inspect

        from .source import get_source, signature_of  # local: source imports nothing from here

        sig = signature_of(callee) if isinstance(callee, functools.partial) else inspect.signature(callee)
        static, keep, env = {}, [], []
        constants, varargs, kwarg_keys = {}, None, None
        for p, arg in zip(sig.parameters.values(), node.args):
            if p.kind == p.VAR_POSITIONAL and isinstance(arg, gast.Tuple) and _passes_on_varargs(callee, p.name):
                varargs = len(arg.elts)  # the helper passes its *args on: made for their number
            use = _passes_on_kwargs(callee, p.name) if p.kind == p.VAR_KEYWORD and isinstance(arg, gast.Dict) else None
            if use is not None:
                kwarg_keys = tuple(k.value for k in arg.keys)  # its **kwargs passed on: made for their keys
                if not kwarg_keys and use == "only":
                    constants[p.name] = {}  # nothing to pass on (and numba types no empty dict)
                    continue
            found = self._function_argument(arg) if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD) else None
            if found is not None and found[1] and not isinstance(found[0], Closure):
                found = None  # grad(closure) passed on: its variables have no parameters to travel in
            literal = _static_literal(arg) if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD) else _NOT
            if literal is not None and p.name not in _axis_like(callee):
                literal = _NOT  # None always (an optional argument left out: `if w is not None` decided)
            if found is not None:
                static[p.name] = found[0]
                env.extend(found[1])
            elif literal is not _NOT:
                constants[p.name] = literal
                keep.append(arg)
            else:
                keep.append(arg)
        typed = self._typed_arguments(node, callee, sig)
        if typed:
            constants["isinstance()"] = typed  # (a key of the helper made: not a parameter)
        if not isinstance(node.func, gast.Name) or not static and not constants and varargs is None \
                and kwarg_keys is None:
            return node
        if varargs is not None:
            constants["*"] = varargs  # (a key of the helper made: not a parameter)
        if kwarg_keys is not None:
            constants["**"] = kwarg_keys
        if constants:  # `normalize(x, axis=1)`: the helper made for axis 1 (numba needs literal axes)
            keep = [a for p, a in zip(sig.parameters.values(), node.args)
                    if p.name not in static and p.name not in constants]
            static.update(constants)
        program = self.ctx.program
        src = get_source(callee)
        if src.bound_args:
            static = {**src.bound_args, **static}
        plain = node.func.id
        ctx = next((c for c in program.functions if c.name == plain), None)
        hint = "_".join([getattr(src.fn, "__name__", plain)]
                        + [getattr(v, "__name__", "f") for k, v in static.items() if k not in constants])
        fname = program.function(src, hint=hint, avoid=self.scopes[0],
                                 static={**(ctx.static if ctx is not None else {}), **static},
                                 make_context=self.ctx.__class__)
        program.superseded.add(plain)
        if constants:
            made = next(c for c in program.functions if c.name == fname)
            made.literal_static = frozenset(k for k in constants if k != "isinstance()")
            made.vararg_length = varargs
            made.kwarg_keys = kwarg_keys
            made.known_none = frozenset(typed)
        func = located(load(fname), node.func)
        func.s2s_callee = node.func.s2s_callee
        return located(gast.Call(func=func, args=keep + env, keywords=[]), node)

    def _typed_arguments(self, node, callee, sig):
        """((parameter, type), ...) for the callee's parameters given a parameter of this
        function whose argument's type is known (ctx.known_none), when the callee tests
        isinstance: its tests are decided too (fold.py), as in the function transformed."""
        known = dict(k for k in self.ctx.known_none if isinstance(k, tuple))
        if not known or "isinstance" not in getattr(getattr(callee, "__code__", None), "co_names", ()):
            return ()
        stored = {n.id for n in walk(self.ctx.tree) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)}
        out = []
        for p, arg in zip(sig.parameters.values(), node.args):
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and isinstance(arg, gast.Name) \
                    and arg.id in known and arg.id not in stored:
                out.append((p.name, known[arg.id]))
        return tuple(out)

    def _drop_passed_closures(self, tree):
        """Nested defs and named lambdas now only passed (their uses made helpers of their
        own) leave the body: nothing refers to them any more."""
        used = {n.id for n in walk(tree) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)}
        made = {key[1] for key in self._closure_made if key[0] == "def"}
        keep = []
        for s in tree.body:
            name = s.name if isinstance(s, gast.FunctionDef) else (
                s.targets[0].id if isinstance(s, gast.Assign) and len(s.targets) == 1
                and isinstance(s.targets[0], gast.Name) and isinstance(s.value, gast.Lambda) else None)
            if name in made and name not in used:
                continue
            keep.append(s)
        tree.body = keep or [located(gast.Pass(), tree)]
