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

from .cuda_diagnosis import diagnose_cuda, library_source, version_text  # noqa: F401 -- re-exported
from .cuda_facts import probe_cuda_facts  # noqa: F401 -- re-exported


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
# The probing is in cuda_facts, the judging in cuda_diagnosis; this only lays the result out.
def _cuda():
    """The CUDA lines of the report: verdict, reason and fix, versions, paths, GPUs."""
    facts = probe_cuda_facts(deep=True)
    status, reason, fix = diagnose_cuda(facts)
    info = {"cuda": "simulator (NUMBA_ENABLE_CUDASIM=1)" if status == "simulator" else status}
    if reason:
        info["cuda note" if status != "unavailable" else "cuda reason"] = reason
    if fix:
        info["cuda fix"] = fix
    if not facts.get("simulator"):
        info["cuda driver"] = _driver_line(facts)
        if "runtime_version" in facts or "runtime_error" in facts:
            info["cuda runtime"] = _library_line(facts, "runtime", "NVRTC", ("nvidia-cuda-nvrtc", "nvidia-cuda-nvrtc-cu12"))
        if "nvvm_version" in facts or "nvvm_error" in facts:
            info["cuda nvvm"] = _library_line(facts, "nvvm", "libNVVM", ("nvidia-nvvm", "nvidia-cuda-nvcc-cu12"))
        if "nvjitlink" in facts:
            info["cuda nvjitlink"] = "yes (kernels are linked on the host)" if facts["nvjitlink"] else "no"
        if "gpus" in facts:
            info["gpus"] = [_gpu_line(g) for g in facts["gpus"]] or "none found"
    wheels = facts.get("wheels")
    info["cuda wheels"] = ", ".join(f"{k} {v}" for k, v in wheels.items()) if wheels else "none"
    if facts.get("env"):
        info["cuda env"] = ", ".join(f"{k}={v}" for k, v in facts["env"].items())
    return info


def _driver_line(facts):
    if not facts.get("driver_found"):
        return f"not loadable ({facts['driver_error']})" if facts.get("driver_error") else "not found"
    version = facts.get("driver_version")
    text = f"CUDA {version_text(version)}" if version else "unknown CUDA version"
    if facts.get("driver_release"):
        text += f", NVIDIA driver {facts['driver_release']}"
    return f"{text} ({facts.get('driver_path')})"


def _library_line(facts, key, name, wheel_names):
    if facts.get(f"{key}_error") and f"{key}_version" not in facts:
        return f"{name} not found ({facts[f'{key}_error']})"
    source = library_source(facts, key)
    wheel = next((f" {w} {facts['wheels'][w]}" for w in wheel_names if w in facts.get("wheels", {})), "")
    if source == "pip wheel":
        source += wheel
    version = version_text(facts[f"{key}_version"]) if f"{key}_version" in facts else "version unknown"
    return f"{name} {version} ({source}: {facts.get(f'{key}_path')})"


def _gpu_line(gpu):
    return f"[{gpu['id']}] {gpu['name']} (compute capability {version_text(gpu['cc'])})"


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
