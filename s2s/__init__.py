"""s2s: JAX-style transformations of ordinary NumPy Python functions, by source rewriting.

    import s2s
    fast = s2s.jit(f)          # numba-compiled, Python control flow included
    print(s2s.source(fast))    # the generated Python source
"""
__version__ = "0.1.0"

from . import errors, lax, random, tree, tree_util  # noqa: E402
from .api import jit, source  # noqa: E402
from .autodiff import checkpoint, grad, remat, value_and_grad, vjp  # noqa: E402
from .environment import print_environment_info  # noqa: E402
from .custom import custom_jvp, custom_vjp, defjvp, defvjp, stop_gradient  # noqa: E402
from .forward import jvp, linearize  # noqa: E402
from .jacobians import hessian, jacfwd, jacobian, jacrev  # noqa: E402
from .batching import vmap  # noqa: E402
from .devices import block_until_ready, default_backend, device_get, device_put, devices  # noqa: E402

__all__ = [
    "__version__", "errors", "random", "jit", "source", "grad", "value_and_grad", "vjp",
    "jvp", "linearize", "jacfwd", "jacrev", "jacobian", "hessian",
    "custom_jvp", "custom_vjp", "stop_gradient", "defjvp", "defvjp", "vmap", "checkpoint", "remat",
    "print_environment_info", "devices", "default_backend", "device_put", "device_get", "block_until_ready",
]


def __getattr__(name):
    # s2s.nn on first use: it imports scipy.special (for gelu), which `import s2s` does not
    if name == "nn":
        import importlib

        return importlib.import_module(".nn", __name__)
    raise AttributeError(f"module 's2s' has no attribute {name!r}")
