"""The generated derivative source of a few small functions, compared with reviewed copies
in tests/diff/golden/ (readability and determinism: a change to the generated code shows up
here as a diff to read). Regenerate after an intended change with
`S2S_UPDATE_GOLDEN=1 python -m pytest tests/diff/test_golden.py` and review the diff."""
import os
from pathlib import Path

import numpy as np
import pytest

import s2s

GOLDEN = Path(__file__).parent / "golden"


def logistic(x):
    return 1.0 / (1.0 + np.exp(-x))


def loop_with_branch(x, n):
    s = 0.0
    for i in range(n):
        if x[i] > 0.0:
            s = s + np.sin(x[i]) * s
        else:
            s = s + x[i]
    return s


def running_update(x):
    y = x * 1.0
    for i in range(1, y.shape[0]):
        y[i] = y[i - 1] * 0.5 + y[i]
    return np.sum(y * y)


CASES = [
    ("logistic_grad", lambda: s2s.grad(logistic)),
    ("loop_with_branch_grad", lambda: s2s.grad(loop_with_branch)),
    ("running_update_value_and_grad", lambda: s2s.value_and_grad(running_update)),
]


def _normalize(text):
    # The header names this file; everything else is what the generator produced.
    return text.replace(os.path.basename(__file__), "test_golden.py")


@pytest.mark.parametrize("name, make", CASES, ids=[c[0] for c in CASES])
def test_generated_source_matches_the_reviewed_copy(name, make):
    text = _normalize(s2s.source(make()))
    path = GOLDEN / f"{name}.py.txt"
    if os.environ.get("S2S_UPDATE_GOLDEN"):
        path.write_text(text)
    assert text == path.read_text(), f"generated source of {name} changed; review and regenerate (see module doc)"


@pytest.mark.parametrize("name, make", CASES, ids=[c[0] for c in CASES])
def test_generated_source_is_byte_identical_across_builds(name, make):
    assert s2s.source(make()) == s2s.source(make())


def test_golden_functions_are_right():
    """The reviewed copies are of correct derivatives (checked against differences)."""
    x = np.array([0.3, -1.2, 0.8, 0.1])
    g = s2s.grad(loop_with_branch)(x, 4)
    eps = 1e-6
    fd = [(loop_with_branch(x + eps * e, 4) - loop_with_branch(x - eps * e, 4)) / (2 * eps) for e in np.eye(4)]
    np.testing.assert_allclose(g, fd, rtol=1e-6, atol=1e-9)
    v, g2 = s2s.value_and_grad(running_update)(x)
    fd2 = [(running_update(x + eps * e) - running_update(x - eps * e)) / (2 * eps) for e in np.eye(4)]
    np.testing.assert_allclose(g2, fd2, rtol=1e-6, atol=1e-9)
