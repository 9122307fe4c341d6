"""Why CUDA is (un)usable, from the facts `cuda_facts.probe_cuda_facts` gathers.

`diagnose_cuda(facts) -> (status, reason, fix)` is a pure function, so every failure it
recognises is tested with a made-up facts dict (tests/test_environment.py, one row each).
`status` is "available", "simulator" or "unavailable". `reason` says what is wrong, naming
the versions and paths involved; `fix` says what to run or change. For "available", a
non-None `reason` is a warning worth showing (CUDA libraries not from the pip wheels, a
driver older than the runtime...), with `fix` for the day it bites.

Checks run in the order a user would fix things: install, driver, GPUs, toolkit. A fact
that was not probed (absent key) is never held against CUDA.
"""

# The pip extras of s2s, by CUDA major version, with the oldest NVIDIA driver that runs it.
EXTRAS = {13: ("s2s[cuda13]", 580), 12: ("s2s[cuda12]", 525)}
# The oldest compute capability each CUDA major version compiles for.
MIN_CC = {13: (7, 5), 12: (5, 0)}
SIMULATOR_HINT = "to develop without a GPU, set NUMBA_ENABLE_CUDASIM=1 (numba's CUDA simulator, on the CPU)"
REPORT_HINT = "`python -m s2s info` prints the full CUDA report"


def version_text(v):
    return ".".join(str(p) for p in v) if isinstance(v, (tuple, list)) else str(v)


def pip_install(major):
    extra, _ = EXTRAS[major]
    return f"pip install '{extra}'"


def install_hint(driver_version=None):
    """Which extra to install, for the driver the machine has (both when it is unknown)."""
    major = driver_version[0] if driver_version else None
    if major is not None and major >= 13:
        return pip_install(13)
    supports = f"this driver supports CUDA {version_text(driver_version)}" if major is not None else ""
    if major == 12:
        return f"{pip_install(12)} ({supports}; {pip_install(13)} needs a driver ≥ 580)"
    if major is not None:
        return f"upgrade the NVIDIA driver (≥ 525 for CUDA 12, ≥ 580 for CUDA 13; {supports}), then {pip_install(13)}"
    return f"{pip_install(13)} (NVIDIA driver ≥ 580) or {pip_install(12)} (driver ≥ 525)"


def _driver_text(facts):
    v = facts.get("driver_version")
    release = facts.get("driver_release")
    text = f"CUDA {version_text(v)}" if v else "unknown CUDA version"
    return f"{text}, NVIDIA driver {release}" if release else text


def library_source(facts, key):
    """'pip wheel' / 'conda' / 'system (found through LD_LIBRARY_PATH=...)' for runtime/nvvm."""
    found_via = facts.get(f"{key}_from") or ""
    if found_via == "site-packages" or found_via.startswith("NVIDIA NVCC Wheel"):
        return "pip wheel"
    if found_via.startswith("conda") or found_via.startswith("Conda"):
        return "conda"
    return f"system CUDA, {_override_cause(facts, found_via)}"


def _override_cause(facts, found_via):
    env = facts.get("env", {})
    if found_via == "system-search":
        path = env.get("LD_LIBRARY_PATH")
        return f"found through LD_LIBRARY_PATH={path}" if path else "found on the system library path (ldconfig)"
    if found_via in ("CUDA_PATH", "CUDA_HOME"):
        names = [f"{n}={env[n]}" for n in ("CUDA_HOME", "CUDA_PATH") if n in env]
        return "found through " + (", ".join(names) or "CUDA_HOME/CUDA_PATH")
    if found_via == "was-already-loaded-from-elsewhere":
        return "already loaded into the process by another library (or LD_PRELOAD)"
    return f"found via {found_via or 'an unknown route'}"


def _wheel_major(facts):
    """The CUDA major version of the pip wheels installed, or None."""
    wheels = facts.get("wheels", {})
    if any(name.endswith("-cu12") for name in wheels):
        return 12
    for name in ("nvidia-cuda-nvrtc", "nvidia-nvvm", "cuda-bindings"):
        if name in wheels:
            try:
                return int(wheels[name].split(".")[0])
            except ValueError:
                pass
    return None


def _overridden(facts, key):
    """True when pip wheels are installed but `key`'s library came from somewhere else."""
    if not facts.get(f"{key}_path") or _wheel_major(facts) is None:
        return False
    return library_source(facts, key).startswith("system")


def _override_fix(facts, key):
    """What to change so that `key`'s library comes from the pip wheels again."""
    found_via, env = facts.get(f"{key}_from") or "", facts.get("env", {})
    if found_via in ("CUDA_PATH", "CUDA_HOME"):
        return "unset CUDA_HOME / CUDA_PATH"
    if found_via == "system-search" and "LD_LIBRARY_PATH" in env:
        return "remove the system CUDA directories from LD_LIBRARY_PATH"
    if found_via == "was-already-loaded-from-elsewhere":
        return "stop loading the system CUDA libraries first (LD_PRELOAD, or a library imported before s2s)"
    return f"reinstall the pip wheels ({pip_install(_wheel_major(facts) or 13)})"


# -- the checks, in order; each returns None or (status, reason, fix) -----------------------
def _install(facts):
    if facts.get("probe_error"):
        return ("unavailable", f"probing the CUDA installation failed ({facts['probe_error']})", REPORT_HINT)
    if facts.get("numba_cuda") is None:
        return ("unavailable", "numba-cuda is not installed (s2s compiles GPU kernels with it)",
                install_hint(facts.get("driver_version")))
    if facts.get("import_error"):
        return ("unavailable", f"numba.cuda cannot be imported ({facts['import_error']})",
                "reinstall the CUDA extra in a fresh virtual environment: " + install_hint(facts.get("driver_version")))
    if facts.get("simulator"):
        return ("simulator", "NUMBA_ENABLE_CUDASIM=1: CUDA kernels run in numba's simulator on the CPU "
                "(slowly, for development and tests); no GPU is used",
                "unset NUMBA_ENABLE_CUDASIM to use a GPU")
    if facts.get("disabled"):
        return ("unavailable", "NUMBA_DISABLE_CUDA is set", "unset NUMBA_DISABLE_CUDA")
    return None


def _driver(facts):
    if facts.get("platform") == "darwin":
        return ("unavailable", "macOS has no NVIDIA CUDA driver",
                "use the CPU backend (the default); " + SIMULATOR_HINT)
    if facts.get("driver_probe_error"):
        return ("unavailable", f"the NVIDIA driver library loaded but querying it failed ({facts['driver_probe_error']})",
                "check that `nvidia-smi` works; reinstall the NVIDIA driver if it does not")
    if facts.get("driver_found", True):
        return None
    libcuda = "nvcuda.dll" if facts.get("platform") == "win32" else "libcuda.so"
    if facts.get("driver_error"):
        return ("unavailable", f"the NVIDIA driver library was found but could not be loaded ({facts['driver_error']})",
                f"reinstall the NVIDIA driver; its {libcuda} must match this Python's architecture")
    return ("unavailable",
            f"no NVIDIA driver: {libcuda} (the driver's library, which no pip package provides) was not found",
            "install the NVIDIA driver (≥ 580 for CUDA 13, ≥ 525 for CUDA 12); in a container, start it with the "
            "GPUs exposed (`docker run --gpus all`, NVIDIA Container Toolkit); " + SIMULATOR_HINT)


def _no_gpu(facts):
    visible = facts.get("env", {}).get("CUDA_VISIBLE_DEVICES")
    if visible is not None:
        return ("unavailable",
                f"CUDA_VISIBLE_DEVICES={visible!r} hides every GPU (the NVIDIA driver, {_driver_text(facts)}, "
                "loaded but reports no device)",
                "unset CUDA_VISIBLE_DEVICES, or set it to the GPUs to use, e.g. CUDA_VISIBLE_DEVICES=0 "
                "(`nvidia-smi -L` lists them)")
    return ("unavailable", f"the NVIDIA driver ({_driver_text(facts)}) loaded but found no GPU",
            "check that `nvidia-smi` lists a GPU; in a container, start it with `--gpus all`; " + SIMULATOR_HINT)


def _init(facts):
    error = facts.get("init_error")
    path = facts.get("driver_path") or "libcuda"
    if "stubs" in path.replace("\\", "/").split("/") or (error and error[0] == 34):
        return ("unavailable", f"the libcuda loaded ({path}) is the CUDA toolkit's stub library, not the NVIDIA driver",
                "remove the .../stubs directory from LD_LIBRARY_PATH (stubs are for linking only) "
                "and install the NVIDIA driver if `nvidia-smi` does not work")
    if not error:
        return _no_gpu(facts) if facts.get("gpus") == [] else None
    code, name = error
    failed = f"the NVIDIA driver failed to initialise: cuInit returned {name} ({code})"
    if code == 100:
        return _no_gpu(facts)
    if code == 35:
        return ("unavailable", f"{failed}: the driver ({_driver_text(facts)}) is too old",
                "upgrade the NVIDIA driver (≥ 580 for CUDA 13, ≥ 525 for CUDA 12)")
    if code == 803:
        return ("unavailable", f"{failed}: the user-space driver {path} does not match the loaded kernel module",
                "reboot after a driver upgrade; if LD_LIBRARY_PATH holds a CUDA forward-compatibility "
                "directory (.../compat), remove it")
    if code == 804:
        return ("unavailable", f"{failed}: the CUDA forward-compatibility driver {path} does not support this GPU",
                "remove the .../compat directory from LD_LIBRARY_PATH and upgrade the NVIDIA driver instead")
    return ("unavailable", failed,
            "check that `nvidia-smi` works (reboot after a driver upgrade; on a shared machine, the GPU may be in "
            "exclusive mode or not yet ready)")


def _toolkit(facts):
    driver, runtime = facts.get("driver_version"), facts.get("runtime_version")
    if facts.get("runtime_error"):
        return ("unavailable", f"the CUDA runtime compiler NVRTC was not found ({facts['runtime_error']})",
                install_hint(driver))
    if driver and runtime and tuple(driver[:2]) < tuple(runtime[:2]):
        found = f"the CUDA {version_text(runtime)} runtime ({library_source(facts, 'runtime')}: {facts.get('runtime_path')})"
        too_old = f"the NVIDIA driver supports CUDA up to {version_text(driver)} but numba-cuda uses {found}"
        fix = f"upgrade the NVIDIA driver to ≥ {EXTRAS.get(runtime[0], ('', 580))[1]} (CUDA {runtime[0]}), or "
        fix += (f"install the CUDA {driver[0]} build in a fresh virtual environment: {pip_install(driver[0])}"
                if driver[0] in EXTRAS and driver[0] != runtime[0] else "use a CUDA build this driver supports")
        if _overridden(facts, "runtime"):
            fix = f"{_override_fix(facts, 'runtime')} so the pip wheels are used, or {fix}"
        if driver[0] < runtime[0]:
            return ("unavailable", too_old, fix)
        if not facts.get("nvjitlink", True):
            return ("unavailable", f"{too_old}, and without nvJitLink the driver must compile the newer PTX "
                    "itself (CUDA_ERROR_UNSUPPORTED_PTX_VERSION)", f"{pip_install(runtime[0])} (brings nvJitLink), or {fix}")
    if facts.get("nvvm_error"):
        major = (runtime or (None,))[0] or _wheel_major(facts) or (driver or (13,))[0]
        brings = "the nvidia-nvvm wheel" if major >= 13 else "nvidia-cuda-nvcc-cu12, which holds libNVVM"
        fix = f"{pip_install(13 if major >= 13 else 12)} (it brings {brings})"
        if facts.get("env", {}).get("CUDA_HOME") or facts.get("env", {}).get("CUDA_PATH"):
            fix += ", or point CUDA_HOME at a CUDA toolkit that has nvvm/lib64"
        return ("unavailable", f"libNVVM, the CUDA compiler numba-cuda generates GPU code with, was not found "
                f"({facts['nvvm_error']})", fix)
    if facts.get("compiler_error"):
        return ("unavailable", f"numba-cuda {facts.get('numba_cuda') or ''} cannot set up its compiler with the "
                f"NumPy and numba installed ({facts['compiler_error']})",
                "install a numba-cuda release that supports your NumPy (pip install -U numba-cuda), or the "
                "NumPy version your numba-cuda supports")
    if facts.get("numba_error"):
        return ("unavailable", f"numba-cuda could not initialise CUDA ({facts['numba_error']})",
                "check that `nvidia-smi` works; " + REPORT_HINT)
    return None


def _gpus(facts):
    gpus, runtime = facts.get("gpus") or [], facts.get("runtime_version")
    need = MIN_CC.get(runtime[0]) if runtime else None
    if not gpus or need is None:
        return None
    old = [g for g in gpus if tuple(g["cc"]) < need]
    if not old:
        return None
    names = ", ".join(f"[{g['id']}] {g['name']} (compute capability {version_text(g['cc'])})" for g in old)
    reason = f"{names}: CUDA {version_text(runtime)} compiles for compute capability ≥ {version_text(need)} only"
    fix = (f"install the CUDA 12 build, which supports compute capability ≥ 5.0: {pip_install(12)}"
           if runtime[0] >= 13 else "this GPU is too old for s2s's CUDA backend; use the CPU backend")
    if len(old) < len(gpus):
        return ("available", f"{reason}; the other GPUs work", fix)
    return ("unavailable", reason, fix)


def _notes(facts):
    driver, runtime = facts.get("driver_version"), facts.get("runtime_version")
    if driver and runtime and tuple(driver[:2]) < tuple(runtime[:2]):
        return ("available", f"the NVIDIA driver supports CUDA {version_text(driver)}, older than the CUDA "
                f"{version_text(runtime)} runtime: kernels run through CUDA minor-version compatibility "
                "(nvJitLink links them on the host)",
                "if a kernel fails to load, upgrade the NVIDIA driver")
    for key, what in (("runtime", "NVRTC"), ("nvvm", "libNVVM")):
        if _overridden(facts, key):
            return ("available", f"{what} comes from {facts.get(f'{key}_path')} ({library_source(facts, key)}), "
                    "not from the pip wheels installed",
                    f"if kernels fail to compile, {_override_fix(facts, key)} so the pip wheels are used")
    return None


def diagnose_cuda(facts):
    """(status, reason, fix) for a facts dict; see the module docstring. Pure: no probing."""
    for check in (_install, _driver, _init, _toolkit, _gpus, _notes):
        verdict = check(facts)
        if verdict is not None:
            return verdict
    return ("available", None, None)


def unavailable_message(reason, fix):
    """The text of the RuntimeError raised when CUDA is requested but unusable."""
    return f"Backend 'cuda' failed to initialize: {reason}. To fix: {fix}. ({REPORT_HINT}.)"
