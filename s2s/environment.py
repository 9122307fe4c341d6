"""`s2s info`: versions and what hardware s2s can use.

Every probe is wrapped: `environment_info()` never raises, it reports what failed instead,
so it is the first thing to run (and paste into a bug report) when something does not work.
It imports without numba-cuda; CUDA is only probed, never required.
"""
import importlib
import importlib.metadata
import os
import platform
import sys
import tempfile
import warnings

CUDA_INSTALL_HINT = "pip install 's2s[cuda13]'  (or 's2s[cuda12]' for a CUDA 12 driver)"


def _probe(fn):
    """fn() or, if it raises, a one-line description of the failure."""
    try:
        return fn()
    except BaseException as exc:  # noqa: BLE001 -- a probe must never take the report down
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        return f"unavailable ({type(exc).__name__}: {_first_line(exc)})"


def _first_line(exc):
    text = " ".join(str(exc).split()).rstrip(" :")
    return text if len(text) <= 300 else text[:297] + "..."


def _distribution_version(name):
    """The installed version of the distribution `name`, or 'not installed'."""
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def _module_version(name, dist=None):
    def get():
        try:
            mod = importlib.import_module(name)
        except ImportError:
            return _distribution_version(dist or name)
        version = getattr(mod, "__version__", None)
        return version if version else _distribution_version(dist or name)

    return _probe(get)


# -- versions -----------------------------------------------------------------------------
def _versions():
    from . import __version__

    return {
        "s2s": __version__,
        "python": f"{sys.version.split()[0]} ({sys.executable})",
        "numpy": _module_version("numpy"),
        "numba": _module_version("numba"),
        "llvmlite": _module_version("llvmlite"),
        "gast": _probe(lambda: _distribution_version("gast")),
        "numba-cuda": _probe(lambda: _distribution_version("numba-cuda")),
        "jax": _probe(lambda: _distribution_version("jax")),
    }


# -- CPU ----------------------------------------------------------------------------------
def _numba_cpu_name():
    from numba.core import config

    configured = getattr(config, "CPU_NAME", None)
    if configured:
        return f"{configured} (NUMBA_CPU_NAME)"
    import llvmlite.binding as llvm

    return llvm.get_host_cpu_name()


def _cpu():
    return {
        "platform": _probe(platform.platform),
        "machine": _probe(platform.machine),
        "processor": _probe(lambda: platform.processor() or "unknown"),
        "cpu cores": _probe(lambda: os.cpu_count() or "unknown"),
        "numba cpu": _probe(_numba_cpu_name),
        "numba threads": _probe(lambda: __import__("numba").config.NUMBA_NUM_THREADS),
    }


# -- cache --------------------------------------------------------------------------------
def _writable(path):
    """(writable?, reason) for the directory `path`, creating it if needed."""
    try:
        os.makedirs(path, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".s2s-probe-"):
            pass
        return True, ""
    except OSError as exc:
        return False, _first_line(exc)


def _cache():
    def get():
        from .codegen.module import cache_dir

        root = cache_dir()
        if root is None:
            return {"cache dir": "disabled (S2S_DISABLE_CACHE is set)", "cache writable": False}
        ok, why = _writable(root)
        return {"cache dir": root, "cache writable": True if ok else f"no ({why}); compiled code is not reused across processes"}

    out = _probe(get)
    return out if isinstance(out, dict) else {"cache dir": out, "cache writable": "unknown"}


# -- CUDA ---------------------------------------------------------------------------------
def _cuda():
    """What numba's CUDA target says about this machine. Never raises."""
    info = {}
    numba_cuda = _distribution_version("numba-cuda")
    simulator = os.environ.get("NUMBA_ENABLE_CUDASIM", "") not in ("", "0")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # numba's bundled CUDA target warns it is deprecated
        try:
            from numba import cuda
        except BaseException as exc:  # noqa: BLE001
            if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                raise
            info["cuda"] = "unavailable"
            reason = f"numba.cuda cannot be imported ({type(exc).__name__}: {_first_line(exc)})"
            if numba_cuda == "not installed":
                reason = f"numba-cuda not installed: {CUDA_INSTALL_HINT}; {reason}"
            info["cuda reason"] = reason
            return info

        if simulator:
            info["cuda"] = "simulator (NUMBA_ENABLE_CUDASIM=1): kernels run on the CPU, slowly; no GPU is used"
            return info

        available = _probe(cuda.is_available)
        if available is True:
            info["cuda"] = "available"
            info["cuda driver"] = _probe(lambda: _version_text(cuda.cudadrv.driver.driver.get_version()))
            info["cuda runtime"] = _probe(lambda: _version_text(cuda.runtime.get_version()))
            info["gpus"] = _probe(lambda: _gpus(cuda))
            if numba_cuda == "not installed":
                info["cuda note"] = f"numba's bundled CUDA target is deprecated; {CUDA_INSTALL_HINT}"
            return info

        info["cuda"] = "unavailable"
        reasons = []
        if numba_cuda == "not installed":
            reasons.append(f"numba-cuda not installed: {CUDA_INSTALL_HINT}")
        reasons.append(_cuda_init_error(cuda) if available is False else str(available))
        info["cuda reason"] = "; ".join(r for r in reasons if r)
        return info


def _version_text(v):
    return ".".join(str(p) for p in v) if isinstance(v, tuple) else str(v)


def _gpus(cuda):
    out = []
    for dev in cuda.list_devices():
        name = dev.name.decode() if isinstance(dev.name, bytes) else str(dev.name)
        cc = ".".join(str(p) for p in dev.compute_capability)
        out.append(f"[{dev.id}] {name} (compute capability {cc})")
    return out or "none found"


def _cuda_init_error(cuda):
    """The message of the error numba.cuda raises when it initialises, e.g. CudaSupportError."""
    try:
        cuda.cudadrv.driver.driver.get_device_count()
    except BaseException as exc:  # noqa: BLE001 -- CudaSupportError, CudaDriverError, OSError...
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        return f"{type(exc).__name__}: {_first_line(exc)}"
    try:
        if not cuda.list_devices():
            return "the CUDA driver loaded but found no GPU"
    except BaseException as exc:  # noqa: BLE001
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        return f"{type(exc).__name__}: {_first_line(exc)}"
    return "numba.cuda.is_available() returned False"


# -- report -------------------------------------------------------------------------------
def environment_info():
    """A dict of versions and capabilities: everything `python -m s2s info` prints.

    Keys are stable, human-readable labels; values are strings, numbers, booleans or (for
    `gpus`) a list of strings. A probe that fails reports why instead of raising.
    """
    info = {}
    for section in (_versions, _cpu, _cache, _cuda):
        part = _probe(section)
        if isinstance(part, dict):
            info.update(part)
        else:
            info[section.__name__.strip("_")] = part
    return info


def print_environment_info(file=None):
    """Print `environment_info()`, one `label: value` line each (GPUs one per line)."""
    out = file or sys.stdout
    info = environment_info()
    width = max(len(k) for k in info) + 1
    for key, value in info.items():
        if isinstance(value, list):
            print(f"{key + ':':<{width}} {len(value)}", file=out)
            for item in value:
                print(f"{'':<{width}}   {item}", file=out)
        else:
            print(f"{key + ':':<{width}} {value}", file=out)
