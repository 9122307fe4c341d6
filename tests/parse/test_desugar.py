"""Desugar: augmented/annotated assignments and named lambdas keep their meaning."""
import copy

import gast
import numpy as np
import pytest

from corpus import assert_jit_agrees, assert_same_result
from s2s.codegen.module import GeneratedModule
from s2s.errors import UnsupportedSyntaxError
from s2s.parse.pipeline import build_program

UPTO = "desugar"


def normalized(fn, upto=UPTO):
    module = GeneratedModule(build_program(fn, upto=upto))
    return module, module.load("python").__dict__[module.entry]


# -- the table ---------------------------------------------------------------------------
def aug_float_ops(x, y):
    z = x * 1.0
    z += y
    z -= 0.5
    z *= y
    z /= 3.0
    w = z * 1.0  # a copy: `w //= ...` on an alias of z would differ (see the rebinding test)
    w //= 0.3
    w %= 0.7
    w **= 2
    return z, w


def aug_int_ops(n, m):
    k = n
    k &= 29
    k |= m
    k ^= 5
    k <<= 2
    k >>= 1
    k //= 3
    k %= 11
    return k


def aug_matmul(A, B):
    C = A + 1.0
    C @= B
    return C


def _bump(calls):
    calls.append(len(calls))
    return len(calls) - 1


def aug_index_evaluated_once(a, calls):
    a[_bump(calls)] += 10.0
    return a, len(calls)


def aug_container_hoisted(b, i):
    b[i][i + 1] *= 2.0
    b[i + 1][0] -= b[i][i + 1]
    return b


def aug_slices_and_tuples(a, k):
    a[k : k + 2, 1] -= 1.0
    a[k + 1, ::2] += 5.0
    a[-1, -1] **= 2
    return a


def aug_in_loop(x, n):
    s = 0.0
    for i in range(n):
        s += i * x
        s /= 1.5
    return s


def aug_rhs_reads_target(x):
    x += x * x
    return x


def annotated(x):
    y: float = x * 2.0
    k: int = 3
    k += 1
    out = np.zeros(2)
    out[0]: float = y + k
    return out


def named_lambda(x):
    sq = lambda v, p=2: v**p  # noqa: E731
    return sq(x) + sq(x, 3)


def lambda_closure(x, a):
    scale = a * 2.0
    f = lambda v: v * scale + a  # noqa: E731
    return f(x)


def called_lambdas(x, k):  # called where written: a def before the statement, called by name
    y = (lambda v: v * k + np.sin(v))(x)
    while (lambda t: np.sum(t * t) < 40.0)(y):  # in a loop test: read afresh each trip
        y = y * (lambda a, b=2.0: a ** b + 1.0)(k)
    return np.sum(y * (lambda v: (lambda w: w * 2.0)(v) + 1.0)(x))


def list_indices(A, v):  # a list literal index is NumPy's array of it (and numba compiles that)
    w = v[[0, 2, 2]] * 2.0
    B = A[[0, 1], [2, 0]] + A[[True, False, True]][:, 0]
    A[[1, 2]] = 0.0
    return w, B, A


def max_min_of_many(a, b, c, d):  # nested two-argument calls
    return max(a, b, c) * min(a, b, c, d) + max(a, a, b)


def _pair_product(a, b):
    return a * b


def map_filter_max_of_list(xs):  # generator expressions; max of a literal: max of its elements
    return (sum(map(lambda v: v * v, xs)) + sum(filter(lambda v: v > 0.0, xs)) + sum(map(_pair_product, xs, xs[::-1]))
            + max([xs[0], xs[1] * 2.0, xs[2]]) + min((xs[3], xs[4])))


def _vec(n=5):
    return np.linspace(-1.0, 2.0, n)


CASES = [
    (aug_float_ops, (1.25, 0.75)),
    (aug_float_ops, (_vec(), _vec() + 3.0)),
    (aug_int_ops, (45, 6)),
    (aug_matmul, (np.arange(9.0).reshape(3, 3), np.eye(3) * 2.0)),
    (aug_index_evaluated_once, (np.zeros(4), [])),
    (aug_container_hoisted, (np.arange(12.0).reshape(3, 4), 1)),
    (aug_slices_and_tuples, (np.arange(20.0).reshape(4, 5), 1)),
    (aug_in_loop, (_vec(), 4)),
    (aug_rhs_reads_target, (1.5,)),
    (annotated, (1.5,)),
    (named_lambda, (_vec(),)),
    (lambda_closure, (0.5, 1.5)),
    (called_lambdas, (_vec(), 0.7)),
    (list_indices, (np.arange(12.0).reshape(3, 4), _vec())),
    (max_min_of_many, (0.5, 2.0, 1.5, -1.0)),
    (map_filter_max_of_list, (_vec(),)),
]
IDS = [f"{fn.__name__}-{i}" for i, (fn, _) in enumerate(CASES)]


@pytest.mark.parametrize("fn,args", CASES, ids=IDS)
def test_same_results(fn, args):
    _, fn2 = normalized(fn)
    expected_args, got_args = copy.deepcopy(args), copy.deepcopy(args)
    assert_same_result(fn2(*got_args), fn(*expected_args))
    for got, expected in zip(got_args, expected_args):  # the same in-place updates
        if isinstance(expected, np.ndarray):
            np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("fn,args", CASES, ids=IDS)
def test_no_sugar_left_and_deterministic(fn, args):
    module, _ = normalized(fn)
    for ctx in build_program(fn, upto=UPTO).functions:
        for node in gast.walk(ctx.tree):
            assert not isinstance(node, (gast.AugAssign, gast.AnnAssign, gast.Lambda)), gast.dump(node)
    assert normalized(fn)[0].source == module.source


def test_index_is_hoisted_once():
    module, _ = normalized(aug_index_evaluated_once)
    assert module.source.count(" = _bump(calls)") == 1
    assert "bump_calls = _bump(calls)" in module.source and "_bump_calls" not in module.source
    assert "a[bump_calls] = a[bump_calls] + 10.0" in module.source


def test_container_is_hoisted():
    module, _ = normalized(aug_container_hoisted)
    assert "b_i = b[i]" in module.source
    assert "b_i[i_plus_1] = b_i[i_plus_1] * 2.0" in module.source


def test_named_lambda_becomes_def():
    module, _ = normalized(named_lambda)
    assert "def sq(v, p=2):" in module.source
    assert "return v ** p" in module.source


@pytest.mark.parametrize("jit", [False, True], ids=["python", "numba"])
def test_gradient_through_called_lambdas(jit):
    import s2s
    from grad_cases import central_difference

    x = _vec()
    g = (s2s.jit if jit else (lambda f: f))(s2s.grad(called_lambdas, argnums=(0, 1)))(x, 0.7)
    np.testing.assert_allclose(g[0], central_difference(called_lambdas, (x, 0.7), 0), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(g[1], central_difference(called_lambdas, (x, 0.7), 1), rtol=1e-6, atol=1e-8)


def lambda_called_in_a_comprehension(x):
    return sum([(lambda v: v * i)(x) for i in range(3)])


def test_a_lambda_called_in_a_comprehension_is_refused():
    with pytest.raises(UnsupportedSyntaxError, match="use a nested `def`"):
        build_program(lambda_called_in_a_comprehension, upto=UPTO)


def test_augassign_on_a_name_rebinds():
    """Documented difference (JAX semantics): `y += 1` does not write into an alias."""

    _, fn2 = normalized(_alias_then_add)
    x = np.zeros(3)
    original, updated = fn2(x)
    np.testing.assert_array_equal(original, np.zeros(3))
    np.testing.assert_array_equal(updated, np.ones(3))
    np.testing.assert_array_equal(x, np.zeros(3))


def _alias_then_add(x):
    y = x
    y += 1.0
    return x, y


def _lambda_as_argument(x):
    fs = (lambda r: r * 2, np.sin)  # a lambda in a tuple (np.apply_along_axis's or sorted's are inlined)
    return np.sum(fs[0](x))


def _nested_lambda(x):
    f = lambda a: lambda b: a + b  # noqa: E731
    return f(x)(1.0)


@pytest.mark.parametrize("fn", [_lambda_as_argument, _nested_lambda])
def test_other_lambdas_are_rejected_at_their_line(fn):
    with pytest.raises(UnsupportedSyntaxError) as info:
        build_program(fn, upto=UPTO)
    assert info.value.construct == "lambda"
    assert "lambda" in info.value.text
    assert info.value.lineno == fn.__code__.co_firstlineno + 1


@pytest.mark.parametrize("fn,args", [CASES[i] for i in (0, 1, 2, 5, 6, 9, 10, 11)], ids=lambda v: getattr(v, "__name__", ""))
def test_numba_twin_agrees(fn, args):
    assert_jit_agrees(fn, args)


def list_index_loss(A):
    return np.sum(A[[0, 2, 2]] ** 2) + np.sum(A[[0, 1], [2, 0]] * A[1, [3, 3]]) + np.sum(A[..., 1] ** 3)


def test_list_indices_compile_and_differentiate():
    assert_jit_agrees(list_indices, (np.arange(12.0).reshape(3, 4), _vec()))
    import s2s
    A = np.random.default_rng(0).standard_normal((3, 4))
    g = s2s.jit(s2s.grad(list_index_loss))(A)
    np.testing.assert_allclose(g, s2s.grad(list_index_loss)(A), rtol=1e-12)
    fd = np.zeros_like(A)
    for i in np.ndindex(A.shape):
        e = np.zeros_like(A)
        e[i] = 1e-6
        fd[i] = (list_index_loss(A + e) - list_index_loss(A - e)) / 2e-6
    np.testing.assert_allclose(g, fd, rtol=1e-6, atol=1e-8)


# -- f-string messages ----------------------------------------------------------------------
def checks_with_fstrings(x):
    assert x.shape[0] == 3, f"need 3 values, got {x.shape[0]}"
    if x[0] < 0.0:
        raise ValueError(f"x[0] = {x[0]:.3f} must not be negative")
    return np.sum(x ** 3)


@pytest.mark.parametrize("compiled", [False, True], ids=["python", "numba"])
def test_fstring_messages_become_their_text_and_the_checks_stay(compiled):
    import s2s
    g = s2s.grad(checks_with_fstrings)
    g = s2s.jit(g) if compiled else g
    np.testing.assert_allclose(g(np.array([0.5, 1.0, 2.0])), 3.0 * np.array([0.5, 1.0, 2.0]) ** 2)
    with pytest.raises(AssertionError, match=r"need 3 values, got \{x.shape\[0\]\}"):
        g(np.ones(2))
    with pytest.raises(ValueError, match=r"x\[0\] = \{x\[0\]\} must not be negative"):
        g(-np.ones(3))


def test_an_fstring_elsewhere_is_still_refused():
    def label(x):
        s = f"{x}"
        return x + len(s)
    with pytest.raises(UnsupportedSyntaxError, match="f-string"):
        build_program(label)


# -- open meshes: x[np.ix_(rows, cols)] ------------------------------------------------------
def open_meshes(a, t):
    rows, cols = np.array([2, 0]), np.array([1, 3, 1])
    return (a[np.ix_(rows, cols)], t[np.ix_(rows, np.array([1, 0]))], t[np.ix_(cols[:2], rows, np.array([1]))],
            a[np.ix_(np.array([True, False, True]), cols)])


def open_mesh_loss(a, t):
    sub = a[np.ix_(np.array([2, 0, 2]), np.array([1, 3]))]  # row 2 read twice: its gradient adds up
    return np.sum(sub ** 3) + np.sum(np.sin(t[np.ix_(np.array([1, 0]), np.array([2, 2]), np.array([1]))]))


@pytest.mark.parametrize("compiled", [False, True], ids=["python", "numba"])
def test_open_mesh_reads_are_one_index_per_axis(compiled):
    import s2s
    from grad_cases import central_difference
    rng = np.random.default_rng(5)
    a, t = rng.standard_normal((3, 4)), rng.standard_normal((4, 3, 2))
    f = s2s.jit(open_meshes) if compiled else s2s.vmap(open_meshes, in_axes=(None, None), axis_size=1)
    for g, w in zip(f(a, t), open_meshes(a, t)):
        np.testing.assert_array_equal(g if compiled else g[0], w)
    grad = s2s.grad(open_mesh_loss, argnums=(0, 1))
    grad = s2s.jit(grad) if compiled else grad
    for i, g in enumerate(grad(a, t)):
        np.testing.assert_allclose(g, central_difference(open_mesh_loss, (a, t), i), rtol=1e-6, atol=1e-8)


# -- np.r_ / np.c_ ---------------------------------------------------------------------------
def index_tricks(x, m):
    return (np.r_[x, x], np.r_[x[:2], 0.5, x[2:]], np.r_[x, 1:4], np.r_[0:6:2, x], np.r_[m, m],
            np.c_[x, x], np.c_[m, x[:3]], np.c_[m[:, :1], m])


def index_trick_loss(x, m):
    return np.sum(np.r_[x[:2], 0.5, x[2:]] ** 2 * np.arange(5.0)) + np.sum(np.c_[m, x[:3]] ** 3)


@pytest.mark.parametrize("compiled", [False, True], ids=["python", "numba"])
def test_index_tricks_are_concatenations(compiled):
    import s2s
    from grad_cases import central_difference
    x, m = np.array([0.3, -1.2, 2.0, 0.7]), np.arange(6.0).reshape(3, 2) / 5.0
    f = s2s.jit(index_tricks) if compiled else s2s.vmap(index_tricks, in_axes=(None, None), axis_size=1)
    got = f(x, m)
    for g, w in zip(got, index_tricks(x, m)):
        np.testing.assert_allclose(g if compiled else g[0], w)
    grad = s2s.grad(index_trick_loss, argnums=(0, 1))
    grad = s2s.jit(grad) if compiled else grad
    for i, g in enumerate(grad(x, m)):
        np.testing.assert_allclose(g, central_difference(index_trick_loss, (x, m), i), rtol=1e-6, atol=1e-8)


def r_directive(x):
    return np.r_["0,2", x, x]


def test_index_trick_directives_are_refused():
    with pytest.raises(UnsupportedSyntaxError, match="directive"):
        build_program(r_directive)


# -- ufunc methods, complex(re, im), x.flat[i] -----------------------------------------------
def ufunc_methods(x, m):
    return (np.add.reduce(x), np.multiply.reduce(m, axis=1), np.maximum.reduce(m), np.minimum.reduce(m, 1),
            np.add.accumulate(x), np.multiply.accumulate(m, axis=1), np.logical_and.reduce(m > 0.1),
            m.flat[4], np.real(complex(x[0], x[1]) ** 2))


def ufunc_loss(x, m):
    return (np.add.reduce(x ** 2) + np.sum(np.multiply.reduce(m, axis=1)) + np.sum(np.add.accumulate(x) ** 2)
            + m.flat[4] ** 3 + np.real(complex(x[0], x[1]) ** 2) + np.sum(np.maximum.reduce(m)))


@pytest.mark.parametrize("compiled", [False, True], ids=["python", "numba"])
def test_ufunc_methods_complex_and_flat(compiled):
    import s2s
    from grad_cases import central_difference
    x, m = np.array([0.3, -1.2, 2.0, 0.7]), np.arange(1.0, 7.0).reshape(2, 3) / 5.0
    if compiled:
        for g, w in zip(s2s.jit(ufunc_methods)(x, m), ufunc_methods(x, m)):
            np.testing.assert_allclose(g, w)
    grad = s2s.grad(ufunc_loss, argnums=(0, 1))
    grad = s2s.jit(grad) if compiled else grad
    for i, g in enumerate(grad(x, m)):
        np.testing.assert_allclose(g, central_difference(ufunc_loss, (x, m), i), rtol=1e-6, atol=1e-8)
