"""JAX's structured control flow, for code written against `jax.lax`.

s2s differentiates and compiles Python's own `for`, `while` and `if`, so these are plain
Python functions that run them: inside a transformed function they are transformed like a
helper of yours, made for the functions you pass (closures included), so
`lax.fori_loop(0, n, body, x)` becomes the loop it stands for. Outside one they simply run.
The semantics are JAX's, except that nothing is traced: `pred` of `cond` may be any truth
value, and the loop bounds of `fori_loop` may be run-time values under `grad` too.
"""
import numpy as np

from .custom import stop_gradient  # jax.lax.stop_gradient is jax.stop_gradient

__all__ = ["fori_loop", "while_loop", "cond", "switch", "scan", "map", "select", "stop_gradient",
           "dynamic_slice", "dynamic_update_slice", "dynamic_slice_in_dim", "dynamic_index_in_dim",
           "dynamic_update_slice_in_dim"]


def fori_loop(lower, upper, body_fun, init_val):
    """`val = body_fun(i, val)` for i in range(lower, upper); returns the final val."""
    val = init_val
    for i in range(lower, upper):
        val = body_fun(i, val)
    return val


def while_loop(cond_fun, body_fun, init_val):
    """`val = body_fun(val)` while cond_fun(val); returns the final val."""
    val = init_val
    while cond_fun(val):
        val = body_fun(val)
    return val


def cond(pred, true_fun, false_fun, *operands):
    """true_fun(*operands) if pred else false_fun(*operands)."""
    if pred:
        return true_fun(*operands)
    return false_fun(*operands)


# What a transformed call of cond runs, by its number of operands (resolve picks one:
# `__s2s_by_arity__`), since transformed code passes arguments one by one.
def _cond0(pred, true_fun, false_fun):
    if pred:
        return true_fun()
    return false_fun()


def _cond1(pred, true_fun, false_fun, a):
    if pred:
        return true_fun(a)
    return false_fun(a)


def _cond2(pred, true_fun, false_fun, a, b):
    if pred:
        return true_fun(a, b)
    return false_fun(a, b)


def _cond3(pred, true_fun, false_fun, a, b, c):
    if pred:
        return true_fun(a, b, c)
    return false_fun(a, b, c)


cond.__s2s_by_arity__ = {3: _cond0, 4: _cond1, 5: _cond2, 6: _cond3}


def scan(f, init, xs=None, length=None, reverse=False, unroll=1):
    """`carry, y = f(carry, xs[i])` for each i (from the last with `reverse`); returns
    (carry, ys stacked along axis 0, ys[i] from xs[i]). With xs None, f gets None `length`
    times. The ys are arrays or numbers and xs an array (not pytrees); `unroll` is a hint.

    Inside a transformed function the call becomes `_scan_xs` or `_scan_none` by whether xs
    is written as None (or left out) there (parse/macros.py): both cannot be compiled for one
    call, since f takes either an element or None."""
    if xs is None:
        return _scan_none(f, init, length, reverse)
    return _scan_xs(f, init, xs, reverse)


def _scan_xs(f, init, xs, reverse):
    """scan over the rows of xs."""
    n = xs.shape[0]
    if n == 0:
        raise ValueError("scan over an empty sequence: ys would have no shape")
    k = n - 1 if reverse else 0
    carry, y = f(init, xs[k])
    ys = np.zeros((n,) + np.shape(np.asarray(y)))
    ys[k] = y
    for i in range(1, n):
        k = n - 1 - i if reverse else i
        carry, y = f(carry, xs[k])
        ys[k] = y
    return carry, ys


def _scan_none(f, init, n, reverse):
    """scan without xs: f(carry, None), n times."""
    if n == 0:
        raise ValueError("scan over an empty sequence: ys would have no shape")
    k = n - 1 if reverse else 0
    carry, y = f(init, None)
    ys = np.zeros((n,) + np.shape(np.asarray(y)))
    ys[k] = y
    for i in range(1, n):
        k = n - 1 - i if reverse else i
        carry, y = f(carry, None)
        ys[k] = y
    return carry, ys


def map(f, xs):
    """`f` of each xs[i] (an array's rows), stacked: JAX's lax.map (a loop, as scan's)."""
    n = xs.shape[0]
    if n == 0:
        raise ValueError("map over an empty sequence: its result would have no shape")
    y = f(xs[0])
    ys = np.zeros((n,) + np.shape(np.asarray(y)))
    ys[0] = y
    for i in range(1, n):
        ys[i] = f(xs[i])
    return ys


def dynamic_slice_in_dim(operand, start_index, slice_size, axis=0):
    """operand[..., start:start + slice_size, ...] along `axis`, the start clamped so the
    slice fits (as JAX)."""
    start = min(max(start_index, 0), operand.shape[axis] - slice_size)
    return np.moveaxis(np.moveaxis(operand, axis, 0)[start:start + slice_size], 0, axis)


def dynamic_index_in_dim(operand, index, axis=0, keepdims=True):
    """The slice of one element along `axis` (kept as an axis of length 1 with keepdims)."""
    if keepdims:
        return dynamic_slice_in_dim(operand, index, 1, axis)
    return np.moveaxis(operand, axis, 0)[min(max(index, 0), operand.shape[axis] - 1)]


def dynamic_update_slice_in_dim(operand, update, start_index, axis):
    """operand with `update` written from start_index along `axis` (the start clamped so it
    fits); operand itself is not changed."""
    start = min(max(start_index, 0), operand.shape[axis] - update.shape[axis])
    out = np.moveaxis(operand, axis, 0).copy()
    out[start:start + update.shape[axis]] = np.moveaxis(update, axis, 0)
    return np.moveaxis(out, 0, axis)


def select(pred, on_true, on_false):
    """Elementwise on_true where pred else on_false."""
    return np.where(pred, on_true, on_false)


def dynamic_slice(operand, start_indices, slice_sizes):
    """operand[s0:s0 + k0, s1:s1 + k1, ...], each start clamped so its slice fits (as JAX).
    Inside a transformed function the starts and sizes are tuples written in the call."""
    out = operand
    for axis, (start, size) in enumerate(zip(start_indices, slice_sizes)):
        out = dynamic_slice_in_dim(out, start, size, axis)
    return out


def dynamic_update_slice(operand, update, start_indices):
    """operand with `update` written at start_indices (each clamped so it fits); operand
    itself is not changed. Inside a transformed function the starts are a tuple written in the call."""
    starts = [min(max(s, 0), operand.shape[d] - update.shape[d]) for d, s in enumerate(start_indices)]
    out = operand.copy()
    out[tuple(slice(s, s + update.shape[d]) for d, s in enumerate(starts))] = update
    return out


# What a transformed call of dynamic_slice / dynamic_update_slice runs, by the number of starts
# (parse/macros.py writes the tuples out as arguments).
def _dynamic_slice1(x, s0, k0):
    a = min(max(s0, 0), x.shape[0] - k0)
    return x[a:a + k0]


def _dynamic_slice2(x, s0, s1, k0, k1):
    a, b = min(max(s0, 0), x.shape[0] - k0), min(max(s1, 0), x.shape[1] - k1)
    return x[a:a + k0, b:b + k1]


def _dynamic_slice3(x, s0, s1, s2, k0, k1, k2):
    a, b = min(max(s0, 0), x.shape[0] - k0), min(max(s1, 0), x.shape[1] - k1)
    c = min(max(s2, 0), x.shape[2] - k2)
    return x[a:a + k0, b:b + k1, c:c + k2]


def _dynamic_update_slice1(x, u, s0):
    a = min(max(s0, 0), x.shape[0] - u.shape[0])
    out = x.copy()
    out[a:a + u.shape[0]] = u
    return out


def _dynamic_update_slice2(x, u, s0, s1):
    a, b = min(max(s0, 0), x.shape[0] - u.shape[0]), min(max(s1, 0), x.shape[1] - u.shape[1])
    out = x.copy()
    out[a:a + u.shape[0], b:b + u.shape[1]] = u
    return out


def _dynamic_update_slice3(x, u, s0, s1, s2):
    a, b = min(max(s0, 0), x.shape[0] - u.shape[0]), min(max(s1, 0), x.shape[1] - u.shape[1])
    c = min(max(s2, 0), x.shape[2] - u.shape[2])
    out = x.copy()
    out[a:a + u.shape[0], b:b + u.shape[1], c:c + u.shape[2]] = u
    return out


def _mark():
    # Transformed like a user's helper (s2s's own modules are otherwise library code).
    for fn in (fori_loop, while_loop, cond, _cond0, _cond1, _cond2, _cond3, scan, _scan_xs, _scan_none, select, map,
               dynamic_slice_in_dim, dynamic_index_in_dim, dynamic_update_slice_in_dim, _dynamic_slice1,
               _dynamic_slice2, _dynamic_slice3, _dynamic_update_slice1, _dynamic_update_slice2, _dynamic_update_slice3):
        fn.__s2s_function__ = fn


_mark()


def switch(index, branches, *operands):
    """branches[clamp(index, 0, len(branches) - 1)](*operands), as jax.lax.switch.

    Inside a transformed function the call becomes the chain of conditional expressions it
    stands for (parse/macros.py), so the branches must be a list written in the call."""
    k = min(max(int(index), 0), len(branches) - 1)
    return branches[k](*operands)


switch.__s2s_macro__ = True
scan.__s2s_macro__ = True
dynamic_slice.__s2s_macro__ = True
dynamic_update_slice.__s2s_macro__ = True
