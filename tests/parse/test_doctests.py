"""The before/after examples in every pass's docstring are executed, so they cannot rot."""
import doctest
import importlib

import pytest

from s2s.parse.pipeline import PIPELINE

MODULES = sorted({p.__module__ for p in PIPELINE})


@pytest.mark.parametrize("modname", MODULES)
def test_pass_docstring_examples(modname):
    mod = importlib.import_module(modname)
    result = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    assert result.attempted > 0, f"{modname} has no before/after example"
    assert result.failed == 0
