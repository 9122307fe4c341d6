"""Batch rules, one module per family (elementwise, reductions, linalg, shape, indexing,
and derivatives: the runtime helpers of generated derivative code). Importing this package
fills `BATCH_RULES` (s2s/vectorize/rules/base.py explains what a rule is and sees;
dispatch.py how an expression finds its rule)."""
from .base import BATCH_RULES, CannotBatch  # noqa: F401
from . import derivatives, elementwise, indexing, linalg, reductions, shape  # noqa: F401  -- registers the rules

# scipy.special's rules (special.py) register on first use: s2s.diff.rules.load_scipy_rules
