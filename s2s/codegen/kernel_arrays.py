"""KernelArrays: the array operations of a kernel's device functions, on the thread's arena.

Operations that may produce an array (an operand of unknown or positive rank, by
`s2s.diff.ranks`) call the arena versions of `cuda_arrays.py`; scalar code is untouched:

    def f_vjp(g, w, x, y):                     def f_vjp(g, w, x, y, arena, arena_state):
        z = _np.dot(x, w)                           z = k_matvec(arena, arena_state, x, w)
        e = _np.exp(-z)                             e = _np.exp(-z)              # z: a scalar
        bw = dot_vjp2(bz, x, w)           ->        bw = k_dot_vjp2(arena, arena_state, bz, x, w)
        return (out, (bw,))                         return ((out, (bw,)),)
    r = f_vjp(1.0, w, x, y)                    r = f_vjp(1.0, w, x, y, arena, arena_state)[0]

Every device function then takes the arena arguments and returns a 1-tuple: numba.cuda
refuses a device function returning an array it was not given, and a tuple holding a view
of the arena is what every function returns instead (the caller unwraps it).
"""
import gast

from ..diff.ranks import Ranks
from ..naming import NUMPY_ALIAS
from ..parse.base import load, located, walk
from . import cuda_arrays

ARENA_ARGS = ("arena", "arena_state")

_BINOPS = {gast.Add: "add", gast.Sub: "sub", gast.Mult: "mul", gast.Div: "div", gast.Pow: "pow", gast.Mod: "mod",
           gast.FloorDiv: "floordiv"}
_UNARY = {gast.USub: "neg", gast.UAdd: "pos"}
_COMPARE = {gast.Lt: "lt", gast.LtE: "le", gast.Gt: "gt", gast.GtE: "ge", gast.Eq: "eq", gast.NotEq: "ne"}
_NUMPY = {**{n: n for n in cuda_arrays.OPS}, "multiply": "mul", "add": "add", "subtract": "sub",
          "divide": "div", "true_divide": "div", "negative": "neg", "power": "pow"}
_HELPERS = {"zeros_like": "k_zeros_like", "unreduce": "k_unreduce", "unbroadcast": "k_unbroadcast", "dot_vjp1": "k_dot_vjp1",
            "dot_vjp2": "k_dot_vjp2", "matmul_vjp1": "k_dot_vjp1", "matmul_vjp2": "k_dot_vjp2",
            "copy_value": "k_copy"}  # copy_value: what an in-place store overwrites, saved for the reverse sweep


def _call(name, args):
    return gast.Call(func=load(name), args=list(args), keywords=[])


class KernelArrays:
    """Rewrite `program`'s functions (all but `kernel`) in place; `entry_ranks`: the entry
    function's parameter ranks for one example. After `run()`, `used` says whether any
    array operation was rewritten (if not, nothing changed)."""

    def __init__(self, program, kernel_name, entry_ranks):
        from . import cuda_runtime

        self.program = program
        self.kernel = kernel_name
        self.entry_ranks = entry_ranks
        self.used = False
        # the tape calls KernelTapes wrote: an array on a tape goes through the arena
        self.tape_calls = {n: v.__name__ for n, v in program.constants.items()
                           if v is cuda_runtime.tape_store or v is cuda_runtime.tape_load}

    def _helper(self, name):
        return self.program.constant(getattr(cuda_arrays, name), name)

    def _runtime_names(self):
        from ..diff import runtime

        return {n: v.__name__ for n, v in self.program.constants.items()
                if callable(v) and getattr(runtime, getattr(v, "__name__", ""), None) is v}

    def _constant_ranks(self, ctx):
        """Ranks of the module-level values the function reads (static arguments, captured
        numbers, strings and arrays), unless it binds the name itself."""
        import numpy as np

        from ..parse.base import function_locals

        own = function_locals(ctx.tree)
        return {n: np.ndim(v) for n, v in self.program.constants.items()
                if n not in own and isinstance(v, (int, float, complex, bool, str, np.ndarray, np.generic))}

    def _param_ranks(self, funcs, names):
        """{function: (param ranks, Ranks)}: the entry's from the example, a helper's from its
        call sites (where they all agree), in discovery order (callers come first)."""
        seen = {self.program.entry.name: dict(self.entry_ranks)}
        out = {}
        for ctx in funcs:
            params = [a.id for a in ctx.tree.args.posonlyargs + ctx.tree.args.args]
            known = seen.get(ctx.name, {})
            ranks = _KernelRanks(ctx.tree, {**self._constant_ranks(ctx), **{p: known.get(p) for p in params}},
                                 self._runtime_names(),
                                 {n for n, v in self.tape_calls.items() if v == "tape_load"})
            out[ctx.name] = (known, ranks)
            for node in walk(ctx.tree):
                if isinstance(node, gast.Call) and isinstance(node.func, gast.Name) and node.func.id in names \
                        and not node.keywords and node.func.id not in out:
                    callee = next(c for c in funcs if c.name == node.func.id)
                    cparams = [a.id for a in callee.tree.args.posonlyargs + callee.tree.args.args]
                    got = {}
                    for p, a in zip(cparams, node.args):
                        try:
                            got[p] = ranks.expr(a)
                        except Exception:  # noqa: BLE001
                            got[p] = None
                    prev = seen.get(callee.name)
                    seen[callee.name] = got if prev is None else {p: got.get(p) if got.get(p) == prev.get(p) else None
                                                                  for p in cparams}
        return out

    def run(self):
        from ..diff import runtime

        funcs = [c for c in self.program.functions if c.name != self.kernel]
        names = {c.name for c in funcs}
        helpers = {n: _HELPERS[v.__name__] for n, v in self.program.constants.items()
                   if callable(v) and getattr(runtime, getattr(v, "__name__", ""), None) is v
                   and v.__name__ in _HELPERS}
        param_ranks = self._param_ranks(funcs, names)
        rewritten = {}
        for ctx in funcs:
            ranks = param_ranks[ctx.name][1]
            rewriter = _Rewrite(self, ranks, helpers)
            tree = rewriter.visit(ctx.tree)
            rewritten[ctx.name] = (tree, rewriter.count)
        if not any(count for _, count in rewritten.values()):
            return self
        self.used = True
        for ctx in funcs:
            ctx.tree = rewritten[ctx.name][0]
            ctx.tree.args.args = ctx.tree.args.args + [
                gast.Name(id=ctx.namer.fresh(a), ctx=gast.Param(), annotation=None, type_comment=None)
                for a in ARENA_ARGS]
            arena, state = (a.id for a in ctx.tree.args.args[-2:])
            for node in walk(ctx.tree):
                if isinstance(node, gast.Call) and isinstance(node.func, gast.Name) and \
                        getattr(node, "_s2s_arena", False):
                    node.args[0:2] = [load(arena), load(state)]
            _thread_calls(ctx.tree, names, arena, state)
        return self


def _thread_calls(tree, names, arena, state):
    """Calls of device functions get the arena and unwrap the 1-tuple; returns wrap one."""
    class T(gast.NodeTransformer):
        def visit_Call(self, node):
            self.generic_visit(node)
            if isinstance(node.func, gast.Name) and node.func.id in names:
                node.args = node.args + [load(arena), load(state)]
                return located(gast.Subscript(value=node, slice=gast.Constant(value=0, kind=None), ctx=gast.Load()),
                               node)
            return node

        def visit_Return(self, node):
            self.generic_visit(node)
            value = node.value if node.value is not None else gast.Constant(value=None, kind=None)
            node.value = gast.Tuple(elts=[value], ctx=gast.Load())
            return node

        def visit_FunctionDef(self, node):
            node.body = [self.visit(s) for s in node.body]
            return node
    T().visit(tree)


def _has_slice(index):
    return isinstance(index, gast.Slice) or (isinstance(index, gast.Tuple) and
                                             any(isinstance(e, gast.Slice) for e in index.elts))


def _index_value(index):
    """An index as a value to pass: `2:4` -> slice(2, 4, None); tuples element by element."""
    if isinstance(index, gast.Slice):
        parts = [p if p is not None else gast.Constant(value=None, kind=None)
                 for p in (index.lower, index.upper, index.step)]
        return gast.Call(func=gast.Name(id="slice", ctx=gast.Load(), annotation=None, type_comment=None),
                         args=parts, keywords=[])
    if isinstance(index, gast.Tuple):
        return gast.Tuple(elts=[_index_value(e) for e in index.elts], ctx=gast.Load())
    return index


def _int_literal(v):
    from ..parse.base import is_signed_literal

    return (isinstance(v, gast.Constant) and type(v.value) is int) or (is_signed_literal(v) and type(v.operand.value) is int)


def _axis_only(call):
    """The literal of `axis=<int>` when it is the call's only keyword, else None."""
    if len(call.keywords) != 1 or call.keywords[0].arg != "axis":
        return None
    v = call.keywords[0].value
    return v if _int_literal(v) else None


class _KernelRanks(Ranks):
    """Ranks that also know the derivative runtime's helpers (their result has the rank of
    the input they adjoin)."""

    _LIKE = {"unbroadcast": 1, "zeros_like": 0, "dot_vjp1": 1, "dot_vjp2": 2, "matmul_vjp1": 1, "matmul_vjp2": 2,
             "copy_value": 0, "unreduce": 1}
    _SHAPE_MAKERS = ("zeros", "ones", "empty")

    def __init__(self, tree, params, runtime_names, tape_loads=()):
        self.runtime_names = runtime_names
        self.tape_loads = set(tape_loads)  # `tape_load(..., like)`: the rank of `like`
        counts, tuples = {}, {}
        for node in walk(tree):  # `empty = ()`: ANF names the shapes unbroadcast receives
            if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Store):
                counts[node.id] = counts.get(node.id, 0) + 1
            if isinstance(node, gast.Assign) and isinstance(node.targets[0], gast.Name) \
                    and isinstance(node.value, gast.Tuple):
                tuples[node.targets[0].id] = len(node.value.elts)
        self.shape_tuples = {n: k for n, k in tuples.items() if counts.get(n) == 1}
        super().__init__(tree, params)

    def _call(self, e):
        if isinstance(e.func, gast.Name) and e.func.id in self.tape_loads and e.args:
            return self.expr(e.args[-1])
        helper = self.runtime_names.get(e.func.id) if isinstance(e.func, gast.Name) else None
        if helper in self._LIKE and len(e.args) > self._LIKE[helper]:
            like = e.args[self._LIKE[helper]]
            if isinstance(like, gast.Tuple):  # a shape saved by shape_of
                return len(like.elts)
            if isinstance(like, gast.Name) and like.id in self.shape_tuples:
                return self.shape_tuples[like.id]
            return self.expr(like)
        if isinstance(e.func, gast.Attribute) and isinstance(e.func.value, gast.Name) \
                and e.func.value.id == NUMPY_ALIAS and e.func.attr in self._SHAPE_MAKERS and e.args:
            shape = e.args[0]
            if isinstance(shape, gast.Tuple):
                return len(shape.elts)
            if isinstance(shape, gast.Name) and shape.id in self.shape_tuples:
                return self.shape_tuples[shape.id]
            return 1 if self.expr(shape) == 0 else None
        if isinstance(e.func, gast.Attribute) and isinstance(e.func.value, gast.Name) \
                and e.func.value.id == NUMPY_ALIAS and e.func.attr in ("copy", "array") and len(e.args) == 1:
            return self.expr(e.args[0])
        return super()._call(e)


class _Rewrite(gast.NodeTransformer):
    def __init__(self, owner, ranks, helpers):
        self.owner, self.ranks, self.helpers = owner, ranks, helpers
        self.count = 0

    def _maybe_array(self, *nodes):
        for n in nodes:
            if isinstance(n, gast.Constant):  # a number, string, None: never an array
                continue
            try:
                r = self.ranks.expr(n)
            except Exception:  # noqa: BLE001 -- anything the inference does not model: unknown
                r = None
            if r is None or r > 0:
                return True
        return False

    def _arena_call(self, helper, args, like):
        self.count += 1
        call = _call(self.owner._helper(helper), [load(ARENA_ARGS[0]), load(ARENA_ARGS[1])] + list(args))
        call._s2s_arena = True
        located(call, like)
        return located(gast.Subscript(value=call, slice=gast.Constant(value=0, kind=None), ctx=gast.Load()), like)

    def visit_Assign(self, node):
        """`y[2:4] = v` with an array v: numba.cuda lowers a slice store of an array only with
        NRT (which kernels do not have); a loop over the view does it without."""
        self.generic_visit(node)
        t = node.targets[0] if len(node.targets) == 1 else None
        if not (isinstance(t, gast.Subscript) and self._maybe_array(node.value) and _has_slice(t.slice)):
            return node
        index = _index_value(t.slice)
        call = self._arena_call("k_setitem", [gast.Name(id=t.value.id, ctx=gast.Load(), annotation=None,
                                                         type_comment=None) if isinstance(t.value, gast.Name)
                                               else t.value, index, node.value], node)
        return located(gast.Expr(value=call), node)

    def visit_BinOp(self, node):
        self.generic_visit(node)
        if isinstance(node.op, gast.MatMult):
            return self._arena_call("k_matvec", [node.left, node.right], node)
        op = _BINOPS.get(type(node.op))
        if op and self._maybe_array(node.left, node.right):
            return self._arena_call(f"k_{op}", [node.left, node.right], node)
        return node

    def visit_UnaryOp(self, node):
        self.generic_visit(node)
        op = _UNARY.get(type(node.op))
        if op and self._maybe_array(node.operand):
            return self._arena_call(f"k_{op}", [node.operand], node)
        return node

    def visit_Compare(self, node):
        self.generic_visit(node)
        if len(node.ops) == 1 and type(node.ops[0]) in _COMPARE and self._maybe_array(node.left, node.comparators[0]):
            return self._arena_call(f"k_{_COMPARE[type(node.ops[0])]}", [node.left, node.comparators[0]], node)
        return node

    def visit_Call(self, node):
        self.generic_visit(node)
        f = node.func
        is_np = isinstance(f, gast.Attribute) and isinstance(f.value, gast.Name) and f.value.id == NUMPY_ALIAS
        if is_np and f.attr in ("sum", "mean", "max", "min", "amax", "amin") and len(node.args) == 2 \
                and not node.keywords and isinstance(node.args[1], gast.Constant) and node.args[1].value is None:
            node.args = node.args[:1]  # np.sum(x, None): the whole array (the reduce_* helpers)
        axis = _axis_only(node)
        if axis is None and is_np and len(node.args) == 2 and not node.keywords and _int_literal(node.args[1]):
            axis = node.args.pop()  # np.sum(x, 1)
        if axis is not None and is_np and f.attr in ("sum", "mean") and len(node.args) == 1:
            return self._arena_call(f"k_{f.attr}_axis", [node.args[0], axis], node)  # np.sum(x, axis=1)
        if node.keywords:
            return node
        if isinstance(f, gast.Attribute) and isinstance(f.value, gast.Name) and f.value.id == NUMPY_ALIAS:
            if f.attr in ("dot", "matmul") and len(node.args) == 2 and self._maybe_array(*node.args):
                return self._arena_call("k_matvec", node.args, node)
            if f.attr in ("zeros_like",) and len(node.args) == 1:
                return self._arena_call("k_zeros_like", node.args, node)
            if f.attr in ("zeros", "ones", "empty") and len(node.args) == 1:  # float64, as NumPy's default
                return self._arena_call("k_ones" if f.attr == "ones" else "k_zeros", node.args, node)
            if f.attr in ("copy", "array") and len(node.args) == 1 and self._maybe_array(node.args[0]):
                return self._arena_call("k_copy", node.args, node)
            if f.attr == "outer" and len(node.args) == 2:
                return self._arena_call("k_outer", node.args, node)
            name = _NUMPY.get(f.attr)
            if name and self._maybe_array(*node.args):
                return self._arena_call(f"k_{name}", node.args, node)
            return node
        if isinstance(f, gast.Name) and f.id in self.helpers:
            return self._arena_call(self.helpers[f.id], node.args, node)
        if isinstance(f, gast.Name) and f.id in self.owner.tape_calls and self._maybe_array(node.args[-1]):
            return self._arena_call(f"k_{self.owner.tape_calls[f.id]}", node.args, node)
        return node
