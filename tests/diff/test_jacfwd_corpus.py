"""jacfwd and jacrev agree over the corpus (forward mode against reverse mode: two
independent transformations of the same source), for every float argument."""
import numpy as np
import pytest

import s2s
from corpus import CASES

PICK = [c for c in CASES if c.float_argnums() and ("scalar_out" in c.tags or "array_out" in c.tags)]


@pytest.mark.parametrize("case", PICK, ids=[c.name for c in PICK])
def test_jacfwd_equals_jacrev(case):
    nums = case.float_argnums()
    fwd = s2s.jacfwd(case.fn, argnums=nums)(*case.args(0))
    rev = s2s.jacrev(case.fn, argnums=nums)(*case.args(0))
    for a, f, r in zip(nums, fwd, rev):
        out = case.fn(*case.args(0))
        assert np.shape(f) == np.shape(out) + np.shape(case.args(0)[a])
        np.testing.assert_allclose(f, r, rtol=1e-10, atol=1e-12, err_msg=f"argument {a}")
