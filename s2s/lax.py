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
    """`carry, y = f(carry, x)` for each x, the leading-axis slices of xs (from the last with
    `reverse`); returns (carry, ys), ys the y's stacked along a new leading axis. xs and y
    may be pytrees (a tuple of arrays, a dict, ...), y None; with xs None, f gets None
    `length` times. `unroll` is a hint (loops stay loops here).

    Inside a transformed function the call becomes a plain loop made for what the call shows
    (parse/macros.py, `scan_variant`): xs None, one array or a tuple written in the call, and
    y None, one value or a tuple -- read from the assignment (`c, (a, b) = lax.scan(...)`) or
    from f's return statements (`return c, (a, b)`)."""
    from . import tree_util

    if xs is None:
        if length is None:
            raise ValueError("lax.scan with xs=None needs length=")
        n = int(length)
    else:
        lengths = {np.shape(leaf)[0] if np.ndim(leaf) else None for leaf in tree_util.tree_leaves(xs)}
        if None in lengths or len(lengths) != 1:
            raise ValueError("lax.scan: the leaves of xs must be arrays with the same leading axis length "
                             f"(got {sorted(lengths, key=str)})")
        n = lengths.pop()
        if length is not None and int(length) != n:
            raise ValueError(f"lax.scan: length={length} but xs has leading axis length {n}")
    if n == 0:
        raise ValueError("scan over an empty sequence: ys would have no shape")
    carry, ys = init, [None] * n
    for k in (range(n - 1, -1, -1) if reverse else range(n)):
        x = None if xs is None else tree_util.tree_map(lambda a: a[k], xs)
        carry, ys[k] = f(carry, x)
    return carry, tree_util.tree_map(lambda *y: np.stack([np.asarray(v) for v in y]), *ys)


_SCAN_VARIANTS = {}


def scan_variant(nx, ny):
    """The helper a transformed `lax.scan` call runs: xs is `nx` ("none", "one" or the number
    of arrays in a tuple, f getting a tuple of their rows) and f's y is `ny` ("none", "one"
    or the length of a tuple). Made once per kind as plain Python (its source in linecache),
    transformed like a helper of yours:

        def scan_2_one(f, init, xs0, xs1, reverse):
            n = xs0.shape[0]
            ...
            carry, y = f(init, (xs0[k], xs1[k]))
            ys = np.zeros((n,) + np.shape(np.asarray(y)))
            ...
            return carry, ys"""
    key = (nx, ny)
    if key not in _SCAN_VARIANTS:
        _SCAN_VARIANTS[key] = _make_scan(nx, ny)
    return _SCAN_VARIANTS[key]


def _tuple(names):
    names = list(names)
    return f"({names[0]},)" if len(names) == 1 else f"({', '.join(names)})"


def _make_scan(nx, ny):
    import hashlib
    import linecache

    name = f"scan_{nx}_{ny}"
    if nx == "none":
        xs, size, x = ["length"], "length", "None"
    elif nx == "one":
        xs, size, x = ["xs"], "xs.shape[0]", "xs[k]"
    else:
        xs, size = [f"xs{j}" for j in range(nx)], "xs0.shape[0]"
        x = _tuple(f"xs{j}[k]" for j in range(nx))
    if ny == "none":
        ys, y = [], "_"
    elif ny == "one":
        ys, y = ["ys"], "y"
    else:
        ys = [f"ys{j}" for j in range(ny)]
        y = _tuple(f"y{j}" for j in range(ny))
    ynames = ["y"] if ny == "one" else [f"y{j}" for j in range(len(ys))]
    lines = [f"def {name}(f, init, {', '.join(xs)}, reverse):",
             f"    n = {size}",
             "    if n == 0:",
             "        raise ValueError('scan over an empty sequence: ys would have no shape')",
             "    k = n - 1 if reverse else 0",
             f"    carry, {y} = f(init, {x})"]
    lines += [f"    {a} = np.zeros((n,) + np.shape(np.asarray({b})))" for a, b in zip(ys, ynames)]
    lines += [f"    {a}[k] = {b}" for a, b in zip(ys, ynames)]
    lines += ["    for i in range(1, n):",
              "        k = n - 1 - i if reverse else i",
              f"        carry, {y} = f(carry, {x})"]
    lines += [f"        {a}[k] = {b}" for a, b in zip(ys, ynames)]
    result = "None" if ny == "none" else "ys" if ny == "one" else _tuple(ys)
    lines.append(f"    return carry, {result}")
    text = "\n".join(lines) + "\n"
    filename = f"<s2s: lax.scan {hashlib.sha1(text.encode()).hexdigest()[:12]}>"
    linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
    ns = {"np": np}
    exec(compile(text, filename, "exec"), ns)
    fn = ns[name]
    fn.__s2s_function__ = fn
    return fn


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
    for fn in (fori_loop, while_loop, cond, _cond0, _cond1, _cond2, _cond3, select, map,
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
