"""`s2s info`: versions and what hardware s2s can use."""
import platform
import sys


def environment_info():
    """A dict of versions and capabilities (completed by the CUDA issue)."""
    import numpy
    import numba
    import llvmlite
    import gast

    from . import __version__

    info = {
        "s2s": __version__,
        "python": sys.version.split()[0],
        "numpy": numpy.__version__,
        "numba": numba.__version__,
        "llvmlite": llvmlite.__version__,
        "gast": getattr(gast, "__version__", "unknown"),
        "platform": platform.platform(),
        "machine": platform.machine(),
    }
    return info


def print_environment_info(file=None):
    for k, v in environment_info().items():
        print(f"{k}: {v}", file=file or sys.stdout)
