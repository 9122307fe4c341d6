"""NumPy under another name, so JAX code ports by changing one import.

    import s2s.numpy as jnp      # instead of: import jax.numpy as jnp

Every attribute is NumPy's own object (``s2s.numpy.exp is numpy.exp``), so s2s's name
resolution treats ``jnp.exp`` exactly like ``np.exp``, and plain NumPy runs it unchanged.
"""
import numpy as _numpy
from numpy import *  # noqa: F401,F403  -- the point of this module is NumPy's namespace
from numpy import linalg, fft, random  # noqa: F401  -- submodules `from *` does not bring

__all__ = [name for name in dir(_numpy) if not name.startswith("_")]


def __getattr__(name):
    # Anything `from numpy import *` left out (private helpers, lazily loaded names).
    return getattr(_numpy, name)
