"""NumPy reductions along an axis that numba does not compile: `np.mean(x, axis=0)` under jit.

numba implements `np.sum(x, axis=...)` (without `keepdims`) but not the `axis` of np.mean,
np.var, np.std, np.max, np.min, np.prod, np.ptp, np.any, np.all. The pass below rewrites
those calls in a program `jit` compiles into one runtime function, `reduce_axis`, whose
Python body is NumPy's own and whose numba version is a loop nest written for the array's
number of dimensions and the (literal) axis:

    m = _np.mean(x, axis=0)          ->    m = reduce_axis('mean', x, 0, False, 0)
    v = _np.var(x, 1, keepdims=True) ->    v = reduce_axis('var', x, 1, True, 0)
    t = x.max(axis=-1)               ->    t = reduce_axis('max', x, -1, False, 0)

Only literal axes (an int, negative included), keepdims and ddof are rewritten; a call with
anything else is left to numba (which reports it at the user's line). Also rewritten, the
same way: vector norms along an axis (`np.linalg.norm(x, ord, axis=1)` -> reduce_axis('norm',
...), the order read at run time), whole-array reductions with keepdims or ddof (axis None),
and the axis argument numba's np.sort, np.cumsum and np.cumprod lack (`sort_axis(x, axis)`,
`cumulate_axis('sum', x, axis)`: loops over the (outer, axis, inner) slices of a C copy,
for an axis known at run time). The builtin `sum(seq)` becomes the runtime's `sum_of(seq)`
(numba's cannot add a tuple of arrays and numbers), and `np.array(L)` / `np.asarray(L)` of a
list built in place becomes `array_of(L)` (numba rewrites `np.array` of a list filled by the
loop before it into element stores, which fail for arrays); `np.add.at(a, idx, v)` becomes the
runtime's `add_at` (numba has no `ufunc.at`); `np.meshgrid(x, y, indexing='ij')` becomes
`meshgrid_of((x, y), indexing='ij')` (numba's overloads take no keywords after `*xi`);
`np.matmul(a, b)` becomes `a @ b` (numba has no np.matmul; its `@` takes 1-d and 2-d operands,
runtime_numba_numpy.py's n-d ones); `np.average(x, axis=k)` without weights is np.mean's;
`x.astype(int)` (a builtin type) is `x.astype(np.int64)`; `np.int64(x)` & co. become `cast_as(x, np.int64)`
(numba casts numbers only: an array is cast with astype); `x.flatten('F')`, `x.reshape(shape,
order='F')` and `np.concatenate(arrays, axis=None)` are written with C-order operations. And (MaskReads) a read `a[m]` whose
index is a boolean mask -- a comparison, a predicate such as np.isnan, their &/|/~, or a name
bound once to one -- becomes `take_mask(a, m)`, numba's own for a 1-d mask and a flattening
read for an n-d one (numba's indexing asserts on those).
"""
import math

import gast
import numpy as np
from numba import types
from numba.core import errors
from numba.extending import overload
from numba.np.unsafe.ndarray import to_fixed_tuple

from ..naming import MATH_ALIAS, NUMPY_ALIAS
from ..diff.lists import ListInfo
from ..diff.runtime import add_at, array_of, meshgrid_of, sum_of, take_mask
from ..parse.base import FunctionPass, attribute_path, dotted, function_locals, is_signed_literal, load, located

_BUILTIN_DTYPES = {"int": "int64", "float": "float64", "bool": "bool_", "complex": "complex128"}
KINDS = {"sum": "sum", "mean": "mean", "var": "var", "std": "std", "max": "max", "amax": "max", "min": "min", "amin": "min",
         "prod": "prod", "ptp": "ptp", "any": "any", "all": "all", "average": "mean"}
_NUMPY = {"sum": np.sum, "mean": np.mean, "var": np.var, "std": np.std, "max": np.max, "min": np.min, "prod": np.prod,
          "ptp": np.ptp, "any": np.any, "all": np.all}


def reduce_axis(kind, x, axis, keepdims=False, ddof=0):
    """np.<kind>(x, axis=axis, keepdims=keepdims[, ddof=ddof]) (in numba: loops); for
    kind 'norm', `ddof` is the vector norm's order (a float, read at run time) (np.linalg.norm(x, ddof, axis, keepdims))."""
    if kind in ("var", "std"):
        return _NUMPY[kind](x, axis=axis, keepdims=keepdims, ddof=ddof)
    if kind == "norm":
        return np.linalg.norm(x, ord=ddof, axis=axis, keepdims=keepdims)
    return _NUMPY[kind](x, axis=axis, keepdims=keepdims)


def cumulate_axis(kind, x, axis):
    """np.cumsum / np.cumprod (kind 'sum' / 'prod') of x along an axis (numba's take none)."""
    return np.cumsum(x, axis) if kind == "sum" else np.cumprod(x, axis)


def matrix_norm(x, ord, axis=None):
    """np.linalg.norm(x, ord, axis) of matrices: ord 'fro' | 'nuc' (numba's norm rejects string
    orders at run time), or any matrix ord over a pair of axes (numba's norm takes no axis)."""
    return np.linalg.norm(x, ord, axis)


def reshape_f(x, shape):
    """np.reshape(x, shape, order='F') (numba reshapes in C order only)."""
    return np.reshape(x, shape, order="F")


def concat_flat(arrays):
    """np.concatenate(arrays, axis=None): the flattened arrays joined."""
    return np.concatenate(arrays, axis=None)


_SCALAR_TYPES = frozenset({"int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "intp",
                           "float16", "float32", "float64", "complex64", "complex128", "bool_"})


def cast_as(x, dtype):
    """np.int64(x) & co.: numba calls them on numbers only; an array is cast with astype."""
    return dtype(x)


def sort_axis(x, axis):
    """np.sort(x, axis) (numba's np.sort sorts the last axis only, without the argument)."""
    return np.sort(x, axis)


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

    def _int_pair(self, node):
        """Whether node is a literal pair of ints, or a module constant bound to one."""
        if isinstance(node, gast.Tuple):
            return len(node.elts) == 2 and all(type(self._literal(e)) is int for e in node.elts)
        if isinstance(node, gast.Name) and node.id in self.ctx.program.constants \
                and node.id not in function_locals(self.ctx.tree):
            value = self.ctx.program.constants[node.id]
            return type(value) is tuple and len(value) == 2 and all(type(v) is int for v in value)
        if isinstance(node, gast.Name):  # a temporary bound once to a literal pair
            values = [n.value for n in gast.walk(self.ctx.tree) if isinstance(n, (gast.Assign, gast.AugAssign, gast.For))
                      and any(isinstance(t, gast.Name) and t.id == node.id
                              for t in gast.walk(n.targets[0] if isinstance(n, gast.Assign) else n.target))]
            return len(values) == 1 and isinstance(values[0], gast.Tuple) and self._int_pair(values[0])
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
        reshape_f(x, shape) (numba reshapes and flattens in C order only); None for anything else."""
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
        if len(order) != 1 or not (isinstance(order[0], gast.Constant) and order[0].value == "F"):
            return None
        if f.attr == "flatten":
            return located(gast.Call(func=dotted(f"{NUMPY_ALIAS}.ravel"), args=[f.value],
                                     keywords=[gast.keyword(arg="order", value=order[0])]), node)
        if not args or any(isinstance(e, gast.Starred) for e in args):
            return None
        shape = args[0] if len(args) == 1 else gast.Tuple(elts=args, ctx=gast.Load())
        return self._call(reshape_f, "reshape_f", [f.value, shape], node)

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
        if self._int_pair(pair) and "x" in given and not keep:  # a matrix norm over two axes
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
        if attribute_path(f) == f"{NUMPY_ALIAS}.matmul" and len(node.args) == 2 and not node.keywords:
            # numba's np.matmul is missing; `@` is numba's (1-d, 2-d) or the runtime's (n-d)
            return located(gast.BinOp(left=node.args[0], op=gast.MatMult(), right=node.args[1]), node)
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
        elif f.attr in _NUMPY and not isinstance(f.value, gast.Name) or f.attr in _NUMPY and \
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
        for n in gast.walk(self.ctx.tree):
            if isinstance(n, gast.Assign):
                for t in n.targets:
                    for name in gast.walk(t):
                        if isinstance(name, gast.Name):
                            binds.setdefault(name.id, []).append(n.value if t is name else None)
            elif isinstance(n, (gast.For, gast.AugAssign)):
                for name in gast.walk(n.target):
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


# -- the numba version ------------------------------------------------------------------------
_CACHE = {}


def _lines(kind, nd, a, keepdims, ddof, dtype):
    """Source of impl(kind, x, axis, keepdims, ddof) for an `nd`-d array reduced along `a`
    into an array of `dtype` (source text: "x.dtype", "np.float64"...)."""
    outer = [d for d in range(nd) if d != a]
    out_shape = ", ".join(f"x.shape[{d}]" for d in outer) + ("," if len(outer) == 1 else "")
    kept = ", ".join("1" if d == a else f"x.shape[{d}]" for d in range(nd)) + ("," if nd == 1 else "")
    oi = ", ".join(f"i{d}" for d in outer) or "0"
    xi = ", ".join(f"i{d}" for d in range(nd))
    lines = [f"def impl(kind, x, axis, keepdims=False, ddof=0):", f"    n = x.shape[{a}]"]
    if kind in ("max", "min", "ptp"):
        lines += ["    if n == 0:", "        raise ValueError('zero-size array to reduction operation which has no identity')"]
    if outer:
        lines.append(f"    out = np.empty(({out_shape}), {dtype})")
    else:
        lines.append(f"    out = np.empty(1, {dtype})")
    if kind == "ptp":
        lines.append("    low = np.empty_like(out)")

    def loop(body, first_only=False, start=0):
        """Nested loops over x (the reduced axis from `start`, or only its first element)."""
        out_lines = []
        depth = 1
        for d in range(nd):
            if d == a:
                rng = "range(1)" if first_only else f"range({start}, n)"
            else:
                rng = f"range(x.shape[{d}])"
            out_lines.append("    " * depth + f"for i{d} in {rng}:")
            depth += 1
        out_lines += ["    " * depth + b for b in body]
        return out_lines

    if kind in ("mean", "var", "std"):
        lines += ["    out[...] = 0.0"] if outer else ["    out[0] = 0.0"]
        lines += loop([f"out[{oi}] += x[{xi}]"])
        lines += ["    out /= n"]
        if kind != "mean":
            lines += ["    m = out.copy()", "    out[...] = 0.0"]
            lines += loop([f"dv = x[{xi}] - m[{oi}]", f"out[{oi}] += dv * dv"])
            lines += [f"    out /= max(n - ddof, 0)"]
            if kind == "std":
                lines += ["    out[...] = np.sqrt(out)"]
    elif kind == "norm":  # a vector p-norm along the axis; ddof holds p (a run-time float)
        lines += ["    p = float(ddof)", "    out[...] = np.inf if p == -np.inf else 0.0"]
        lines += loop([f"v = abs(x[{xi}])", "if p == np.inf:", f"    out[{oi}] = max(out[{oi}], v)",
                       "elif p == -np.inf:", f"    out[{oi}] = min(out[{oi}], v)",
                       "elif p == 0:", f"    out[{oi}] += 1.0 if v != 0 else 0.0",
                       "elif p == 1:", f"    out[{oi}] += v", "elif p == 2:", f"    out[{oi}] += v * v",
                       "else:", f"    out[{oi}] += v ** p"])
        lines += ["    if p == 2:", "        out[...] = np.sqrt(out)",
                  "    elif p != 1 and p != 0 and p != np.inf and p != -np.inf:", "        out[...] = out ** (1.0 / p)"]
    elif kind in ("sum", "prod", "any", "all"):
        init = {"sum": "0", "prod": "1", "any": "False", "all": "True"}[kind]
        step = {"sum": f"out[{oi}] += x[{xi}]", "prod": f"out[{oi}] *= x[{xi}]", "any": f"out[{oi}] = out[{oi}] or x[{xi}] != 0",
                "all": f"out[{oi}] = out[{oi}] and x[{xi}] != 0"}[kind]
        lines += [f"    out[...] = {init}"]
        lines += loop([step])
    else:  # max, min, ptp: start from the first element along the axis; NaN wins, as NumPy's
        lines += loop([f"out[{oi}] = x[{xi}]"] + ([f"low[{oi}] = x[{xi}]"] if kind == "ptp" else []), first_only=True)
        hi = [f"v = x[{xi}]", f"if v != v or (v > out[{oi}] and out[{oi}] == out[{oi}]):", f"    out[{oi}] = v"]
        lo = [f"v = x[{xi}]", f"if v != v or (v < {'low' if kind == 'ptp' else 'out'}[{oi}] and "
              f"{'low' if kind == 'ptp' else 'out'}[{oi}] == {'low' if kind == 'ptp' else 'out'}[{oi}]):",
              f"    {'low' if kind == 'ptp' else 'out'}[{oi}] = v"]
        lines += loop(hi if kind == "max" else lo if kind == "min" else hi + lo, start=1)
        if kind == "ptp":
            lines += ["    out -= low"]
    if keepdims:
        lines.append(f"    return out.reshape(({kept}))")
    elif outer:
        lines.append("    return out")
    else:
        lines.append("    return out[0]")
    return lines


@overload(reduce_axis, prefer_literal=True)
def _ol_reduce_axis(kind, x, axis, keepdims=False, ddof=0):
    def lit(t, default=None):
        if t is None or isinstance(t, (types.Omitted, types.NoneType)):
            return getattr(t, "value", default)
        return getattr(t, "literal_value", None)
    whole = isinstance(axis, types.NoneType)  # the whole array: its flat copy along axis 0
    k, a, keep, dd = lit(kind), 0 if whole else lit(axis), lit(keepdims, False), lit(ddof, 0)
    if k == "norm":
        dd = 0  # the order is read at run time
    if not isinstance(x, types.Array) or k is None or a is None or keep is None or dd is None:
        return None
    if not -x.ndim <= a < x.ndim:
        raise errors.TypingError(f"axis {a} is out of bounds for an array of dimension {x.ndim}")
    a %= x.ndim
    dtype = "x.dtype"  # NumPy's result types:
    if k in ("any", "all"):
        dtype = "np.bool_"
    elif k in ("mean", "var", "std", "norm") and not isinstance(x.dtype, types.Float):
        dtype = "np.float64"
    elif k in ("sum", "prod") and isinstance(x.dtype, (types.Boolean, types.Integer)):
        dtype = "np.uint64" if getattr(x.dtype, "signed", True) is False else "np.int64"
    key = (k, x.ndim, a, bool(keep), dd, dtype, whole)
    impl = _CACHE.get(key)
    if impl is None:
        if whole:
            lines = _lines(k, 1, 0, False, dd, dtype)
            lines.insert(1, "    shape = x.shape")
            lines.insert(2, "    x = np.ascontiguousarray(x).reshape(-1)")
            if keep:
                lines[-1] = f"    return np.full({(1,) * x.ndim}, out[0])"
        else:
            lines = _lines(k, x.ndim, a, bool(keep), dd, dtype)
        env = {"np": np, "math": math}
        exec("\n".join(lines), env)
        impl = _CACHE[key] = env["impl"]
    return impl


@overload(cumulate_axis, prefer_literal=True)
def _ol_cumulate_axis(kind, x, axis):
    if not isinstance(x, types.Array) or not isinstance(kind, types.StringLiteral):
        return None
    prod = kind.literal_value == "prod"
    dtype = x.dtype if isinstance(x.dtype, (types.Float, types.Complex)) else types.int64

    def impl(kind, x, axis):  # along each (outer, :, inner) slice
        ax = axis % x.ndim
        n, outer, inner = x.shape[ax], 1, 1
        for d in range(x.ndim):
            if d < ax:
                outer *= x.shape[d]
            elif d > ax:
                inner *= x.shape[d]
        x3 = np.ascontiguousarray(x).reshape((outer, n, inner))
        out = np.empty((outer, n, inner), dtype)
        for i in range(outer):
            for k in range(inner):
                acc = 1 if prod else 0
                for j in range(n):
                    acc = acc * x3[i, j, k] if prod else acc + x3[i, j, k]
                    out[i, j, k] = acc
        return out.reshape(x.shape)
    return impl


@overload(sort_axis, prefer_literal=True)
def _ol_sort_axis(x, axis):
    if not isinstance(x, types.Array):
        return None
    if isinstance(axis, types.NoneType):
        return lambda x, axis: np.sort(np.ascontiguousarray(x).reshape(-1))

    def impl(x, axis):  # each (outer, :, inner) slice sorted on its own
        ax = axis % x.ndim
        n, outer, inner = x.shape[ax], 1, 1
        for d in range(x.ndim):
            if d < ax:
                outer *= x.shape[d]
            elif d > ax:
                inner *= x.shape[d]
        out = np.ascontiguousarray(x).reshape((outer, n, inner)).copy()
        for i in range(outer):
            for k in range(inner):
                out[i, :, k] = np.sort(out[i, :, k])
        return out.reshape(x.shape)
    return impl


def _matrix_norm_call(ord):
    """The norm of one matrix `m` as text, for `ord` (a type)."""
    if ord is None or isinstance(ord, (types.NoneType, types.Omitted)) or \
            isinstance(ord, types.StringLiteral) and ord.literal_value == "fro":
        return "np.sqrt(np.sum(np.abs(m) ** 2))"
    if isinstance(ord, types.StringLiteral) and ord.literal_value == "nuc":
        return "np.sum(np.linalg.svd(np.ascontiguousarray(m))[1])"
    if isinstance(ord, (types.Integer, types.Float)):
        return "np.linalg.norm(np.ascontiguousarray(m), ord)"
    return None


def _matrix_norm_lines(n, call):
    """impl: the norm of each matrix over the axes `axis` (moved last) of an n-d x."""
    from ..diff.runtime_numba_norms import matrices_lines

    return ["def impl(x, ord, axis=None):"] + matrices_lines(n) + [
            "    out = np.empty(count)",
            "    for i in range(count):",
            "        m = ms[i]",
            f"        out[i] = {call}",
            "    return out.reshape(lead)" if n > 2 else "    return out[0]"]


_MATRIX_NORMS = {}


@overload(matrix_norm, prefer_literal=True)
def _ol_matrix_norm(x, ord, axis=None):
    if not isinstance(x, types.Array):
        return None
    if isinstance(axis, types.BaseTuple) and len(axis) == 2:
        call = _matrix_norm_call(ord)
        if call is None:
            return None
        key = (x.ndim, call)
        if key not in _MATRIX_NORMS:
            ns = {"np": np, "to_fixed_tuple": to_fixed_tuple}
            exec("\n".join(_matrix_norm_lines(x.ndim, call)), ns)
            _MATRIX_NORMS[key] = ns["impl"]
        return _MATRIX_NORMS[key]
    if not isinstance(ord, types.StringLiteral):
        return None
    if x.ndim != 2:
        raise errors.TypingError(f"np.linalg.norm with ord={ord.literal_value!r} takes a 2-d array (got {x.ndim}-d)")
    if ord.literal_value == "fro":
        return lambda x, ord, axis=None: np.sqrt(np.sum(x * x))
    return lambda x, ord, axis=None: np.sum(np.linalg.svd(np.ascontiguousarray(x))[1])


@overload(cast_as)
def _ol_cast_as(x, dtype):
    if isinstance(x, types.Array):
        return lambda x, dtype: x.astype(dtype)
    return lambda x, dtype: dtype(x)


@overload(reshape_f)
def _ol_reshape_f(x, shape):
    if not isinstance(x, types.Array):
        return None
    n = len(shape) if isinstance(shape, types.BaseTuple) else 1
    flipped = "(" + "".join(f"shape[{n - 1 - d}], " for d in range(n)) + ")" if isinstance(shape, types.BaseTuple) \
        else "(shape,)"
    # F order of x is C order of x.T; the C reshape to the reversed shape, transposed, reads it in F order
    lines = ["def impl(x, shape):", "    flat = np.ascontiguousarray(x.T).reshape(-1)", f"    return flat.reshape({flipped}).T"]
    env = {"np": np}
    exec("\n".join(lines), env)
    return env["impl"]


@overload(concat_flat)
def _ol_concat_flat(arrays):
    if isinstance(arrays, types.BaseTuple):
        parts = "".join(f"np.ravel(arrays[{j}]), " for j in range(len(arrays)))
        env = {"np": np}
        exec(f"def impl(arrays):\n    return np.concatenate(({parts}))", env)
        return env["impl"]
    if isinstance(arrays, types.List):
        def impl(arrays):
            total = 0
            for a in arrays:
                total += a.size
            out = np.empty(total, arrays[0].dtype)
            k = 0
            for a in arrays:
                out[k:k + a.size] = np.ravel(a)
                k += a.size
            return out
        return impl
