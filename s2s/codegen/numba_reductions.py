"""NumPy reductions along an axis that numba does not compile: `np.mean(x, axis=0)` under jit.

numba implements `np.sum(x, axis=...)` (without `keepdims`) but not the `axis` of np.mean,
np.var, np.std, np.max, np.min, np.prod, np.ptp, np.any, np.all. The pass below rewrites
those calls in a program `jit` compiles into one runtime function, `reduce_axis`, whose
Python body is NumPy's own and whose numba version (diff/runtime_numba_jit.py: a runtime
helper, so `s2s dump --jit -o` writes it into standalone modules too) is a loop nest written for the array's
number of dimensions and the (literal) axis:

    m = _np.mean(x, axis=0)          ->    m = reduce_axis('mean', x, 0, False, 0)
    v = _np.var(x, 1, keepdims=True) ->    v = reduce_axis('var', x, 1, True, 0)
    t = x.max(axis=-1)               ->    t = reduce_axis('max', x, -1, False, 0)

Only literal axes (an int, negative included), keepdims and ddof are rewritten; a call with
anything else is left to numba (which reports it at the user's line). Also rewritten, the
same way: vector norms along an axis (`np.linalg.norm(x, ord, axis=1)` -> reduce_axis('norm',
...), the order read at run time), whole-array reductions with keepdims or ddof (axis None;
with the constants keepdims=False / ddof=0 the call is numba's own, those options dropped),
and the axis argument numba's np.sort, np.cumsum and np.cumprod lack (`sort_axis(x, axis)`,
`cumulate_axis('sum', x, axis)`: loops over the (outer, axis, inner) slices of a C copy,
for an axis known at run time). The builtin `sum(seq)` becomes the runtime's `sum_of(seq)`
(numba's cannot add a tuple of arrays and numbers), and `np.array(L)` / `np.asarray(L)` of a
list built in place becomes `array_of(L)` (numba rewrites `np.array` of a list filled by the
loop before it into element stores, which fail for arrays); `np.add.at(a, idx, v)` becomes the
runtime's `add_at` (numba has no `ufunc.at`); `np.meshgrid(x, y, indexing='ij')` becomes
`meshgrid_of((x, y), indexing='ij')` (numba's overloads take no keywords after `*xi`);
`np.fix(x)` becomes `np.trunc(x)` (numba has no np.fix); `np.matmul(a, b)` becomes `a @ b` (numba has no np.matmul; its `@` takes 1-d and 2-d operands,
runtime_numba_numpy.py's n-d ones); `np.average(x, axis=k)` without weights is np.mean's;
`x.astype(int)` (a builtin type) is `x.astype(np.int64)`; `np.int64(x)` & co. become `cast_as(x, np.int64)`
(numba casts numbers only: an array is cast with astype); `x.flatten('F')`, `x.reshape(shape,
order='F')` and `np.concatenate(arrays, axis=None)` are written with C-order operations. And (MaskReads) a read `a[m]` whose
index is a boolean mask -- a comparison, a predicate such as np.isnan, their &/|/~, or a name
bound once to one -- becomes `take_mask(a, m)`, numba's own for a 1-d mask and a flattening
read for an n-d one (numba's indexing asserts on those). np.swapaxes(x, a, b), np.moveaxis(x, s, d)
np.rollaxis(x, a, s) and np.transpose(x, axes) with literal axes (and the methods x.swapaxes,
x.transpose(axes)) become the runtime's `swapaxes_view` & co.: the same views, which numba compiles in a fraction
of the seconds its own take for every rank. np.select becomes `select_of` (nested wheres:
numba's takes a scalar default only); np.diag_indices, np.diag_indices_from and np.unravel_index
(numba has none) the runtime's `diag_indices_of`, `diag_indices_like`, `unravel_of`.
"""
import gast
import numpy as np

from ..naming import MATH_ALIAS, NUMPY_ALIAS
from ..diff.lists import ListInfo
from ..diff.runtime import add_at, array_of, meshgrid_of, sum_of, take_mask
from ..diff.runtime_jit import (  # noqa: F401
    _NUMPY_REDUCTIONS, cast_as, concat_flat, cumulate_axis, matrix_norm, moveaxis_view, reduce_axis, reshape_c, reshape_f,
    diag_indices_like, diag_indices_of, rollaxis_view, select_of, sort_axis, swapaxes_view, transpose_view, unravel_of,
)
from ..parse.base import attribute_path, dotted, function_locals, FunctionPass, is_signed_literal, load, located, walk

_BUILTIN_DTYPES = {"int": "int64", "float": "float64", "bool": "bool_", "complex": "complex128"}
KINDS = {"sum": "sum", "mean": "mean", "var": "var", "std": "std", "max": "max", "amax": "max", "min": "min", "amin": "min",
         "prod": "prod", "ptp": "ptp", "any": "any", "all": "all", "average": "mean"}
_SCALAR_TYPES = frozenset({"int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "intp",
                           "float16", "float32", "float64", "complex64", "complex128", "bool_"})


_INDEX_HELPERS = {f"{NUMPY_ALIAS}.diag_indices": diag_indices_of, f"{NUMPY_ALIAS}.diag_indices_from": diag_indices_like,
                  f"{NUMPY_ALIAS}.unravel_index": unravel_of}


def _literal(node):
    """The value of an int/bool literal node (`0`, `-1`, `True`), else None."""
    if isinstance(node, gast.Constant) and type(node.value) in (int, bool):
        return node.value
    if is_signed_literal(node) and type(node.operand.value) is int:
        return -node.operand.value if isinstance(node.op, gast.USub) else node.operand.value
    return None


class AxisReductions(FunctionPass):
    """Calls of the reductions numba has no `axis` for -> `reduce_axis(kind, x, axis, keepdims, ddof)`."""

    name = "axis_reductions"
    description = ("np.mean/var/std/max/min/prod/ptp/any/all/linalg.norm(x, axis=<int>) -> reduce_axis(...), "
                   "np.sort/cumsum/cumprod(x, axis) -> sort_axis/cumulate_axis(...) (numba has no axis)")

    def _literal(self, node):
        """A literal, or a module-level constant (a static argument, a captured int)."""
        if isinstance(node, gast.Name) and node.id in self.ctx.program.constants \
                and node.id not in function_locals(self.ctx.tree):
            value = self.ctx.program.constants[node.id]
            return value if type(value) in (int, bool) else None
        return _literal(node)

    def _int_tuple(self, node, size=None):
        """Whether node is a tuple of int literals (of `size` elements, if given): a display, a
        module constant bound to one, or a temporary bound once to one (`t1_0_2 = (1, 0, 2)`)."""
        if isinstance(node, gast.Tuple):
            return size in (None, len(node.elts)) and all(type(self._literal(e)) is int for e in node.elts)
        if isinstance(node, gast.Name) and node.id in self.ctx.program.constants \
                and node.id not in function_locals(self.ctx.tree):
            value = self.ctx.program.constants[node.id]
            return type(value) is tuple and size in (None, len(value)) and all(type(v) is int for v in value)
        if isinstance(node, gast.Name):
            values = [n.value for n in walk(self.ctx.tree) if isinstance(n, (gast.Assign, gast.AugAssign, gast.For))
                      and any(isinstance(t, gast.Name) and t.id == node.id
                              for t in walk(n.targets[0] if isinstance(n, gast.Assign) else n.target))]
            return len(values) == 1 and isinstance(values[0], gast.Tuple) and self._int_tuple(values[0], size)
        return False

    @staticmethod
    def _ord(node):
        """A vector norm's order as an expression of a float (None: 2.0); None for a string
        order ('fro', 'nuc': matrix norms, numba's own)."""
        if node is None or isinstance(node, gast.Constant) and node.value is None:
            return gast.Constant(value=2.0, kind=None)
        if isinstance(node, gast.Constant) and isinstance(node.value, str):
            return None
        if isinstance(node, gast.Constant) and type(node.value) is int:
            return gast.Constant(value=float(node.value), kind=None)
        return node

    def _f_order(self, node):
        """x.flatten('F') -> np.ravel(x, order='F'); x.reshape(shape, order='F') ->
        reshape_f(x, shape) (numba reshapes and flattens in C order only); x.reshape(shape) ->
        reshape_c(x, shape) (numba's misreads arrays that are not C-contiguous); None for anything else."""
        f = node.func
        if attribute_path(f) == f"{NUMPY_ALIAS}.ravel" and len(node.args) == 2:
            # np.ravel(x, 'F'): numba's np.ravel asserts on a positional order (its keyword form is ours)
            node.keywords = node.keywords + [gast.keyword(arg="order", value=node.args[1])]
            node.args = node.args[:1]
            return node
        if attribute_path(f) == f"{NUMPY_ALIAS}.reshape" and len(node.args) >= 2:  # np.reshape(x, shape, order)
            target, args = node.args[0], list(node.args[1:])
            order = [k.value for k in node.keywords if k.arg == "order"] or args[1:]
            args = args[:1]
            f = gast.Attribute(value=target, attr="reshape", ctx=gast.Load())
        elif not (isinstance(f, gast.Attribute) and f.attr in ("flatten", "reshape")) or isinstance(
                f.value, gast.Name) and f.value.id in (NUMPY_ALIAS, MATH_ALIAS):
            return None
        else:
            order = [k.value for k in node.keywords if k.arg == "order"]
            args = list(node.args)
        if f.attr == "flatten" and not order and len(args) == 1:
            order, args = [args[0]], []
        c_order = not order or isinstance(order[0], gast.Constant) and order[0].value == "C"
        if f.attr == "reshape" and c_order and len(order) <= 1 and args \
                and not any(isinstance(e, gast.Starred) for e in args):
            # reshape_c: numba's reshape of an array that is not C-contiguous fails or misreads it
            shape = args[0] if len(args) == 1 else gast.Tuple(elts=args, ctx=gast.Load())
            return self._call(reshape_c, "reshape_c", [f.value, shape], node)
        if len(order) != 1 or not (isinstance(order[0], gast.Constant) and order[0].value == "F"):
            return None
        if f.attr == "flatten":
            return located(gast.Call(func=dotted(f"{NUMPY_ALIAS}.ravel"), args=[f.value],
                                     keywords=[gast.keyword(arg="order", value=order[0])]), node)
        if not args or any(isinstance(e, gast.Starred) for e in args):
            return None
        shape = args[0] if len(args) == 1 else gast.Tuple(elts=args, ctx=gast.Load())
        return self._call(reshape_f, "reshape_f", [f.value, shape], node)

    def _axes_view(self, node):
        """np.swapaxes / np.moveaxis / np.transpose(x, axes) (and the methods x.swapaxes,
        x.transpose(axes)) -> the runtime's views, quick to compile; None for other calls."""
        f = node.func
        path = attribute_path(f)
        args = list(node.args) + [k.value for k in node.keywords]
        if path is not None and path.startswith(NUMPY_ALIAS + ".") and path.count(".") == 1:
            kind = path[len(NUMPY_ALIAS) + 1:]
        elif isinstance(f, gast.Attribute) and f.attr in ("swapaxes", "transpose") and not (
                isinstance(f.value, gast.Name) and f.value.id in (NUMPY_ALIAS, MATH_ALIAS)):
            kind, args = f.attr, [f.value] + args
            if f.attr == "transpose" and len(args) > 2:  # x.transpose(1, 0, 2)
                args = [args[0], gast.Tuple(elts=args[1:], ctx=gast.Load())]
        else:
            return None
        if any(isinstance(a, gast.Starred) for a in args) or any(k.arg is None for k in node.keywords):
            return None
        if kind == "swapaxes" and len(args) == 3:
            return self._call(swapaxes_view, "swapaxes_view", args, node)
        if kind == "rollaxis" and len(args) in (2, 3) and all(type(self._literal(a)) is int for a in args[1:]):
            return self._call(rollaxis_view, "rollaxis_view", args, node)
        if kind == "moveaxis" and len(args) == 3 and all(type(self._literal(a)) is int for a in args[1:]):
            return self._call(moveaxis_view, "moveaxis_view", args, node)
        axes = args[1] if len(args) == 2 else None
        if kind == "transpose" and axes is not None and self._int_tuple(axes):
            return self._call(transpose_view, "transpose_view", args, node)
        return None

    def _lists(self):
        if not hasattr(self, "_list_names"):
            self._list_names = ListInfo(self.ctx.tree, self.ctx.program, strict=False).names
        return self._list_names

    def _call(self, fn, name, args, like):
        helper = self.ctx.program.constant(fn, name)
        return located(gast.Call(func=load(helper), args=args, keywords=[]), like)

    def _norm(self, node):
        """np.linalg.norm(x, ord, axis=<int>, keepdims) -> reduce_axis('norm', x, axis, keepdims, p)."""
        given = dict(zip(("x", "ord", "axis", "keepdims"), node.args))
        for k in node.keywords:
            if k.arg not in ("x", "ord", "axis", "keepdims") or k.arg in given:
                return node
            given[k.arg] = k.value
        axis = self._literal(given["axis"]) if "axis" in given else None
        keep = self._literal(given["keepdims"]) if "keepdims" in given else False
        named = given.get("ord")
        if isinstance(named, gast.Constant) and named.value in ("fro", "nuc") and "x" in given \
                and (axis is None and "axis" not in given) and not keep:
            return self._call(matrix_norm, "matrix_norm", [given["x"], named], node)
        pair = given.get("axis")
        if self._int_tuple(pair, 2) and "x" in given and not keep:  # a matrix norm over two axes
            return self._call(matrix_norm, "matrix_norm", [given["x"], named or gast.Constant(value=None, kind=None),
                                                           pair], node)
        p = self._ord(given.get("ord"))
        if "x" not in given or type(axis) is not int or keep is None or p is None:
            return node
        return self._call(reduce_axis, "reduce_axis", [
            gast.Constant(value="norm", kind=None), given["x"], gast.Constant(value=axis, kind=None),
            gast.Constant(value=bool(keep), kind=None), p], node)

    def _sort(self, node):
        """np.sort(x, axis) with an axis -> sort_axis(x, axis) (a literal -1 stays numba's)."""
        given = dict(zip(("a", "axis"), node.args))
        for k in node.keywords:
            if k.arg not in ("a", "axis") or k.arg in given:
                return node
            given[k.arg] = k.value
        if "a" not in given or "axis" not in given:
            return node
        axis = given["axis"]
        if isinstance(axis, gast.Constant) and axis.value is None:
            return node if len(given) != 2 else self._call(sort_axis, "sort_axis", [given["a"], axis], node)
        if self._literal(axis) == -1:
            return located(gast.Call(func=node.func, args=[given["a"]], keywords=[]), node)
        return self._call(sort_axis, "sort_axis", [given["a"], axis], node)

    def _cumulate(self, node, kind):
        """np.cumsum/np.cumprod(x, axis) with an int axis -> cumulate_axis(kind, x, axis)."""
        given = dict(zip(("a", "axis"), node.args))
        for k in node.keywords:
            if k.arg not in ("a", "axis") or k.arg in given:
                return node
            given[k.arg] = k.value
        axis = given.get("axis")
        if "a" not in given or axis is None or isinstance(axis, gast.Constant) and axis.value is None:
            return node
        return self._call(cumulate_axis, "cumulate_axis", [gast.Constant(value=kind, kind=None), given["a"], axis], node)

    def visit_Call(self, node):
        self.generic_visit(node)
        f = node.func
        if isinstance(f, gast.Name) and f.id == "sum" and len(node.args) == 1 and not node.keywords \
                and f.id not in self.ctx.program.constants and f.id not in function_locals(self.ctx.tree):
            # numba's builtin sum cannot add up a tuple of arrays and numbers (or an array's rows)
            return self._call(sum_of, "sum_of", [node.args[0]], node)
        if isinstance(f, gast.Attribute) and f.attr == "astype" and len(node.args) == 1 \
                and isinstance(node.args[0], gast.Name) and node.args[0].id in _BUILTIN_DTYPES \
                and node.args[0].id not in self.ctx.program.constants and node.args[0].id not in function_locals(self.ctx.tree):
            # x.astype(int): numba's astype takes NumPy types only
            node.args[0] = located(dotted(f"{NUMPY_ALIAS}.{_BUILTIN_DTYPES[node.args[0].id]}"), node.args[0])
            return node
        order_f = self._f_order(node)
        if order_f is not None:
            return order_f
        path = attribute_path(f)
        if path is not None and path.startswith(NUMPY_ALIAS + ".") and path[len(NUMPY_ALIAS) + 1:] in _SCALAR_TYPES \
                and len(node.args) == 1 and not node.keywords:
            return self._call(cast_as, "cast_as", [node.args[0], f], node)
        if attribute_path(f) == f"{NUMPY_ALIAS}.concatenate" and len(node.args) == 1 and len(node.keywords) == 1 \
                and node.keywords[0].arg == "axis" and isinstance(node.keywords[0].value, gast.Constant) \
                and node.keywords[0].value.value is None:
            # concatenate(arrays, axis=None) joins the flattened arrays (numba asserts on axis=None)
            return self._call(concat_flat, "concat_flat", [node.args[0]], node)
        if attribute_path(f) == f"{NUMPY_ALIAS}.select":  # numba's takes a scalar default only
            return located(gast.Call(func=load(self.ctx.program.constant(select_of, "select_of")), args=node.args,
                                     keywords=node.keywords), node)
        index_helper = _INDEX_HELPERS.get(attribute_path(f))
        if index_helper is not None:  # numba has none of these
            return located(gast.Call(func=load(self.ctx.program.constant(index_helper, index_helper.__name__)),
                                     args=node.args, keywords=node.keywords), node)
        view = self._axes_view(node)
        if view is not None:
            return view
        if attribute_path(f) == f"{NUMPY_ALIAS}.matmul" and len(node.args) == 2 and not node.keywords:
            # numba's np.matmul is missing; `@` is numba's (1-d, 2-d) or the runtime's (n-d)
            return located(gast.BinOp(left=node.args[0], op=gast.MatMult(), right=node.args[1]), node)
        if attribute_path(f) == f"{NUMPY_ALIAS}.fix" and len(node.args) == 1 and not node.keywords:
            node.func = dotted(f"{NUMPY_ALIAS}.trunc")  # numba has no np.fix: rounding toward zero is trunc
            return node
        if attribute_path(f) == f"{NUMPY_ALIAS}.add.at" and len(node.args) == 3 and not node.keywords:
            return self._call(add_at, "add_at", list(node.args), node)  # numba has no ufunc.at
        if attribute_path(f) == f"{NUMPY_ALIAS}.meshgrid" and node.args \
                and not any(isinstance(a, gast.Starred) for a in node.args) \
                and all(k.arg in ("copy", "sparse", "indexing") for k in node.keywords):
            helper = self.ctx.program.constant(meshgrid_of, "meshgrid_of")
            return located(gast.Call(func=load(helper), args=[gast.Tuple(elts=list(node.args), ctx=gast.Load())],
                                     keywords=node.keywords), node)
        if isinstance(f, gast.Attribute) and f.attr in ("array", "asarray") and isinstance(f.value, gast.Name) \
                and f.value.id == NUMPY_ALIAS and node.args and isinstance(node.args[0], gast.Name) \
                and node.args[0].id in self._lists() and len(node.args) + len(node.keywords) <= 2 \
                and all(k.arg == "dtype" for k in node.keywords):
            return located(gast.Call(func=load(self.ctx.program.constant(array_of, "array_of")), args=node.args,
                                     keywords=node.keywords), node)
        if isinstance(f, gast.Attribute) and f.attr == "norm" and isinstance(f.value, gast.Attribute) \
                and f.value.attr == "linalg" and isinstance(f.value.value, gast.Name) and f.value.value.id == NUMPY_ALIAS:
            return self._norm(node)
        if isinstance(f, gast.Attribute) and f.attr == "sort" and isinstance(f.value, gast.Name) \
                and f.value.id == NUMPY_ALIAS:
            return self._sort(node)
        if isinstance(f, gast.Attribute) and f.attr in ("cumsum", "cumprod") and isinstance(f.value, gast.Name) \
                and f.value.id == NUMPY_ALIAS:
            return self._cumulate(node, f.attr[3:])
        if not (isinstance(f, gast.Attribute) and f.attr in KINDS):
            return node
        if isinstance(f.value, gast.Name) and f.value.id == NUMPY_ALIAS:
            args = list(node.args)
        elif f.attr in _NUMPY_REDUCTIONS and not isinstance(f.value, gast.Name) or f.attr in _NUMPY_REDUCTIONS and \
                f.value.id not in (NUMPY_ALIAS, MATH_ALIAS):
            args = [f.value] + list(node.args)  # the method: x.mean(axis=0)
        else:
            return node
        if not 1 <= len(args) <= 2:
            return node
        given = {"axis": args[1] if len(args) == 2 else None}
        for k in node.keywords:
            if k.arg not in ("axis", "keepdims", "ddof") or (k.arg == "axis" and len(args) == 2):
                return node
            given[k.arg] = k.value
        kind = KINDS[f.attr]
        if given.get("ddof") is not None and kind not in ("var", "std"):
            return node
        if kind == "sum" and given.get("keepdims") is None:
            return node  # numba compiles np.sum's axis itself (not its keepdims)
        values = {k: self._literal(v) if v is not None else None for k, v in given.items()}
        if any(given.get(k) is not None and values.get(k) is None for k in ("keepdims", "ddof")):
            return node
        whole = given["axis"] is None or isinstance(given["axis"], gast.Constant) and given["axis"].value is None
        if whole and not values.get("keepdims") and not values.get("ddof") and hasattr(np, f.attr):
            # `np.sum(x, keepdims=False)`: numba's whole-array reduction, the options it lacks dropped
            call = gast.Call(func=gast.Attribute(value=gast.Name(id=NUMPY_ALIAS, ctx=gast.Load(), annotation=None,
                                                                 type_comment=None), attr=f.attr, ctx=gast.Load()),
                             args=[args[0]], keywords=[])
            return gast.copy_location(call, node)
        if whole and (values.get("keepdims") or values.get("ddof")):
            axis = None  # numba reduces whole arrays itself, but without keepdims or ddof
        elif values.get("axis") is None or type(values["axis"]) is not int:
            return node
        else:
            axis = values["axis"]
        return self._call(reduce_axis, "reduce_axis", [
            gast.Constant(value=kind, kind=None), args[0], gast.Constant(value=axis, kind=None),
            gast.Constant(value=bool(values.get("keepdims") or False), kind=None),
            gast.Constant(value=int(values.get("ddof") or 0), kind=None)], node)


# calls whose result is a boolean array: a subscript by one of them is a mask
_MASK_CALLS = frozenset(f"{NUMPY_ALIAS}.{n}" for n in (
    "isnan", "isinf", "isfinite", "isneginf", "isposinf", "signbit", "isclose", "logical_and", "logical_or",
    "logical_not", "logical_xor", "equal", "not_equal", "less", "less_equal", "greater", "greater_equal"))


def _is_mask(node, masks):
    """True for an expression that makes a boolean array: a comparison, a predicate, their
    &, |, ^, ~, or a name bound once to one (`masks`)."""
    if isinstance(node, gast.Compare):
        return True
    if isinstance(node, gast.Name):
        return node.id in masks
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, (gast.Invert, gast.Not)):
        return _is_mask(node.operand, masks)
    if isinstance(node, gast.BinOp) and isinstance(node.op, (gast.BitAnd, gast.BitOr, gast.BitXor)):
        return _is_mask(node.left, masks) or _is_mask(node.right, masks)
    return isinstance(node, gast.Call) and attribute_path(node.func) in _MASK_CALLS


class MaskReads(FunctionPass):
    """`a[m]` with m a boolean mask -> `take_mask(a, m)`: numba indexes with 1-d masks only."""

    name = "mask_reads"
    description = "a[mask] -> take_mask(a, mask) (numba takes 1-d masks only)"

    def run(self):
        binds = {}
        for n in walk(self.ctx.tree):
            if isinstance(n, gast.Assign):
                for t in n.targets:
                    for name in walk(t):
                        if isinstance(name, gast.Name):
                            binds.setdefault(name.id, []).append(n.value if t is name else None)
            elif isinstance(n, (gast.For, gast.AugAssign)):
                for name in walk(n.target):
                    if isinstance(name, gast.Name):
                        binds.setdefault(name.id, []).append(None)
        self.masks = set()
        changed = True
        while changed:  # names bound once to a mask (also to a name of one)
            changed = False
            for k, values in binds.items():
                if k not in self.masks and len(values) == 1 and values[0] is not None and _is_mask(values[0], self.masks):
                    self.masks.add(k)
                    changed = True
        return super().run()

    def visit_Subscript(self, node):
        node = self.generic_visit(node)
        if isinstance(node.ctx, gast.Load) and _is_mask(node.slice, self.masks):
            helper = self.ctx.program.constant(take_mask, "take_mask")
            return located(gast.Call(func=load(helper), args=[node.value, node.slice], keywords=[]), node)
        return node


def rewrite_axis_reductions(program):
    """Run AxisReductions over every function of `program` (in place)."""
    for ctx in program.functions:
        AxisReductions(ctx).run()
        MaskReads(ctx).run()
