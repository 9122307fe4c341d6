"""Lists built in place (`L = []; L.append(v)`, comprehensions) under differentiation
(s2s/diff/lists.py): reads `L[i]` (negative too), stores `L[i] = v`, `pop`, `len`, NumPy
functions and builtin `sum` taking the list, a list rebound to an array, lists built inside a
loop -- grad against central differences (Python and s2s.jit), jvp against grad, second
derivatives, vmap of grad; and the refusals."""
import numpy as np
import pytest
from grad_cases import central_difference

import s2s
from s2s.errors import NoDerivativeRuleError, S2SError

X = np.array([0.3, -1.2, 0.7, 0.45])


def comprehension(x):
    ys = [np.sin(x[i]) * x[i] for i in range(3)]
    return ys[0] + ys[1] * ys[-1]


def read_store_pop(x):
    L = []
    for i in range(x.shape[0]):
        L.append(x * i + x[i])
    L[1] = L[1] * L[0]
    v = L.pop()
    return np.sum(np.stack(L) ** 2) + np.sum(v * L[-1]) + len(L)


def built_in_loop(x):
    out = 0.0
    for t in range(3):
        row = [x[j] * (t + 1.0) for j in range(x.shape[0]) if j != t]
        out = out + sum(row) * row[0]
    return out


def rebound_to_array(x):
    out = []
    for i in range(x.shape[0]):
        out.append(np.tanh(x[i]) * x)
    out = np.array(out)
    return np.sum(out * out)


def iterate_list(x):
    terms = []
    for i in range(x.shape[0]):
        terms.append(x[i] ** 2)
    s = 0.0
    for v in terms:
        s = s + v * terms[0]
    return s


def sequence_functions(x):
    parts = [x * k for k in range(1, 4)]
    rows = [np.exp(x[k]) for k in range(3)]
    return (np.sum(np.concatenate(parts) ** 2) + np.sum(np.vstack(parts) * x) + np.sum(np.hstack(parts) ** 3)
            + np.sum(np.array(rows) ** 2) + np.sum(sum(parts)))


def returns_list(x):
    return [x * x, np.sin(x)]


def scalar_sum(x):
    return sum([v * v for v in x])


def mapped(x):
    return sum(map(lambda v: v * np.sin(v), x)) * sum(filter(lambda v: v > 0.0, x)) + max([x[0], x[1] * 2.0])


def rnn_states(x):  # a list that starts as a literal, then grows
    hs = [x[0]]
    for t in range(1, 4):
        hs.append(np.tanh(hs[-1] * x[t] + 0.5))
    return sum(hs) * hs[1]


def reductions_of_a_list(x):
    """np.max/np.min/np.mean/np.std and the builtin max/min of a list of scalars: the rules see
    the array it stands for."""
    L = []
    for i in range(x.shape[0]):
        L.append(np.sin(x[i]) * x[i] + 0.1 * i)
    return (np.max(L) * np.min(L) + np.mean(L) + np.std(L) * np.prod(L) + max(L) - 2.0 * min(L)
            + max(v * v for v in x))  # the builtins of one sequence: np.max's rule


CASES = [reductions_of_a_list, rnn_states, mapped, comprehension, read_store_pop, built_in_loop, rebound_to_array, iterate_list, sequence_functions, scalar_sum]


@pytest.mark.parametrize("fn", CASES, ids=[f.__name__ for f in CASES])
def test_grad_against_finite_differences(fn):
    np.testing.assert_allclose(s2s.grad(fn)(X), central_difference(fn, (X,), 0), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("fn", CASES, ids=[f.__name__ for f in CASES])
def test_jvp_agrees_with_grad(fn):
    v = np.array([0.2, -0.7, 1.1, 0.3])
    _, tangent = s2s.jvp(fn, (X,), (v,))
    np.testing.assert_allclose(tangent, np.dot(s2s.grad(fn)(X), v), rtol=1e-10)


def _fd_hessian(fn, x):
    g = s2s.grad(fn)
    return np.stack([central_difference(lambda z, i=i: g(z)[i], (x,), 0) for i in range(x.size)])


@pytest.mark.parametrize("fn", [comprehension, read_store_pop, built_in_loop, rebound_to_array],
                         ids=["comprehension", "read_store_pop", "built_in_loop", "rebound_to_array"])
def test_second_derivatives(fn):
    fd = _fd_hessian(fn, X)
    np.testing.assert_allclose(s2s.hessian(fn)(X), fd, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(s2s.jacfwd(s2s.jacfwd(fn))(X), fd, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(s2s.jacrev(s2s.grad(fn))(X), fd, rtol=1e-5, atol=1e-7)


def test_vjp_of_a_returned_list():
    out, pullback = s2s.vjp(returns_list, X)
    ct = [np.ones(4), np.full(4, 2.0)]
    (got,) = pullback(ct)
    np.testing.assert_allclose(got, 2 * X + 2.0 * np.cos(X))


def test_vmap_of_grad_matches_stacking():
    xs = np.stack([X, X * 0.5, X - 0.2])
    for fn in (read_store_pop, built_in_loop):
        np.testing.assert_allclose(s2s.vmap(s2s.grad(fn))(xs), np.stack([s2s.grad(fn)(x) for x in xs]))


def compiled(x):  # kept to one function: numba compile time
    parts = [x * np.sin(x[k]) for k in range(3)]
    L = []
    for i in range(x.shape[0]):
        L.append(x[i] ** 2)
    L[0] = L[0] * L[-1]
    total = 0.0
    for v in L:
        total = total + v * L[1]
    return (total + np.sum(np.stack(parts) ** 2) + np.sum(sum(parts) * x) + np.sum([v * v for v in x])
            + np.sum(np.array(x) * x) + np.max(L) * np.min(L) + max(L) + np.sum(np.stack(L) * x))  # a list of numbers


def test_jit_grad_against_finite_differences():
    np.testing.assert_allclose(s2s.jit(s2s.grad(compiled))(X), central_difference(compiled, (X,), 0),
                               rtol=1e-6, atol=1e-8)


def rebuilt(x):
    L = []
    L.append(x)
    L = []
    L.append(x * 2.0)
    return np.sum(L[0])


def used_after_loop(x):
    for t in range(2):
        L = []
        L.append(x * t)
    return np.sum(L[0])


def alias_then_append(x):
    L = []
    M = L
    M.append(x)
    return np.sum(L[0])


def sliced(x):
    L = [v for v in x]
    return sum(L[1:])


def nested(x):
    M = [[x[i] * x[j] for j in range(3)] for i in range(3)]
    return sum(sum(r) for r in M)


def helper(seq):
    return seq[0] * seq[1]


def passed_to_helper(x):
    L = [x[k] for k in range(2)]
    return helper(L)


@pytest.mark.parametrize("fn, match", [
    (rebuilt, "bound to a new list more than once"),
    (used_after_loop, "built inside a loop or branch and used after it"),
    (alias_then_append, "two names"),
    (sliced, "one at a time"),
    (passed_to_helper, "cannot pass it to helper"),
    (nested, "not lists of lists"),
], ids=["rebuilt", "used_after_loop", "alias_then_append", "sliced", "passed_to_helper", "nested"])
def test_reverse_mode_refusals_name_the_line(fn, match):
    with pytest.raises(S2SError, match=match) as info:
        s2s.grad(fn)(X)
    assert "test_lists.py" in str(info.value)


def test_reverse_over_reverse_of_a_list_built_in_a_loop():
    """The first derivative restores the list from its tape under a fresh name (`row_saved`),
    so a second reverse pass sees one list built by appends and one value read from a tape."""
    assert "row_saved = " in s2s.source(s2s.grad(built_in_loop))
    np.testing.assert_allclose(s2s.jacrev(s2s.grad(built_in_loop))(X), _fd_hessian(built_in_loop, X),
                               rtol=1e-5, atol=1e-7)


def test_forward_mode_follows_what_reverse_mode_refuses():
    """Forward mode has no adjoint lists to size: rebinding and helpers work there."""
    for fn in (rebuilt, passed_to_helper, nested):
        v = np.array([0.2, -0.7, 1.1, 0.3])
        _, tangent = s2s.jvp(fn, (X,), (v,))
        np.testing.assert_allclose(tangent, np.dot(central_difference(fn, (X,), 0), v), rtol=1e-6)


def test_jit_of_the_sequence_functions_of_lists():
    """np.concatenate/vstack/hstack/array/sum of lists under numba (runtime_numba_lists.py,
    and `np.array(L)` -> `array_of(L)` in codegen/numba_reductions.py)."""
    np.testing.assert_allclose(s2s.jit(sequence_functions)(X), sequence_functions(X))


def test_module_examples():
    import doctest

    import s2s.diff.lists as lists_module
    result = doctest.testmod(lists_module)
    assert result.attempted > 0 and result.failed == 0


# -- dict comprehensions over constants: dict literals (parse/comprehensions.py) ------------------
def constant_dict_comprehension(x):
    d = {i: x[i] ** 2 for i in range(3)}
    w = {k: np.sin(x) * k for k in (1, 2)}
    return d[0] + d[2] * d[1] + np.sum(w[2] - w[1])


@pytest.mark.parametrize("compiled", [False, True], ids=["python", "numba"])
def test_dict_comprehension_over_constants(compiled):
    x = np.array([0.3, -1.2, 0.8])
    g = s2s.grad(constant_dict_comprehension)
    g = s2s.jit(g) if compiled else g
    np.testing.assert_allclose(g(x), central_difference(constant_dict_comprehension, (x,), 0), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(s2s.jacfwd(constant_dict_comprehension)(x), g(x), rtol=1e-12)
