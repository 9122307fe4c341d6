"""Elementwise operations: ufuncs, operators, `np.where`/`np.clip`, builtins and `math`
functions of batched scalars. They broadcast, so the batched form is the same call once
every batched operand has the batch axis first *and* as many dimensions as the widest
operand (`c.broadcast` inserts the missing axes after the batch axis: `x[:, None]`).
"""
import math

import gast
import numpy as np

from ...diff import runtime as diff_runtime
from .base import register

_COMPARE = {gast.Eq: "==", gast.NotEq: "!=", gast.Lt: "<", gast.LtE: "<=", gast.Gt: ">", gast.GtE: ">=",
            gast.Is: None, gast.IsNot: None, gast.In: None, gast.NotIn: None}
_BINOPS = {gast.Add: "+", gast.Sub: "-", gast.Mult: "*", gast.Div: "/", gast.FloorDiv: "//", gast.Mod: "%",
           gast.Pow: "**", gast.BitAnd: "&", gast.BitOr: "|", gast.BitXor: "^", gast.LShift: "<<",
           gast.RShift: ">>"}
_UNARY_OPS = {gast.USub: "-", gast.UAdd: "+", gast.Invert: "~"}

# kinds: 'b' bool, 'i' integer, 'f' float, 'c' complex, None unknown
_BOOL_RESULT = {np.equal, np.not_equal, np.less, np.less_equal, np.greater, np.greater_equal, np.logical_and,
                np.logical_or, np.logical_xor, np.logical_not, np.isnan, np.isinf, np.isfinite, np.signbit}
_FLOAT_RESULT = {np.true_divide, np.sqrt, np.exp, np.log, np.sin, np.cos, np.tanh, np.float_power, np.arctan2,
                 gast.Div}


def _kind(key, ops):
    if key in _BOOL_RESULT or key in _COMPARE:
        return "b"
    kinds = [o.kind for o in ops]
    if None in kinds:
        return None
    if "c" in kinds:
        return "c"
    if "f" in kinds or key in _FLOAT_RESULT:
        return "f"
    if all(k == "b" for k in kinds) and key in (gast.BitAnd, gast.BitOr, gast.BitXor, gast.Invert, np.minimum,
                                                 np.maximum, np.logical_and, np.logical_or):
        return "b"
    return "i"


def broadcasting(key, template):
    """The rule of an elementwise function: `template` formats the aligned operands."""
    def rule(c, *ops):
        texts, rank = c.broadcast(ops)
        if not c.batched:
            return c.keep(rank, _kind(key, ops))
        return c.out(template(c, *texts), rank, _kind(key, ops))
    rule.__name__ = f"batch_{getattr(key, '__name__', 'op')}"
    return rule


def ufunc(*fns):
    """NumPy elementwise functions called with positional operands only."""
    for fn in fns:
        register([fn], broadcasting(fn, lambda c, *t: f"{c.func}({', '.join(t)})"))


def operators(table, arity):
    for op, sym in table.items():
        if sym is None:
            continue
        if arity == 1:
            register([op], broadcasting(op, lambda c, a, sym=sym: f"{sym}{a}"))
        else:
            register([op], broadcasting(op, lambda c, a, b, sym=sym: f"{a} {sym} {b}"))


def as_numpy(pairs):
    """Builtins and `math` functions of scalars: batched, the NumPy function of arrays."""
    for fn, np_name in pairs:
        register([fn], broadcasting(fn, lambda c, *t, np_name=np_name: f"{c.np}.{np_name}({', '.join(t)})"))


ufunc(np.negative, np.positive, np.exp, np.exp2, np.expm1, np.log, np.log2, np.log10, np.log1p, np.sqrt, np.cbrt,
      np.square, np.reciprocal, np.abs, np.fabs, np.sign, np.sin, np.cos, np.tan, np.arcsin, np.arccos,
      np.arctan, np.sinh, np.cosh, np.tanh, np.arcsinh, np.arccosh, np.arctanh, np.floor, np.ceil, np.rint,
      np.trunc, np.isnan, np.isinf, np.isfinite, np.signbit, np.logical_not, np.deg2rad,
      np.rad2deg, np.degrees, np.radians, np.invert, np.sinc,
      np.add, np.subtract, np.multiply, np.divide, np.floor_divide, np.mod, np.fmod, np.power,
      np.float_power, np.maximum, np.minimum, np.fmax, np.fmin, np.arctan2, np.hypot, np.logaddexp,
      np.logaddexp2, np.copysign, np.heaviside, np.logical_and, np.logical_or, np.logical_xor, np.equal,
      np.not_equal, np.less, np.less_equal, np.greater, np.greater_equal, np.bitwise_and, np.bitwise_or,
      np.bitwise_xor, np.left_shift, np.right_shift)
operators(_BINOPS, 2)
operators({k: v for k, v in _COMPARE.items() if v is not None}, 2)
operators(_UNARY_OPS, 1)
as_numpy([(abs, "abs"), (math.fabs, "fabs"), (math.exp, "exp"), (math.expm1, "expm1"), (math.log1p, "log1p"),
          (math.log2, "log2"), (math.log10, "log10"), (math.sqrt, "sqrt"), (math.sin, "sin"), (math.cos, "cos"),
          (math.tan, "tan"), (math.asin, "arcsin"), (math.acos, "arccos"), (math.atan, "arctan"),
          (math.sinh, "sinh"), (math.cosh, "cosh"), (math.tanh, "tanh"), (math.asinh, "arcsinh"),
          (math.acosh, "arccosh"), (math.atanh, "arctanh"), (math.atan2, "arctan2"), (math.hypot, "hypot"),
          (math.copysign, "copysign"), (math.degrees, "degrees"),
          (math.radians, "radians"), (math.fmod, "fmod"), (math.pow, "power"), (pow, "power"), (math.isnan, "isnan"),
          (math.isinf, "isinf"), (math.isfinite, "isfinite")]
         + [(getattr(math, n), n) for n in ("exp2", "cbrt") if hasattr(math, n)])  # Python 3.11+


def _not(c, a):
    if not c.batched:
        return c.keep(0, "b")
    return c.out(f"{c.np}.logical_not({a})", a.rank, "b")


register([gast.Not], _not)


def _log(c, x, base=None):
    """`math.log(x)` and `math.log(x, base)`."""
    ops = [x] if base is None else [x, base]
    texts, rank = c.broadcast(ops)
    if not c.batched:
        return c.keep(rank, "f")
    if base is None:
        return c.out(f"{c.np}.log({texts[0]})", rank, "f")
    return c.out(f"{c.np}.log({texts[0]}) / {c.np}.log({texts[1]})", rank, "f")


register([math.log], _log)


def _to_int(np_name):
    """`math.floor`, `math.ceil`, `math.trunc`, `int`: Python ints, so int64 arrays."""
    def rule(c, x):
        if not c.batched:
            return c.keep(0, "i")
        inner = x.text if np_name is None else f"{c.np}.{np_name}({x})"
        return c.out(f"{inner}.astype({c.np}.int64)", x.rank, "i")
    return rule


register([math.floor], _to_int("floor"))
register([math.ceil], _to_int("ceil"))
register([math.trunc], _to_int(None))


def _builtin_cast(np_type, kind):
    """`float(x)`, `int(x)`, `bool(x)`, `complex(x)`: a Python scalar per example."""
    def rule(c, x=None):
        if x is None or not c.batched:
            return c.keep(0, kind)
        if kind == "b":
            return c.out(f"{x} != 0", x.rank, "b")
        return c.out(f"{x}.astype({c.np}.{np_type})", x.rank, kind)
    return rule


register([float], _builtin_cast("float64", "f"))
register([int], _builtin_cast("int64", "i"))
register([bool], _builtin_cast("bool_", "b"))
register([complex], _builtin_cast("complex128", "c"))


def _dtype_constructor(np_type, kind):
    """`np.float64(x)`: a scalar per example, an array cast for the batch."""
    def rule(c, x=0):
        if not hasattr(x, "text"):
            return c.keep(0, kind)
        if not c.batched:
            return c.keep(x.rank, kind)
        return c.out(f"{x}.astype({c.np}.{np_type})", x.rank, kind)
    return rule


for _t in (np.float64, np.float32, np.int64, np.int32, np.complex128, np.bool_):
    register([_t], _dtype_constructor(_t.__name__, np.dtype(_t).kind))


def _astype(c, x, dtype):
    """`x.astype(t)` (the runtime helper the method becomes): elementwise in x."""
    value = getattr(dtype.desc, "value", None)
    try:
        kind = np.dtype(value).kind if value is not None else None
    except TypeError:
        kind = None
    if not c.batched:
        return c.keep(x.rank, kind)
    if dtype.batched:
        c.fail("a mapped dtype")
    return c.out(f"{c.func}({x}, {dtype})", x.rank, kind)


register([diff_runtime.astype], _astype)


def _minmax(np_name):
    """Builtin `min(a, b, ...)` / `max(a, b, ...)` of scalars: np.minimum / np.maximum."""
    def rule(c, *ops):
        if len(ops) < 2:
            c.fail("min/max of one iterable")
        texts, rank = c.broadcast(ops)
        if not c.batched:
            return c.keep(rank, _kind(np.maximum, ops))
        text = texts[0]
        for t in texts[1:]:
            text = f"{c.np}.{np_name}({text}, {t})"
        return c.out(text, rank, _kind(np.maximum, ops))
    return rule


register([min], _minmax("minimum"))
register([max], _minmax("maximum"))


def where(c, condition, x=None, y=None):
    """`np.where(c, x, y)` broadcasts its three operands (one-argument `where` is ragged)."""
    if x is None or y is None:
        if c.batched:
            c.fail("np.where with one argument (a ragged result per example)")
        return c.keep(1 if condition.rank is not None else None)
    texts, rank = c.broadcast([condition, x, y])
    kind = x.kind if x.kind == y.kind else None
    if not c.batched:
        return c.keep(rank, kind)
    return c.out(f"{c.func}({', '.join(texts)})", rank, kind)


def clip(c, a, a_min=None, a_max=None):
    ops = [o for o in (a, a_min, a_max) if o is not None and not (o.is_const and o.value is None)]
    texts, rank = c.broadcast(ops)
    if not c.batched:
        return c.keep(rank, a.kind)
    it = iter(texts)
    args = [next(it) if (o is not None and not (o.is_const and o.value is None)) else "None" for o in (a, a_min, a_max)]
    return c.out(f"{c.func}({', '.join(args)})", rank, a.kind)


register([np.where], where)
register([np.clip], clip)


def _same_shape(c, a, *rest, **kw):
    """`np.copy`, `np.real`, `np.imag`, `np.round`, `np.conj`: one array in, same shape out."""
    if any(getattr(v, "batched", False) for v in list(rest) + list(kw.values())):
        c.fail("mapped extra arguments")
    if not c.batched:
        return c.keep(a.rank, a.kind)
    args = [a.text] + [r.text for r in rest] + [f"{k}={v}" for k, v in kw.items()]
    return c.out(f"{c.func}({', '.join(args)})", a.rank, a.kind)


register([np.copy, np.real, np.imag, np.round, np.around, np.conj, np.angle, np.nan_to_num], _same_shape)
