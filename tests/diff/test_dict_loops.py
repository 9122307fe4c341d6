"""Iterating dicts of known keys (s2s/diff/dict_loops.py): `for k in d`, `d.items()`,
`d.values()`, `d.keys()`, `sorted(d)` (with key functions of the keys: itemgetter, lambdas,
builtins), `list(d)`, nested dicts, dicts built in a loop or a comprehension or by dict(...),
helpers given a dict, d.get with and without a default. Every
transformation is checked against central
differences of the leaves (grad, jacfwd, jacrev, jit(grad)) and jit's value against Python's;
the written-out code is checked for constant keys, and a run-time key that cannot be
written out is a clear error in both modes (forward mode used to give it a zero tangent).
"""
import operator

import numpy as np
import pytest

import s2s
from s2s.errors import UnsupportedSyntaxError

D = {"a": np.array([0.3, -0.7, 1.1]), "b": np.array([0.5, 0.2])}
NESTED = {"l1": {"w": np.array([0.1, 0.4]), "b": np.array([0.3])}, "l2": {"w": np.array([-0.2]), "b": np.array([0.6, 0.7])}}


def iterate(d):
    s = 0.0
    for k in d:
        s = s + np.sum(np.sin(d[k])) * len(d)
    return s


def items(d):
    s = 0.0
    for k, v in d.items():
        s = s + np.sum(np.sin(v) * d[k])
    return s


def values(d):
    return sum(np.sum(v ** 2) for v in d.values())


def keys(d):
    s = 0.0
    for k in d.keys():
        s = s + np.sum(np.exp(d[k]))
    return s


def sorted_enumerated(d):
    s = 0.0
    for i, k in enumerate(sorted(d)):
        s = s + (i + 1.0) * np.sum(np.sin(d[k]))
    return s


def sorted_reversed(d):
    s = 1.0
    for k in sorted(d, reverse=True):  # order matters: s * sum + 1
        s = s * np.sum(d[k]) + 1.0
    return s


def keys_as_list(d):
    ks = list(d.keys())
    s = 0.0
    for k in ks:
        s = s + np.sum(np.cos(d[k])) * np.sum(d[ks[0]])
    return s


def enumerated_items(d):
    s = 0.0
    for i, (k, v) in enumerate(d.items()):
        s = s + (i + 1.0) * np.sum(v * v)
    return s


def comprehension(d):
    e = {k: np.sin(v) * 2.0 for k, v in d.items()}
    return np.sum(e["a"]) + 3.0 * np.sum(e["b"] ** 2)


def update_loop(d):
    out = {}
    for k in d:
        out[k] = d[k] * 2.0
    return np.sum(out["a"] ** 2) + np.sum(out["b"])


def nested(d):
    s = 0.0
    for name, layer in d.items():
        for k in sorted(layer):
            s = s + np.sum(np.tanh(layer[k])) * (2.0 if name == "l1" else 1.0)
    return s


def _cubes(layer):
    s = 0.0
    for k in layer:
        s = s + np.sum(layer[k] ** 3)
    return s


def via_helper(d):
    return _cubes(d) * 2.0 + np.sum(d["a"])


def sgd_step(params, grads):  # JAX's update written with a dict comprehension
    return {k: params[k] - 0.1 * grads[k] for k in params}


def step_loss(params):
    new = sgd_step(params, {k: 2.0 * v for k, v in params.items()})
    return sum(np.sum(new[k] ** 2) for k in sorted(new))


def get_with_defaults(d):  # autograd's test_dict_get
    return np.sum(d.get("a") ** 2) + np.sum(d.get("c", 1.5) * d["b"]) + (0.0 if d.get("z") is None else 1.0)


UNSORTED = {"b": np.array([0.4, -0.9]), "a": np.array([0.7]), "cc": np.array([1.3, 0.2, -0.5])}


def sorted_items_by_key(d):  # autograd's test_dict_items_values_keys: sorted(..., key=itemgetter(0))
    s = 0.0
    for i, (k, v) in enumerate(sorted(d.items(), key=operator.itemgetter(0))):
        s = s * 1.5 + np.sum(np.sin(v)) * (i + 1.0)
    return s


def sorted_items_lambda_reversed(d):
    s = 1.0
    for k, v in sorted(d.items(), key=lambda kv: kv[0], reverse=True):
        s = s * np.sum(v) + len(k)
    return s


def sorted_keys_by_builtins(d):  # stable: "b" and "a" have one letter each
    s = 0.0
    for k in sorted(d, key=len):
        s = s * 2.0 + np.sum(d[k] ** 2)
    for k in sorted(d.keys(), key=str.upper, reverse=True):
        s = s * 0.5 + np.sum(np.cos(d[k]))
    return s


def dict_constructors(d):  # dict(pairs, **kw), dict(literal): dicts of known keys
    e = dict([("x", d["a"]), ("y", d["b"])], z=d["cc"])
    f = dict({"p": np.sum(e["x"])}, q=np.sum(e["z"] ** 2))
    return f["p"] * f["q"] + np.sum(e["y"]) * len(e)


def stores_by_key_in_branches(d):  # a branch on the key: decided per key once the loop is written out
    out = {}
    for k in d:
        if k == "a":
            out[k] = np.sin(d[k])
        elif k in ("b", "z"):
            out[k] = d[k] ** 2
        elif not k != "b":  # (never: "b" was taken above)
            out[k] = d[k]
        else:
            out[k] = 3.0 * d[k]
    return np.sum(out["a"] * out["cc"][:1]) + np.sum(out["b"]) * np.sum(out["cc"])


CASES = [(get_with_defaults, D), (iterate, D), (items, D), (values, D), (keys, D), (sorted_enumerated, D), (sorted_reversed, D),
         (keys_as_list, D), (enumerated_items, D), (comprehension, D), (update_loop, D), (nested, NESTED),
         (via_helper, D), (step_loss, D), (sorted_items_by_key, UNSORTED), (sorted_items_lambda_reversed, UNSORTED),
         (sorted_keys_by_builtins, UNSORTED), (dict_constructors, UNSORTED), (stores_by_key_in_branches, UNSORTED)]
IDS = [f.__name__ for f, _ in CASES]
JIT = (get_with_defaults, items, sorted_reversed, comprehension, nested, via_helper, step_loss, sorted_items_by_key,
       dict_constructors, stores_by_key_in_branches)


def central_differences(f, tree, eps=1e-6):
    out = {}
    for k, v in tree.items():
        if isinstance(v, dict):
            out[k] = central_differences(lambda sub, k=k: f({**tree, k: sub}), v, eps)
            continue
        g = np.zeros_like(v)
        for i in range(v.size):
            e = np.zeros_like(v)
            e.flat[i] = eps
            g.flat[i] = (f({**tree, k: v + e}) - f({**tree, k: v - e})) / (2 * eps)
        out[k] = g
    return out


def assert_tree_close(got, want):
    assert isinstance(got, dict) and list(got) == list(want)
    for k in want:
        if isinstance(want[k], dict):
            assert_tree_close(got[k], want[k])
        else:
            np.testing.assert_allclose(got[k], want[k], rtol=1e-6, atol=1e-7)


# (compiled gradients for a subset: compiling is slow; jit's value is checked for all)
HOWS = [(f, d, how) for f, d in CASES for how in ("grad", "jacfwd", "jacrev")] + \
    [(f, d, "jit-grad") for f, d in CASES if f in JIT]


@pytest.mark.parametrize("f, d, how", HOWS, ids=[f"{how}-{f.__name__}" for f, _, how in HOWS])
def test_derivatives_match_central_differences(f, d, how):
    transform = {"grad": s2s.grad, "jacfwd": s2s.jacfwd, "jacrev": s2s.jacrev,
                 "jit-grad": lambda fn: s2s.jit(s2s.grad(fn))}[how]
    assert_tree_close(transform(f)(d), central_differences(f, d))


@pytest.mark.parametrize("f, d", CASES, ids=IDS)
def test_jit_value_is_pythons(f, d):
    np.testing.assert_allclose(s2s.jit(f)(d), f(d), rtol=1e-12)


def test_hessian_through_a_dict_loop():
    def f(d):
        s = 0.0
        for k, v in d.items():
            s = s + np.sum(v ** 3) * (1.0 if k == "a" else 2.0)
        return s
    h = s2s.hessian(f)(D)
    np.testing.assert_allclose(h["a"]["a"], np.diag(6.0 * D["a"]), atol=1e-12)
    np.testing.assert_allclose(h["b"]["b"], np.diag(12.0 * D["b"]), atol=1e-12)
    np.testing.assert_allclose(h["a"]["b"], np.zeros((3, 2)), atol=0)


def test_written_out_code_reads_constant_keys():
    """The derivative reads d['a'] and d['b'] (no run-time key, no loop over the dict)."""
    text = s2s.grad(items).source(D)
    vjp = text.split("def items_vjp")[1].split("def items_grad")[0]
    code = [line for line in vjp.splitlines() if not line.strip().startswith("#")]
    assert any("d['a']" in line for line in code) and any("d['b']" in line for line in code)
    assert not any("d.items()" in line or line.strip().startswith("for ") for line in code)


def test_same_source_twice():
    assert s2s.grad(nested).source(NESTED) == s2s.grad(nested).source(NESTED)


def runtime_key(d, order):
    s = 0.0
    for i in range(len(order)):
        s = s + np.sum(d[order[i]] ** 2)
    return s


@pytest.mark.parametrize("transform", [s2s.grad, s2s.jacfwd], ids=["reverse", "forward"])
def test_a_run_time_key_is_refused_in_both_modes(transform):
    order = np.array([0, 1])  # (keys only known when it runs)
    d = {0: np.ones(2), 1: np.ones(3)}
    with pytest.raises(UnsupportedSyntaxError, match="constant indices or keys"):
        transform(runtime_key)(d, order)


def sorted_by_values(d):
    s = 0.0
    for k, v in sorted(d.items(), key=lambda kv: np.sum(kv[1])):
        s = s * 2.0 + np.sum(v)
    return s


def test_sorting_by_values_is_refused_at_the_users_line():
    with pytest.raises(UnsupportedSyntaxError, match="sorting a dict") as info:
        s2s.grad(sorted_by_values)(UNSORTED)
    assert info.value.filename == __file__ and "sorted(d.items()" in str(info.value)


def get_or_default(d, x):  # autograd's test_dict_get, differentiated w.r.t. both arguments
    return np.sum(d.get("a", x) ** 2) + np.sum(d.get("b", 0.0) * x)


@pytest.mark.parametrize("transform", [s2s.jacfwd, s2s.jacrev, s2s.grad], ids=["jacfwd", "jacrev", "grad"])
@pytest.mark.parametrize("d", [{"a": np.array([3.0]), "b": np.array([0.5, 2.0])}, {"c": np.array([4.0])}],
                         ids=["has", "missing"])
def test_get_with_a_differentiated_default(transform, d):
    x, eps = 1.5, 1e-6
    gd, gx = transform(get_or_default, argnums=(0, 1))(d, x)
    assert_tree_close(gd, central_differences(lambda t: get_or_default(t, x), d))
    np.testing.assert_allclose(gx, (get_or_default(d, x + eps) - get_or_default(d, x - eps)) / (2 * eps), rtol=1e-6)
