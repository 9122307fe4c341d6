"""What this machine offers CUDA: the probed facts that `cuda_diagnosis.diagnose_cuda` judges.

`probe_cuda_facts()` never raises: a probe that fails records why. The NVIDIA driver is
probed through its C API with ctypes, so a machine without one answers in milliseconds,
without importing numba.cuda (which takes seconds). `deep=True` also imports numba.cuda
and asks it which CUDA runtime (NVRTC), libNVVM and nvJitLink it compiles kernels with.

The facts are a plain dict; a key is absent when it was not probed:

    platform          sys.platform
    simulator         numba's CUDA simulator is selected (NUMBA_ENABLE_CUDASIM)
    disabled          NUMBA_DISABLE_CUDA is set
    numba_cuda        numba-cuda's version, None when it is not installed
    wheels            {distribution: version} of the NVIDIA CUDA pip wheels installed
    env               {name: value} of CUDA_VISIBLE_DEVICES, LD_LIBRARY_PATH, CUDA_HOME,
                      CUDA_PATH, for those that are set
    driver_found      libcuda (nvcuda.dll) could be loaded
    driver_error      a libcuda file exists but the loader refused it: its message
    driver_path       the libcuda file loaded
    driver_release    the NVIDIA kernel module's version, e.g. "580.65.06" (Linux)
    driver_version    (major, minor): the newest CUDA version the driver supports
    init_error        (code, name) when cuInit failed, None when it succeeded
    gpus              [{"id": 0, "name": "NVIDIA H200", "cc": (9, 0)}, ...]
    driver_probe_error  querying a loaded driver raised: why (probe_error: likewise for
                      the environment facts)
  deep only:
    import_error      why numba.cuda cannot be imported, None when it can
    runtime_version   (major, minor) of the NVRTC numba-cuda loaded; runtime_path,
                      runtime_from (how it was found: "site-packages", "conda",
                      "system-search", "CUDA_PATH", ...); runtime_error when not found
    nvvm_version      libNVVM's (major, minor); nvvm_path, nvvm_from, nvvm_error likewise
    nvjitlink         nvJitLink is usable, so kernels are linked on the host, not by the driver
    numba_error       numba-cuda's own driver initialisation error, when it has one
    compiler_error    why numba-cuda's compiler registries did not load (a numba-cuda /
                      NumPy mismatch), None when they did
"""
import ctypes
import importlib.metadata
import os
import sys
import warnings

ENV_VARS = ("CUDA_VISIBLE_DEVICES", "LD_LIBRARY_PATH", "CUDA_HOME", "CUDA_PATH")

# The pip wheels that carry CUDA for numba-cuda[cu13] / numba-cuda[cu12].
CUDA_WHEELS = (
    "cuda-bindings", "nvidia-cuda-nvrtc", "nvidia-nvvm", "nvidia-nvjitlink", "nvidia-cuda-runtime",
    "nvidia-cuda-nvrtc-cu12", "nvidia-cuda-nvcc-cu12", "nvidia-nvjitlink-cu12", "nvidia-cuda-runtime-cu12",
)

# CUdevice_attribute values of the CUDA driver API.
_CC_MAJOR, _CC_MINOR = 75, 76

# Names of the cuInit results worth explaining, in case cuGetErrorName is unavailable.
CU_ERRORS = {
    34: "CUDA_ERROR_STUB_LIBRARY", 35: "CUDA_ERROR_INSUFFICIENT_DRIVER", 100: "CUDA_ERROR_NO_DEVICE",
    101: "CUDA_ERROR_INVALID_DEVICE", 304: "CUDA_ERROR_OPERATING_SYSTEM", 802: "CUDA_ERROR_SYSTEM_NOT_READY",
    803: "CUDA_ERROR_SYSTEM_DRIVER_MISMATCH", 804: "CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE",
    999: "CUDA_ERROR_UNKNOWN",
}


def _text(exc):
    """An exception as one short line."""
    text = " ".join(str(exc).split()).rstrip(" :") or type(exc).__name__
    return text if len(text) <= 300 else text[:297] + "..."


def _guarded(facts, key, fn):
    """facts.update(fn()), or facts[key] = why fn failed: no probe takes the report down."""
    try:
        facts.update(fn())
    except Exception as exc:  # noqa: BLE001 -- CUDA libraries fail in many ways
        facts[key] = f"{type(exc).__name__}: {_text(exc)}"


def _flag(name):
    """An integer environment flag the way numba reads it ("1" on, "0"/unset/garbage off)."""
    try:
        return int(os.environ.get(name, "0") or "0") != 0
    except ValueError:
        return False


def simulator_selected():
    """Whether numba.cuda is (or, once imported, will be) the CPU simulator.

    numba reads NUMBA_ENABLE_CUDASIM once, when numba.cuda is first imported; after that the
    import decides, whatever the variable says now.
    """
    config = sys.modules.get("numba.cuda.core.config")
    if config is not None and "numba.cuda" in sys.modules:
        return bool(getattr(config, "ENABLE_CUDASIM", False))
    return _flag("NUMBA_ENABLE_CUDASIM")


def _distribution(name):
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def _base_facts():
    return {
        "platform": sys.platform,
        "simulator": simulator_selected(),
        "disabled": _flag("NUMBA_DISABLE_CUDA"),
        "numba_cuda": _distribution("numba-cuda"),
        "wheels": {name: v for name in CUDA_WHEELS if (v := _distribution(name)) is not None},
        "env": {name: os.environ[name] for name in ENV_VARS if name in os.environ},
    }


# -- the driver, through ctypes -----------------------------------------------------------
def _driver_candidates():
    """Where numba-cuda looks for the driver library, NUMBA_CUDA_DRIVER first."""
    override = os.environ.get("NUMBA_CUDA_DRIVER")
    if sys.platform == "win32":
        names = ["nvcuda.dll"]
    else:
        names = ["libcuda.so.1", "libcuda.so"] + [
            os.path.join(d, n) for d in ("/usr/lib", "/usr/lib64", "/usr/lib/x86_64-linux-gnu", "/usr/lib/wsl/lib")
            for n in ("libcuda.so.1", "libcuda.so")
        ]
    return ([override] if override else []) + names


def _missing(exc, name):
    """True when the loader failed because there is no such file (not a broken one)."""
    if os.path.isabs(name):
        return not os.path.exists(name)
    text = str(exc)
    return "No such file" in text or "cannot find" in text.lower() or "could not find" in text.lower()


def load_libcuda():
    """(library, path, error): the driver library loaded with ctypes, or why it could not be.

    `error` is None when the library is simply absent, the loader's message when a file was
    found but refused (wrong architecture, missing symbols...).
    """
    loader = getattr(ctypes, "WinDLL", ctypes.CDLL) if sys.platform == "win32" else ctypes.CDLL
    broken = None
    for name in _driver_candidates():
        try:
            lib = loader(name)
        except OSError as exc:
            if not _missing(exc, name) and broken is None:
                broken = f"{name}: {_text(exc)}"
            continue
        return lib, _loaded_path("libcuda") or name, None
    return None, None, broken


def _loaded_path(stem):
    """The file of a loaded shared library whose name starts with `stem` (Linux), else None."""
    try:
        with open(f"/proc/{os.getpid()}/maps") as maps:
            for line in maps:
                path = line.split()[-1] if line.strip() else ""
                if os.path.basename(path).startswith(stem + "."):
                    return path
    except OSError:
        pass
    return None


def _driver_release():
    """The NVIDIA kernel module version from /proc (Linux), e.g. '580.65.06', or None."""
    try:
        with open("/proc/driver/nvidia/version") as f:
            words = f.readline().split()
    except OSError:
        return None
    for word in words:
        if word.count(".") >= 1 and word.replace(".", "").isdigit():
            return word
    return None


def _error_name(lib, code):
    name = ctypes.c_char_p()
    try:
        if lib.cuGetErrorName(code, ctypes.byref(name)) == 0 and name.value:
            return name.value.decode()
    except (AttributeError, OSError):
        pass
    return CU_ERRORS.get(code, f"CUDA error {code}")


def driver_facts(lib):
    """Version, cuInit result and GPUs of a loaded driver library (a ctypes CDLL, or a fake).

    cuDriverGetVersion works before cuInit, so the version is known even when no GPU is.
    """
    facts = {}
    version = ctypes.c_int(0)
    if lib.cuDriverGetVersion(ctypes.byref(version)) == 0 and version.value:
        facts["driver_version"] = (version.value // 1000, version.value % 1000 // 10)
    code = lib.cuInit(0)
    facts["init_error"] = (code, _error_name(lib, code)) if code else None
    facts["gpus"] = [] if code else _gpus(lib)
    return facts


def _gpus(lib):
    count = ctypes.c_int(0)
    if lib.cuDeviceGetCount(ctypes.byref(count)) != 0:
        return []
    out = []
    for ordinal in range(count.value):
        dev, major, minor = ctypes.c_int(0), ctypes.c_int(0), ctypes.c_int(0)
        name = ctypes.create_string_buffer(256)
        if lib.cuDeviceGet(ctypes.byref(dev), ordinal) != 0:
            continue
        lib.cuDeviceGetName(name, 256, dev)
        lib.cuDeviceGetAttribute(ctypes.byref(major), _CC_MAJOR, dev)
        lib.cuDeviceGetAttribute(ctypes.byref(minor), _CC_MINOR, dev)
        out.append({"id": ordinal, "name": name.value.decode(errors="replace"), "cc": (major.value, minor.value)})
    return out


def _driver(facts):
    if facts["platform"] == "darwin":  # no NVIDIA driver for macOS since CUDA 10.2
        facts.update(driver_found=False, driver_error=None)
        return
    try:
        lib, path, error = load_libcuda()
    except Exception as exc:  # noqa: BLE001 -- a loader crash is reported like a broken library
        lib, path, error = None, None, f"{type(exc).__name__}: {_text(exc)}"
    facts.update(driver_found=lib is not None, driver_error=error, driver_path=path)
    if lib is None:
        return
    facts["driver_release"] = _driver_release()
    _guarded(facts, "driver_probe_error", lambda: driver_facts(lib))


# -- numba-cuda's toolchain (deep) --------------------------------------------------------
def _import_numba_cuda():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # numba-cuda warns about RTLD_GLOBAL and the like
        from numba import cuda
    return cuda


def _library(facts, key, getter, version):
    """Where numba-cuda found a CUDA library (`getter()` -> (found_via, path)) and its version."""
    try:
        found_via, path = getter()
    except Exception as exc:  # noqa: BLE001 -- cuda.pathfinder raises its own NotFound errors
        facts[f"{key}_error"] = f"{type(exc).__name__}: {_text(exc)}"
        return
    facts[f"{key}_path"], facts[f"{key}_from"] = path, found_via
    _guarded(facts, f"{key}_error", lambda: {f"{key}_version": tuple(version())})


def _cuda_path(name):
    """numba-cuda's (found_via, path) for NVRTC or libNVVM, each looked up on its own so one
    missing library does not hide the other."""
    from numba.cuda import cuda_paths

    finder = {"nvrtc": "_get_nvrtc_path", "nvvm": "_get_nvvm_path"}[name]
    lookup = getattr(cuda_paths, finder, None) or (lambda: cuda_paths.get_cuda_paths()[name])
    found = lookup()
    if not found.info:
        raise FileNotFoundError(f"lib{name} not found (searched: {found.by})")
    return found.by, found.info


def _nvvm_version():
    from numba.cuda.cudadrv import nvvm

    return nvvm.NVVM().get_version()


def _runtime_version():
    from numba.cuda.cudadrv import runtime

    return runtime.get_version()


def _nvjitlink():
    from numba.cuda.cudadrv import driver

    have = getattr(driver, "_have_nvjitlink", None)
    return {"nvjitlink": bool(have()) if have else False}


def _numba_error(cuda):
    """numba-cuda's own verdict, for the rare case where ctypes succeeded and it did not."""
    if cuda.is_available():
        return {"numba_error": None}
    error = getattr(cuda, "cuda_error", lambda: None)()
    return {"numba_error": _text(error) if error else "numba.cuda.is_available() returned False"}


def load_compiler():
    """Load numba-cuda's typing registries now (its first kernel compile would otherwise), so a
    numba-cuda that cannot set up its compiler is reported by the probe, not by a kernel.

    numba-cuda 0.30 registers np.row_stack at that import unconditionally and NumPy 2.5 removed
    it: the name is lent (as np.vstack, what it was) for the import only. Idempotent; nothing
    to load under the simulator."""
    import numpy as np
    from numba.cuda import config

    if getattr(config, "ENABLE_CUDASIM", False):
        return {"compiler_error": None}
    from numba.cuda.descriptor import cuda_target

    lent = not hasattr(np, "row_stack")
    if lent:
        np.row_stack = np.vstack
    try:
        cuda_target.typing_context.refresh()
    finally:
        if lent:
            del np.row_stack
    return {"compiler_error": None}


def _toolchain(facts):
    try:
        cuda = _import_numba_cuda()
    except Exception as exc:  # noqa: BLE001 -- ImportError, OSError from a broken wheel...
        facts["import_error"] = f"{type(exc).__name__}: {_text(exc)}"
        return
    facts["import_error"] = None
    if facts["simulator"]:
        return  # the simulator compiles nothing: no runtime, NVVM or driver is involved
    _library(facts, "runtime", lambda: _cuda_path("nvrtc"), _runtime_version)
    _library(facts, "nvvm", lambda: _cuda_path("nvvm"), _nvvm_version)
    _guarded(facts, "nvjitlink_error", _nvjitlink)
    _guarded(facts, "compiler_error", load_compiler)
    if facts.get("driver_found") and not facts.get("init_error") and facts.get("gpus"):
        _guarded(facts, "numba_error", lambda: _numba_error(cuda))


def probe_cuda_facts(deep=True):
    """The facts dict described in the module docstring. Never raises.

    deep=False probes only what needs no numba.cuda import (environment, wheels, driver):
    enough to say "no CUDA here" quickly. deep=True adds numba-cuda's toolchain.
    """
    facts = {}
    _guarded(facts, "probe_error", _base_facts)
    facts.setdefault("platform", sys.platform)
    facts.setdefault("simulator", False)
    facts.setdefault("numba_cuda", None)
    if not facts["simulator"]:
        _guarded(facts, "driver_probe_error", lambda: _driver(facts) or {})
    if deep and facts.get("numba_cuda") is not None:
        _guarded(facts, "import_error", lambda: _toolchain(facts) or {})
    elif deep:
        facts["import_error"] = "numba-cuda is not installed"
    return facts
