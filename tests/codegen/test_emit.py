"""The emitter: readable, deterministic text; comments only where code differs from the user's."""
import pytest

from s2s.codegen.emit import _same_code
from s2s.parse.debug import show


@pytest.mark.parametrize(
    "user, generated, same",
    [
        ("y = np.exp(x)", "y = _np.exp(x)", True),
        ('if mode == "relu":', "if mode == 'relu':", True),
        ("y = jnp.sum(x,axis=0)", "y = _np.sum(x, axis=0)", True),
        ("s += helper(x)", "s = s + helper(x)", False),
        ("y = np.exp(np.sin(x))", "sin_x = _np.sin(x)", False),
    ],
)
def test_same_code(user, generated, same):
    assert _same_code(user, generated) is same


def branchy(x):
    if x > 1.0:
        y = x
    elif x > 0.0:
        y = 2.0 * x
    else:
        if x < -5.0:
            y = 0.0
        else:
            y = -x
    while y > 10.0:
        y = y / 2.0
    for i in range(3):
        y = y + i
    return y


def test_elif_chains_and_loops_are_printed_readably():
    text = show(open(__file__).read(), name="branchy", filename=__file__)
    assert "    elif x > 0.0:" in text
    assert "while y > 10.0:" in text and "for i in range(3):" in text
    ns = {}
    exec(text, ns)  # the printed module is valid Python
    for x in (3.0, 0.5, -1.0, -7.0, 40.0):
        assert ns["branchy"](x) == branchy(x)


def test_generation_is_deterministic():
    a = show(open(__file__).read(), name="branchy", filename=__file__)
    b = show(open(__file__).read(), name="branchy", filename=__file__)
    assert a == b
    assert "0x" not in a  # no memory addresses
