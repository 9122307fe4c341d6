"""numba overloads of the helpers in runtime_linalg.py (types decide the implementation at compile
time, as in runtime_numba.py); copied into standalone dumped modules like it.
"""
import numpy as np  # noqa: F401
from numba import types  # noqa: F401
from numba.extending import overload  # noqa: F401
