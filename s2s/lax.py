"""JAX's structured control flow, for code written against `jax.lax`.

s2s differentiates and compiles Python's own `for`, `while` and `if`, so these are plain
Python functions that run them: inside a transformed function they are transformed like a
helper of yours, made for the functions you pass (closures included), so
`lax.fori_loop(0, n, body, x)` becomes the loop it stands for. Outside one they simply run.
The semantics are JAX's, except that nothing is traced: `pred` of `cond` may be any truth
value, and the loop bounds of `fori_loop` may be run-time values under `grad` too.
"""
import numpy as np


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


def scan(f, init, xs):
    """`carry, y = f(carry, xs[i])` for each i; returns (carry, ys stacked along axis 0).
    The ys are arrays or numbers (not pytrees), and xs an array (not None with a length)."""
    n = xs.shape[0]
    if n == 0:
        raise ValueError("scan over an empty sequence: ys would have no shape")
    carry, y = f(init, xs[0])
    ys = np.zeros((n,) + np.shape(np.asarray(y)))
    ys[0] = y
    for i in range(1, n):
        carry, y = f(carry, xs[i])
        ys[i] = y
    return carry, ys


def select(pred, on_true, on_false):
    """Elementwise on_true where pred else on_false."""
    return np.where(pred, on_true, on_false)


def _mark():
    # Transformed like a user's helper (s2s's own modules are otherwise library code).
    for fn in (fori_loop, while_loop, cond, _cond0, _cond1, _cond2, _cond3, scan, select):
        fn.__s2s_function__ = fn


_mark()


def switch(index, branches, *operands):
    """branches[clamp(index, 0, len(branches) - 1)](*operands), as jax.lax.switch.

    Inside a transformed function the call becomes the chain of conditional expressions it
    stands for (parse/macros.py), so the branches must be a list written in the call."""
    k = min(max(int(index), 0), len(branches) - 1)
    return branches[k](*operands)


switch.__s2s_macro__ = True
