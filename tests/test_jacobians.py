"""jacfwd / jacrev / jacobian / hessian: values against central differences and analytic
formulas, JAX's shape convention (out.shape + in.shape), in Python and compiled; jacfwd
and jacrev agree over the corpus."""
import numpy as np
import pytest

import s2s

RNG = np.random.default_rng(11)
W = RNG.normal(size=(2, 3))


def layer(x):
    return np.tanh(W @ x)


def matrix_in(A):
    return A @ np.array([1.0, -2.0, 0.5])


def scalar_in(t):
    return np.array([np.sin(t), t * t, 3.0 * t])


def scalar_to_scalar(t):
    return np.exp(t) * t


def matrix_out(x):
    return np.outer(x, x) + 2.0 * x[0]


def loop_out(x):
    y = x * 1.0
    for i in range(1, x.shape[0]):
        if y[i - 1] > 0:
            y[i] = y[i] + y[i - 1] * y[i - 1]
    return y


def two_args(x, A):
    return A @ np.sin(x)


def sum_logistic(x):
    return np.sum(1.0 / (1.0 + np.exp(-x)))


def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def fd_jacobian(f, args, argnum, eps=1e-6):
    x = np.asarray(args[argnum], dtype=float)
    out = np.asarray(f(*args))
    J = np.zeros(out.shape + x.shape)
    for j in np.ndindex(x.shape) if x.shape else [()]:
        up, down = x.copy(), x.copy()
        up[j] += eps
        down[j] -= eps
        a_up, a_down = list(args), list(args)
        a_up[argnum], a_down[argnum] = (up, down) if x.shape else (float(up), float(down))
        d = (np.asarray(f(*a_up)) - np.asarray(f(*a_down))) / (2 * eps)
        J[(...,) + tuple(j)] = d
    return J


# (function, args, expected Jacobian shape)
CASES = [
    (layer, (RNG.normal(size=3),), (2, 3)),
    (matrix_in, (RNG.normal(size=(2, 3)),), (2, 2, 3)),
    (scalar_in, (0.7,), (3,)),
    (scalar_to_scalar, (0.3,), ()),
    (matrix_out, (RNG.normal(size=3),), (3, 3, 3)),
    (loop_out, (np.array([0.5, -0.3, 0.8, 0.2]),), (4, 4)),
]


@pytest.mark.parametrize("mode", ["jacrev", "jacfwd"])
@pytest.mark.parametrize("jit", [False, True], ids=["python", "numba"])
@pytest.mark.parametrize("fn, args, shape", CASES, ids=[c[0].__name__ for c in CASES])
def test_jacobian_matches_differences_and_shape(fn, args, shape, jit, mode):
    jac = getattr(s2s, mode)(fn)
    got = (s2s.jit(jac) if jit else jac)(*args)
    assert np.shape(got) == shape
    np.testing.assert_allclose(got, fd_jacobian(fn, args, 0), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("mode", ["jacrev", "jacfwd"])
def test_tuple_argnums_gives_a_tuple_of_jacobians(mode):
    x, A = RNG.normal(size=3), RNG.normal(size=(2, 3))
    Jx, JA = getattr(s2s, mode)(two_args, argnums=(0, 1))(x, A)
    np.testing.assert_allclose(Jx, A * np.cos(x), rtol=1e-12)
    np.testing.assert_allclose(JA, fd_jacobian(two_args, (x, A), 1), rtol=1e-6, atol=1e-8)
    assert JA.shape == (2, 2, 3)


def test_quickstart_jacobian_and_hessian():
    x = np.arange(3.0)
    np.testing.assert_allclose(s2s.jacobian(np.exp)(x), np.diag(np.exp(x)))
    s = 1.0 / (1.0 + np.exp(-x))
    np.testing.assert_allclose(s2s.hessian(sum_logistic)(x), np.diag(s * (1 - s) * (1 - 2 * s)), atol=1e-15)


@pytest.mark.parametrize("jit", [False, True], ids=["python", "numba"])
def test_hessian_of_rosenbrock(jit):
    x = np.array([0.3, -0.8, 1.2, 0.5])
    h = s2s.hessian(rosenbrock)
    got = (s2s.jit(h) if jit else h)(x)
    want = fd_jacobian(s2s.grad(rosenbrock), (x,), 0)
    assert got.shape == (4, 4)
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(got, got.T, rtol=1e-12)


@pytest.mark.parametrize("outer, inner, jit", [
    (s2s.jacrev, s2s.jacrev, False), (s2s.jacrev, s2s.jacfwd, False), (s2s.jacfwd, s2s.jacrev, False),
    (s2s.jacfwd, s2s.jacfwd, False), (s2s.jacrev, s2s.jacrev, True),
], ids=["rev-rev", "rev-fwd", "fwd-rev", "fwd-fwd", "rev-rev-numba"])
def test_jacobian_of_a_jacobian_against_differences(outer, inner, jit):
    """The Jacobian code sets each row (jacrev) or column (jacfwd) of a fresh array once, so
    differentiating it again reads the rows' cotangents without zeroing copies."""
    x = np.array([0.3, -0.8, 1.2, 0.5])
    h = outer(inner(rosenbrock))
    got = (s2s.jit(h) if jit else h)(x)
    np.testing.assert_allclose(got, fd_jacobian(s2s.grad(rosenbrock), (x,), 0), rtol=1e-6, atol=1e-6)
    assert "jac_row_zero" not in s2s.source(h) and "jac_col_zero" not in s2s.source(h)


def test_jacobian_source_loops_over_basis_vectors():
    src = s2s.source(s2s.jacrev(layer))
    assert "def layer_jacrev(" in src and "for i in range(" in src and "layer_vjp(basis(out, i), x)" in src


@pytest.mark.parametrize("call, match", [
    (lambda: s2s.jacfwd(layer)(np.arange(3)), "inexact|floating"),
    (lambda: s2s.jacfwd(layer)(np.ones(3) * 1j), "real-valued"),
    (lambda: s2s.jacfwd(layer, argnums=(0, 5))(np.ones(3)), "argnums"),
    (lambda: s2s.jacfwd(layer, has_aux=True)(np.ones(3)), "pair"),
    (lambda: s2s.jacrev(layer)({"a": np.arange(3)}), "inexact|floating"),
    (lambda: s2s.jacrev(layer, argnums=3)(np.ones(3)), "argnums"),
    (lambda: s2s.jacobian(5), "callable"),
])
def test_misuse(call, match):
    with pytest.raises(TypeError, match=match):
        call()


def test_jacfwd_source_loops_over_basis_tangents():
    src = s2s.source(s2s.jacfwd(layer))
    assert "def layer_jacfwd(" in src and "for j in range(out_size(x)):" in src
    # straight-line code: the primal part runs once, the linear part once per column
    assert "lin0 = layer_linp(x)" in src and "layer_lint(basis(x, j), r0_0" in src


def test_jacfwd_of_a_loop_calls_the_whole_jvp_per_column():
    src = s2s.source(s2s.jacfwd(loop_out))
    assert "loop_out_jvp(basis(x, j), x)" in src and "linp" not in src


def block_f(x, y):
    return np.sum(np.sin(x)) * y[1] + y[0] ** 3 * np.sum(x * x) + np.sum(y ** 2) * x[0]


@pytest.mark.parametrize("jit", [False, True], ids=["python", "numba"])
def test_block_hessian_for_tuple_argnums(jit):
    x, y = np.array([0.3, -0.5]), np.array([1.5, 0.7, -0.2])
    h = s2s.hessian(block_f, argnums=(0, 1))
    H = (s2s.jit(h) if jit else h)(x, y)
    assert isinstance(H, tuple) and all(isinstance(r, tuple) and len(r) == 2 for r in H)
    sizes = {0: 2, 1: 3}
    for i in range(2):
        g_i = s2s.grad(block_f, argnums=i)
        for j in range(2):
            assert H[i][j].shape == (sizes[i], sizes[j])
            np.testing.assert_allclose(H[i][j], fd_jacobian(g_i, (x, y), j), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(H[0][1], H[1][0].T, rtol=1e-12)


def vector_out(x):
    return np.array([x[0] * x[1], np.sin(x[2])])


def test_hessian_of_a_vector_valued_function():
    x = np.array([0.2, -0.4, 0.9])
    H = s2s.hessian(vector_out)(x)
    assert H.shape == (2, 3, 3)
    want = np.zeros((2, 3, 3))
    want[0, 0, 1] = want[0, 1, 0] = 1.0
    want[1, 2, 2] = -np.sin(x[2])
    np.testing.assert_allclose(H, want, atol=1e-12)


def tuple_out(x):
    return np.sum(x ** 2), {"a": np.cos(x), "b": 2.0 * x[:2]}


def test_jacfwd_of_a_pytree_output_has_its_structure():
    x = np.array([0.1, 0.6, -0.3])
    J = s2s.jacfwd(tuple_out)(x)
    assert isinstance(J, tuple) and set(J[1]) == {"a", "b"}
    np.testing.assert_allclose(J[0], 2 * x, rtol=1e-12)
    np.testing.assert_allclose(J[1]["a"], np.diag(-np.sin(x)), atol=1e-15)
    np.testing.assert_allclose(J[1]["b"], 2.0 * np.eye(3)[:2], atol=1e-15)


def with_aux(x):
    return np.sin(x) * 2.0, np.sum(x)


@pytest.mark.parametrize("mode", ["jacfwd", "jacrev"])
def test_has_aux_passes_the_aux_through(mode):
    x = np.array([0.1, 0.6])
    J, aux = getattr(s2s, mode)(with_aux, has_aux=True)(x)
    np.testing.assert_allclose(J, np.diag(2 * np.cos(x)), atol=1e-15)
    assert aux == np.sum(x)


def test_hessian_with_aux():
    H, aux = s2s.hessian(lambda x: (np.sum(x ** 3), x[0]), has_aux=True)(np.array([1.0, 2.0]))
    np.testing.assert_allclose(H, np.diag([6.0, 12.0]))
    assert aux == 1.0


PARAMS = {"w": RNG.normal(size=(2, 3)), "b": RNG.normal(size=2)}
X3 = RNG.normal(size=3)


def predict(params, x):
    return np.tanh(params["w"] @ x + params["b"])


def tuple_params(params, x):
    w, b = params
    return np.sum(np.tanh(w @ x + b) ** 2)


def _fd_leaf(f, params, key, eps=1e-6):
    """d f(params) / d params[key] by central differences: shape out.shape + leaf.shape."""
    def at(v):
        p = dict(params)
        p[key] = v
        return f(p)
    return fd_jacobian(at, (params[key],), 0, eps)


@pytest.mark.parametrize("mode", ["jacfwd", "jacrev"])
def test_jacobian_of_a_dict_input_is_a_dict_of_jacobians(mode):
    J = getattr(s2s, mode)(predict)(PARAMS, X3)  # (numba cannot take dicts of arrays: no jit here)
    assert set(J) == {"w", "b"}
    assert J["w"].shape == (2, 2, 3) and J["b"].shape == (2, 2)
    for k in ("w", "b"):
        np.testing.assert_allclose(J[k], _fd_leaf(lambda p: predict(p, X3), PARAMS, k), rtol=1e-6, atol=1e-8)


def test_hessian_of_a_tuple_input_has_nested_blocks():
    params = (PARAMS["w"], PARAMS["b"])
    H = s2s.hessian(tuple_params)(params, X3)
    assert H[0][0].shape == (2, 3, 2, 3) and H[0][1].shape == (2, 3, 2) and H[1][1].shape == (2, 2)
    g_b = lambda w, b: s2s.grad(tuple_params)((w, b), X3)[1]  # noqa: E731
    np.testing.assert_allclose(H[1][0], fd_jacobian(g_b, params, 0), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(H[1][1], fd_jacobian(g_b, params, 1), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(s2s.jit(s2s.hessian(tuple_params))(params, X3)[1][1], H[1][1], rtol=1e-12)


def tuple_predict(params, x):
    w, b = params
    return np.tanh(w @ x + b)


@pytest.mark.parametrize("mode", ["jacfwd", "jacrev"])
def test_jacobian_of_a_tuple_input_compiled(mode):
    params = (PARAMS["w"], PARAMS["b"])
    J = s2s.jit(getattr(s2s, mode)(tuple_predict))(params, X3)
    assert isinstance(J, tuple) and J[0].shape == (2, 2, 3) and J[1].shape == (2, 2)
    np.testing.assert_allclose(J[1], fd_jacobian(lambda b: tuple_predict((params[0], b), X3), (params[1],), 0),
                               rtol=1e-6, atol=1e-8)


def pair_out(x):
    return np.sin(x), {"s": np.sum(x * x)}


@pytest.mark.parametrize("mode", ["jacfwd", "jacrev"])
def test_pytree_outputs(mode):
    x = np.array([0.1, 0.2, -0.5])
    J = getattr(s2s, mode)(pair_out)(x)
    np.testing.assert_allclose(J[0], np.diag(np.cos(x)), atol=1e-15)
    np.testing.assert_allclose(J[1]["s"], 2 * x, rtol=1e-12)


def mix_f(x):
    return np.sum(np.sin(x) * x[0]) + x[1] ** 3


MIXES = [("jacrev", "jacfwd"), ("jacfwd", "jacfwd"), ("jacrev", "jacrev"), ("jacrev", "grad"), ("jacfwd", "grad")]


# Compiled: two of the mixes (each compiles a deep stack of generated functions: ~10 s).
@pytest.mark.parametrize("outer, inner, jit", [m + (False,) for m in MIXES] + [
    ("jacrev", "jacfwd", True), ("jacfwd", "jacfwd", True)])
def test_every_mix_of_modes_gives_the_hessian(outer, inner, jit):
    x = np.array([0.3, 0.7, -0.2])
    h = getattr(s2s, outer)(getattr(s2s, inner)(mix_f))
    got = (s2s.jit(h) if jit else h)(x)
    want = fd_jacobian(s2s.grad(mix_f), (x,), 0)
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-8)


def test_third_derivative_tensor_by_jacfwd_of_hessian():
    x = np.array([0.3, 0.7])
    T = s2s.jacfwd(s2s.hessian(lambda x: np.sum(x ** 3) * x[0]))(x)
    assert T.shape == (2, 2, 2)
    # f = x0^4 + x1^3 x0: d3f/dx0^3 = 24 x0, d3f/dx0 dx1^2 = 6 x1, d3f/dx1^3 = 6 x0, d3f/dx0^2 dx1 = 0
    np.testing.assert_allclose(T[0, 0, 0], 24 * x[0], rtol=1e-12)
    np.testing.assert_allclose([T[0, 1, 1], T[1, 0, 1], T[1, 1, 0]], 6 * x[1], rtol=1e-12)
    np.testing.assert_allclose(T[1, 1, 1], 6 * x[0], rtol=1e-12)
    np.testing.assert_allclose([T[0, 0, 1], T[0, 1, 0], T[1, 0, 0]], 0.0, atol=1e-12)


# -- dtypes: the Jacobian has the result type of the output's and the input's dtypes (JAX)
W64 = np.array([0.5, -1.5, 2.0])


def f32_map(x):
    return np.sin(x) * x


def f32_loss(x):
    return np.sum(np.sin(x) * x * x)


def widening(x):
    return np.sin(x) * W64  # a float64 output for a float32 input


def two_dtypes(x, y):
    return np.sum(np.sin(x) * y) * y[0]


@pytest.mark.parametrize("jit", [False, True], ids=["python", "numba"])
def test_float32_in_and_out_gives_float32_jacobians(jit):
    x = np.array([0.1, -0.4, 0.7], np.float32)
    x64 = x.astype(np.float64)
    wrap = s2s.jit if jit else (lambda f: f)
    # compiled: jacrev (its rows) and hessian (jacfwd of grad: its columns)
    for J, want in ((wrap(s2s.jacrev(f32_map))(x), s2s.jacrev(f32_map)(x64)),
                    (wrap(s2s.hessian(f32_loss))(x), s2s.hessian(f32_loss)(x64))):
        assert J.dtype == np.float32
        np.testing.assert_allclose(J, want, rtol=1e-5, atol=1e-6)
    if not jit:
        assert s2s.jacfwd(f32_map)(x).dtype == np.float32
        assert s2s.jacfwd(widening)(x).dtype == s2s.jacrev(widening)(x).dtype == np.float64
        assert s2s.jacfwd(f32_map)(x64).dtype == np.float64  # float64 stays float64
        assert isinstance(s2s.jacfwd(lambda t: t * t)(np.float32(2.0)), np.float32)
        assert isinstance(s2s.hessian(lambda t: t * t * t)(np.float32(2.0)), np.float32)
        assert type(s2s.hessian(lambda t: t * t * t)(2.0)) is float  # NumPy's float64: a Python float, as before
        blocks = s2s.hessian(two_dtypes, argnums=(0, 1))(x, x64)  # each block: its two inputs' result type
        assert [[b.dtype for b in row] for row in blocks] == [[np.float32, np.float64], [np.float64, np.float64]]


@pytest.mark.parametrize("transform", ["grad", "jacfwd", "jacrev", "hessian"])
def test_integer_inputs_are_a_type_error_as_in_jax(transform):
    fn = f32_loss if transform in ("grad", "hessian") else f32_map
    with pytest.raises(TypeError, match="real- or complex-valued inputs"):
        getattr(s2s, transform)(fn)(np.arange(3))


def stores_into_its_argument(x):
    """Tangent's test_subscript3: the function overwrites x[0] (in place, as NumPy would)."""
    y = x ** 2.0
    x[0] = y[1] * y[2]
    return np.sum(x * y)


def test_a_function_storing_into_its_argument():
    """Every transformation differentiates the function at the values passed and leaves the
    caller's array as it was (grad's VJP restores it; the Jacobians' primal calls and forward
    sweeps, vjp's and jvp's calls get copies). With x0 overwritten by x1^2 x2^2 after y = x^2,
    f = x0^2 x1^2 x2^2 + x1^3 + x2^3."""
    x0 = np.array([1.0, 2.0, 3.0])
    a, b, c = x0
    want = np.array([2 * a * b * b * c * c, 2 * b * a * a * c * c + 3 * b * b, 2 * c * a * a * b * b + 3 * c * c])
    calls = {
        "grad": lambda x: s2s.grad(stores_into_its_argument)(x),
        "jacrev": lambda x: s2s.jacrev(stores_into_its_argument)(x),
        "jacfwd": lambda x: s2s.jacfwd(stores_into_its_argument)(x),
        "jit(jacfwd)": lambda x: s2s.jit(s2s.jacfwd(stores_into_its_argument))(x),
        "vjp": lambda x: s2s.vjp(stores_into_its_argument, x)[1](1.0)[0],
        "jvp": lambda x: np.array([s2s.jvp(stores_into_its_argument, (x,), (e,))[1] for e in np.eye(3)]),
        "linearize": lambda x: np.array([s2s.linearize(stores_into_its_argument, x)[1](e) for e in np.eye(3)]),
    }
    fd = np.array([(stores_into_its_argument(x0 + 1e-6 * e) - stores_into_its_argument(x0 - 1e-6 * e)) / 2e-6
                   for e in np.eye(3)])
    np.testing.assert_allclose(fd, want, rtol=1e-6)
    for name, call in calls.items():
        x = x0.copy()
        np.testing.assert_allclose(call(x), want, rtol=1e-9, err_msg=name)
        np.testing.assert_array_equal(x, x0, err_msg=f"{name} changed its argument")
    h = s2s.hessian(stores_into_its_argument)(x0.copy())
    np.testing.assert_allclose(h, [[2 * b * b * c * c, 4 * a * b * c * c, 4 * a * b * b * c],
                                   [4 * a * b * c * c, 2 * a * a * c * c + 6 * b, 4 * a * a * b * c],
                                   [4 * a * b * b * c, 4 * a * a * b * c, 2 * a * a * b * b + 6 * c]], rtol=1e-9)


# -- complex values (JAX's test_nonholomorphic_jacrev / test_complex_output_jacrev_raises_error)
def real_of_complex(z):
    return np.cos(np.linalg.norm(2.0 * z)) * np.real(z[0])


def complex_of_real(x):
    return x * (1.0 + 2.0j)


ZS = 0.5j * np.arange(1.0, 5.0) + np.arange(4.0)


@pytest.mark.parametrize("jit", [False, True], ids=["python", "numba"])
def test_jacrev_of_a_real_function_of_complex_input_is_grad(jit):
    wrap = s2s.jit if jit else (lambda g: g)
    want = s2s.grad(real_of_complex)(ZS)
    eps, fd = 1e-6, np.zeros_like(ZS)
    for i in range(ZS.size):
        e = np.zeros_like(ZS)
        e[i] = eps
        fd[i] = (real_of_complex(ZS + e) - real_of_complex(ZS - e)
                 - 1j * (real_of_complex(ZS + 1j * e) - real_of_complex(ZS - 1j * e))) / (2 * eps)
    np.testing.assert_allclose(want, fd, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(wrap(s2s.jacrev(real_of_complex))(ZS), want, rtol=1e-12)


@pytest.mark.parametrize("jit", [False, True], ids=["python", "numba"])
def test_jacrev_of_a_complex_output_is_a_type_error(jit):
    wrap = s2s.jit if jit else (lambda g: g)
    with pytest.raises(TypeError, match="jacrev requires real-valued outputs"):
        wrap(s2s.jacrev(complex_of_real))(np.arange(3.0))
    with pytest.raises(TypeError, match="real-valued inputs"):
        s2s.jacfwd(real_of_complex)(ZS)  # (forward mode: JAX asks for holomorphic=True)
    np.testing.assert_allclose(s2s.jacfwd(complex_of_real)(np.arange(3.0)), (1.0 + 2.0j) * np.eye(3))
