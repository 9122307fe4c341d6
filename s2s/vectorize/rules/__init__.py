"""Batch rules, one module per family (elementwise, reductions, linalg, shape, indexing,
and derivatives: the runtime helpers of generated derivative code). Importing this package
fills `BATCH_RULES` (s2s/vectorize/rules/base.py explains what a rule is and sees;
dispatch.py how an expression finds its rule)."""
import importlib.util

from .base import BATCH_RULES, CannotBatch  # noqa: F401
from . import derivatives, elementwise, indexing, linalg, reductions, shape  # noqa: F401  -- registers the rules

if importlib.util.find_spec("scipy") is not None:  # scipy.special's rules, with scipy only
    from . import special  # noqa: F401
