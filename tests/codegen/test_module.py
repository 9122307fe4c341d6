"""Generated modules: literals, content addressing, linecache, the on-disk numba cache."""
import linecache
import math
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from s2s.codegen.module import GeneratedModule, fingerprint, literal
from s2s.parse.pipeline import build_program

LITERALS = [
    0, -3, 2**70, 1.5, -0.1, 1e-300, True, False, None, "relu", b"x", (1, 2.5), (3,), (),
    complex(1, -2), np.float64(0.25), np.int32(7), np.float32(1.5), np.bool_(True),
    math.inf, -math.inf,
]


@pytest.mark.parametrize("value", LITERALS, ids=repr)
def test_literal_round_trips(value):
    text = literal(value)
    assert text is not None
    back = eval(text, {"_np": np, "_math": math})
    assert type(back) is type(value)
    assert back == value


def test_literal_nan_and_non_literals():
    assert math.isnan(eval(literal(math.nan), {"_math": math}))
    for value in (np.zeros(3), [1, 2], {"a": 1}, object(), (1, np.zeros(2))):
        assert literal(value) is None


def test_fingerprint_depends_on_content_not_identity():
    a = np.arange(6.0).reshape(2, 3)
    assert fingerprint(a) == fingerprint(a.copy())
    assert fingerprint(a) != fingerprint(a + 1)
    assert fingerprint(a) != fingerprint(a.reshape(3, 2))
    assert fingerprint(a) != fingerprint(a.astype(np.float32))
    assert fingerprint(object()) is None


W = np.arange(3.0)
SCALE = 2.0


def uses_constants(x):
    return np.dot(W, x) * SCALE


def test_arrays_are_injected_scalars_are_literal():
    m = GeneratedModule(build_program(uses_constants))
    assert "SCALE = 2.0" in m.source
    assert "W = " not in m.source and "# W: float64 array of shape (3,)" in m.source
    assert m.injected["W"] is W
    f = m.load("python").__dict__[m.entry]
    assert f(np.ones(3)) == uses_constants(np.ones(3))


def test_key_changes_with_captured_array_content(monkeypatch):
    k1 = GeneratedModule(build_program(uses_constants)).key
    monkeypatch.setattr(sys.modules[__name__], "W", W + 1.0)
    k2 = GeneratedModule(build_program(uses_constants)).key
    assert k1 != k2


def test_module_is_written_once_under_its_key(tmp_path, monkeypatch):
    monkeypatch.setenv("S2S_CACHE_DIR", str(tmp_path))
    m = GeneratedModule(build_program(uses_constants))
    m.load("python")
    assert m.on_disk
    assert os.path.dirname(m.filename) == str(tmp_path / "modules")
    assert m.key in os.path.basename(m.filename)
    with open(m.filename) as fh:
        assert fh.read() == m.source
    # Registered in linecache: tracebacks and inspect show generated lines.
    assert "".join(linecache.getlines(m.filename)) == m.source
    assert [p for p in os.listdir(tmp_path / "modules") if p.endswith(".part")] == []


def test_in_memory_when_cache_disabled(monkeypatch):
    monkeypatch.setenv("S2S_DISABLE_CACHE", "1")
    m = GeneratedModule(build_program(uses_constants))
    m.load("python")
    assert m.filename.startswith("<s2s-generated ") and not m.on_disk
    assert "".join(linecache.getlines(m.filename)) == m.source


def test_origins_map_generated_lines_to_user_lines():
    m = GeneratedModule(build_program(uses_constants))
    lines = m.source.splitlines()
    ret = next(i for i, l in enumerate(lines, 1) if l.strip().startswith("return"))
    fname, lineno = m.origins[ret]
    assert fname == __file__
    import inspect

    src, first = inspect.getsourcelines(uses_constants)
    assert lineno == first + 1


SCRIPT = textwrap.dedent(
    """
    import numpy as np, s2s, sys
    sys.path.insert(0, {d!r})
    import cached_mod
    j = s2s.jit(cached_mod.f)
    print(j(np.arange(4.0), 3))
    spec = next(iter(j._specs.values()))
    disp = spec.call
    print("hits", sum(disp.stats.cache_hits.values()), "misses", sum(disp.stats.cache_misses.values()))
    """
)


def test_numba_disk_cache_is_hit_by_a_second_process(tmp_path):
    (tmp_path / "cached_mod.py").write_text(
        "def f(x, n):\n    s = 0.0\n    for i in range(n):\n        if x[i] > 1:\n            s += x[i]\n    return s\n"
    )
    script = SCRIPT.format(d=str(tmp_path))
    env = dict(os.environ, S2S_CACHE_DIR=str(tmp_path / "cache"))
    env.pop("S2S_DISABLE_CACHE", None)
    outs = [
        subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True).stdout
        for _ in range(2)
    ]
    assert outs[0].splitlines()[0] == outs[1].splitlines()[0] == "2.0"
    assert outs[0].splitlines()[1] == "hits 0 misses 1"
    assert outs[1].splitlines()[1] == "hits 1 misses 0"


def test_recursive_functions_survive_a_second_process(tmp_path):
    """numba's on-disk cache cannot reload recursive functions (the second process used to
    segfault): modules with recursion are compiled in every process instead."""
    import subprocess
    import sys
    import textwrap

    script = tmp_path / "rec.py"
    script.write_text(textwrap.dedent("""
        import numpy as np
        import s2s

        def rsum(x, i):
            if i >= x.shape[0]:
                return 0.0
            return x[i] * x[i] + rsum(x, i + 1)

        def total(x):
            return rsum(x, 0)

        print(s2s.jit(total)(np.arange(4.0)))
    """))
    env = dict(__import__("os").environ, S2S_CACHE_DIR=str(tmp_path / "cache"))
    outs = [subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=300)
            for _ in range(2)]
    for proc in outs:
        assert proc.returncode == 0, proc.stderr[-2000:]
    assert outs[0].stdout == outs[1].stdout and outs[0].stdout.strip() == "14.0"
