"""Test-session setup shared by every test file.

* Generated modules go to a per-session temporary directory under pytest's basetemp
  (`S2S_CACHE_DIR`), never to the user's ~/.cache. The session fixture is autouse, so it
  is set up before any test runs, i.e. before s2s generates anything (collecting tests and
  importing the corpus generate nothing).
* tests/ is put on sys.path so test files can `import corpus` (pytest runs with
  --import-mode=importlib, which does not do that).
* scipy.special's rules are loaded before collection (see below).
* numba compiles at LLVM -O0 (`NUMBA_OPT=0`, unless the environment sets a level): the tests
  check what the generated code computes, which numba's typing and lowering decide and the
  optimizer's level does not change; compiling unoptimized takes about a third less time over
  the suite (whose time is mostly numba compiling). s2s's own default (O2) is what users and
  benchmarks/ get; a test that reads optimized output (PTX) does not depend on the level.
"""
import os
import sys

os.environ.setdefault("NUMBA_OPT", "0")  # before anything imports numba (it reads the level once)

import pytest

_TESTS = os.path.dirname(os.path.abspath(__file__))
if _TESTS not in sys.path:
    sys.path.insert(0, _TESTS)

# scipy.special's rules load on first use in transformed code; the rule-table tests read the
# tables when they are collected, so load them now: every run (and every xdist worker, in any
# order) sees the same tables. (tests/diff/test_rules_special.py checks the lazy loading itself.)
from s2s.diff.rules import load_scipy_rules  # noqa: E402

load_scipy_rules()


@pytest.fixture(scope="session", autouse=True)
def s2s_cache_dir(tmp_path_factory):
    """A fresh S2S_CACHE_DIR for the whole session (restored afterwards). Under pytest-xdist
    the workers share one: a module one worker compiled, the others load from numba's
    on-disk cache instead of compiling it again (both write atomically)."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        path = tmp_path_factory.getbasetemp().parent / "s2s-cache-shared"
        path.mkdir(exist_ok=True)
    else:
        path = tmp_path_factory.mktemp("s2s-cache")
    old = os.environ.get("S2S_CACHE_DIR")
    os.environ["S2S_CACHE_DIR"] = str(path)
    try:
        yield path
    finally:
        if old is None:
            os.environ.pop("S2S_CACHE_DIR", None)
        else:
            os.environ["S2S_CACHE_DIR"] = old
