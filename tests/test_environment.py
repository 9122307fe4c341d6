"""`s2s info` and the CUDA diagnosis: one table row per reason CUDA can be unusable, judged
from made-up facts (no GPU needed), plus the probe against a fake driver library and the
command line itself."""
import os
import pathlib
import subprocess
import sys

import pytest

from s2s import cuda_facts, environment
from s2s.cuda_diagnosis import diagnose_cuda

REPO_ROOT = pathlib.Path(__file__).resolve().parents[1]
SITE = "/venv/lib/python3.12/site-packages/nvidia/cu13/lib"
H200 = {"id": 0, "name": "NVIDIA H200", "cc": (9, 0)}
CU13_WHEELS = {"cuda-bindings": "13.5.0", "nvidia-cuda-nvrtc": "13.5.37", "nvidia-nvvm": "13.5.37",
               "nvidia-nvjitlink": "13.5.37"}
CU12_WHEELS = {"cuda-bindings": "12.9.0", "nvidia-cuda-nvrtc-cu12": "12.9.86", "nvidia-cuda-nvcc-cu12": "12.9.86"}


def facts(**changes):
    """The facts of a working CUDA 13 machine with one H200, with `changes` applied."""
    base = {
        "platform": "linux", "simulator": False, "disabled": False, "numba_cuda": "0.30.4",
        "wheels": dict(CU13_WHEELS), "env": {},
        "driver_found": True, "driver_error": None, "driver_path": "/usr/lib/x86_64-linux-gnu/libcuda.so.580.65.06",
        "driver_release": "580.65.06", "driver_version": (13, 0), "init_error": None, "gpus": [H200],
        "import_error": None,
        "runtime_version": (13, 0), "runtime_path": f"{SITE}/libnvrtc.so.13", "runtime_from": "site-packages",
        "nvvm_version": (2, 0), "nvvm_path": f"{SITE}/libnvvm.so.4", "nvvm_from": "site-packages",
        "nvjitlink": True, "numba_error": None,
    }
    base.update(changes)
    return base


def without(*keys, **changes):
    return {k: v for k, v in facts(**changes).items() if k not in keys}


SYSTEM_NVRTC = dict(runtime_version=(13, 5), runtime_from="system-search",
                    runtime_path="/usr/local/cuda-13.5/lib64/libnvrtc.so.13")

# (id, facts, status, words in the reason, words in the fix)
DIAGNOSES = [
    ("working GPU", facts(), "available", None, None),
    ("quick probe: no toolchain facts yet",
     without("import_error", "runtime_version", "runtime_path", "runtime_from", "nvvm_version", "nvvm_path",
             "nvvm_from", "nvjitlink", "numba_error"), "available", None, None),
    ("numba-cuda not installed", facts(numba_cuda=None, wheels={}, driver_version=None),
     "unavailable", ["numba-cuda is not installed"], ["s2s[cuda13]", "s2s[cuda12]", "580", "525"]),
    ("numba-cuda not installed, CUDA 12 driver", facts(numba_cuda=None, driver_version=(12, 8)),
     "unavailable", ["numba-cuda is not installed"], ["s2s[cuda12]", "12.8"]),
    ("numba.cuda import fails", facts(import_error="ImportError: NVIDIA CUDA Python bindings not found"),
     "unavailable", ["cannot be imported", "bindings not found"], ["fresh virtual environment", "s2s[cuda13]"]),
    ("simulator", facts(simulator=True), "simulator", ["NUMBA_ENABLE_CUDASIM=1", "CPU"], ["unset NUMBA_ENABLE_CUDASIM"]),
    ("simulator without numba-cuda", facts(simulator=True, numba_cuda=None),
     "unavailable", ["numba-cuda is not installed"], ["pip install"]),
    ("NUMBA_DISABLE_CUDA", facts(disabled=True), "unavailable", ["NUMBA_DISABLE_CUDA"], ["unset NUMBA_DISABLE_CUDA"]),
    ("macOS", facts(platform="darwin", driver_found=False), "unavailable", ["macOS"], ["CPU", "NUMBA_ENABLE_CUDASIM"]),
    ("no NVIDIA driver", facts(driver_found=False, driver_path=None, driver_version=None, gpus=None),
     "unavailable", ["no NVIDIA driver", "libcuda.so", "not found"],
     ["install the NVIDIA driver", "--gpus all", "NUMBA_ENABLE_CUDASIM=1"]),
    ("no NVIDIA driver (Windows)", facts(platform="win32", driver_found=False), "unavailable", ["nvcuda.dll"], ["driver"]),
    ("libcuda found but broken",
     facts(driver_found=False, driver_error="/usr/lib64/libcuda.so.1: wrong ELF class: ELFCLASS32"),
     "unavailable", ["could not be loaded", "wrong ELF class"], ["reinstall the NVIDIA driver"]),
    ("toolkit stub libcuda on LD_LIBRARY_PATH",
     facts(driver_path="/usr/local/cuda/lib64/stubs/libcuda.so", init_error=(34, "CUDA_ERROR_STUB_LIBRARY"), gpus=[],
           env={"LD_LIBRARY_PATH": "/usr/local/cuda/lib64/stubs"}),
     "unavailable", ["stub library", "/usr/local/cuda/lib64/stubs/libcuda.so"], ["stubs", "LD_LIBRARY_PATH"]),
    ("CUDA_VISIBLE_DEVICES=-1", facts(init_error=(100, "CUDA_ERROR_NO_DEVICE"), gpus=[], env={"CUDA_VISIBLE_DEVICES": "-1"}),
     "unavailable", ["CUDA_VISIBLE_DEVICES='-1'", "hides every GPU", "CUDA 13.0"], ["unset CUDA_VISIBLE_DEVICES", "nvidia-smi -L"]),
    ("CUDA_VISIBLE_DEVICES empty", facts(gpus=[], env={"CUDA_VISIBLE_DEVICES": ""}),
     "unavailable", ["CUDA_VISIBLE_DEVICES=''", "hides every GPU"], ["unset CUDA_VISIBLE_DEVICES"]),
    ("driver but no GPU", facts(init_error=(100, "CUDA_ERROR_NO_DEVICE"), gpus=[]),
     "unavailable", ["loaded but found no GPU", "580.65.06"], ["nvidia-smi", "--gpus all", "NUMBA_ENABLE_CUDASIM"]),
    ("cuInit: driver too old", facts(init_error=(35, "CUDA_ERROR_INSUFFICIENT_DRIVER"), gpus=[]),
     "unavailable", ["CUDA_ERROR_INSUFFICIENT_DRIVER", "too old"], ["upgrade the NVIDIA driver"]),
    ("cuInit: user-space and kernel driver differ", facts(init_error=(803, "CUDA_ERROR_SYSTEM_DRIVER_MISMATCH"), gpus=[]),
     "unavailable", ["does not match the loaded kernel module"], ["reboot", "compat"]),
    ("cuInit: forward-compatibility driver unsupported",
     facts(init_error=(804, "CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE"), gpus=[],
           driver_path="/usr/local/cuda/compat/libcuda.so.1"),
     "unavailable", ["forward-compatibility", "/usr/local/cuda/compat/libcuda.so.1"], ["LD_LIBRARY_PATH"]),
    ("cuInit: other failure", facts(init_error=(999, "CUDA_ERROR_UNKNOWN"), gpus=[]),
     "unavailable", ["cuInit returned CUDA_ERROR_UNKNOWN (999)"], ["nvidia-smi"]),
    ("NVRTC not found", without("runtime_version", "runtime_path", "runtime_from",
                                runtime_error="DynamicLibNotFoundError: Failure finding libnvrtc.so"),
     "unavailable", ["NVRTC was not found", "libnvrtc.so"], ["s2s[cuda13]"]),
    ("driver too old for the toolkit (CUDA 12 driver, CUDA 13 wheels)",
     facts(driver_version=(12, 8), driver_release="570.86.10", runtime_version=(13, 5)),
     "unavailable", ["supports CUDA up to 12.8", "CUDA 13.5 runtime", "pip wheel"],
     ["upgrade the NVIDIA driver to ≥ 580", "s2s[cuda12]"]),
    ("driver older minor, no nvJitLink", facts(driver_version=(13, 0), runtime_version=(13, 5), nvjitlink=False),
     "unavailable", ["supports CUDA up to 13.0", "13.5", "nvJitLink", "UNSUPPORTED_PTX_VERSION"], ["s2s[cuda13]"]),
    ("driver older minor, nvJitLink links on the host", facts(driver_version=(13, 0), runtime_version=(13, 5)),
     "available", ["minor-version compatibility"], ["upgrade the NVIDIA driver"]),
    ("LD_LIBRARY_PATH puts a newer system CUDA ahead of the wheels",
     facts(driver_version=(12, 8), env={"LD_LIBRARY_PATH": "/usr/local/cuda-13.5/lib64"}, **SYSTEM_NVRTC),
     "unavailable", ["supports CUDA up to 12.8", "system CUDA", "LD_LIBRARY_PATH=/usr/local/cuda-13.5/lib64"],
     ["remove the system CUDA directories from LD_LIBRARY_PATH", "pip wheels"]),
    ("LD_LIBRARY_PATH system CUDA, compatible", facts(driver_version=(13, 5), env={"LD_LIBRARY_PATH": "/usr/local/cuda-13.5/lib64"},
                                                      **SYSTEM_NVRTC),
     "available", ["NVRTC comes from /usr/local/cuda-13.5", "not from the pip wheels"], ["LD_LIBRARY_PATH"]),
    ("CUDA_HOME system NVVM, compatible",
     facts(nvvm_from="CUDA_PATH", nvvm_path="/opt/cuda/nvvm/lib64/libnvvm.so.4", env={"CUDA_HOME": "/opt/cuda"}),
     "available", ["libNVVM comes from /opt/cuda", "CUDA_HOME=/opt/cuda"], ["unset CUDA_HOME"]),
    ("NVVM not found (CUDA 13)", without("nvvm_version", "nvvm_path", "nvvm_from",
                                         nvvm_error="DynamicLibNotFoundError: Failure finding libnvvm.so"),
     "unavailable", ["libNVVM", "not found", "libnvvm.so"], ["s2s[cuda13]", "nvidia-nvvm"]),
    ("NVVM not found (CUDA 12)", without("nvvm_version", "nvvm_path", "nvvm_from", wheels=dict(CU12_WHEELS),
                                         driver_version=(12, 8), runtime_version=(12, 8), nvvm_error="not found"),
     "unavailable", ["libNVVM"], ["s2s[cuda12]", "nvidia-cuda-nvcc-cu12"]),
    ("GPU too old for CUDA 13", facts(gpus=[{"id": 0, "name": "Tesla P100", "cc": (6, 0)}]),
     "unavailable", ["Tesla P100", "compute capability 6.0", "≥ 7.5"], ["s2s[cuda12]"]),
    ("one of two GPUs too old", facts(gpus=[H200, {"id": 1, "name": "Tesla V100", "cc": (7, 0)}]),
     "available", ["Tesla V100", "the other GPUs work"], ["s2s[cuda12]"]),
    ("querying the driver failed", facts(driver_probe_error="OSError: exception: access violation"),
     "unavailable", ["querying it failed", "access violation"], ["nvidia-smi"]),
    ("probing the environment failed", facts(probe_error="OSError: bad metadata"),
     "unavailable", ["probing", "bad metadata"], ["python -m s2s info"]),
    ("numba-cuda's compiler does not load with this NumPy",
     facts(compiler_error="AttributeError: module 'numpy' has no attribute 'row_stack'"),
     "unavailable", ["cannot set up its compiler", "row_stack"], ["pip install -U numba-cuda", "NumPy"]),
    ("numba-cuda fails where the driver works", facts(numba_error="CUDA_ERROR_OUT_OF_MEMORY"),
     "unavailable", ["numba-cuda could not initialise CUDA", "OUT_OF_MEMORY"], ["nvidia-smi"]),
]


@pytest.mark.parametrize("case", DIAGNOSES, ids=[c[0] for c in DIAGNOSES])
def test_diagnose_cuda(case):
    _, given, status, reason_words, fix_words = case
    got_status, reason, fix = diagnose_cuda(given)
    assert got_status == status, (reason, fix)
    for words, text in ((reason_words, reason), (fix_words, fix)):
        if words is None:
            assert text is None
        for word in words or ():
            assert word in text, f"{word!r} not in {text!r}"


# -- the probe, against a fake driver library ---------------------------------------------
class FakeLibcuda:
    """The few CUDA driver API calls the probe makes, answering like a driver would."""

    def __init__(self, version=13000, init=0, gpus=(("NVIDIA H200", 9, 0),)):
        self.version, self.init, self.gpus = version, init, gpus

    @staticmethod
    def _set(ref, value):
        ref._obj.value = value
        return 0

    def cuDriverGetVersion(self, ref):
        return self._set(ref, self.version)

    def cuInit(self, flags):
        return self.init

    def cuGetErrorName(self, code, ref):
        return self._set(ref, b"CUDA_ERROR_NO_DEVICE") if code == 100 else 1

    def cuDeviceGetCount(self, ref):
        return self._set(ref, len(self.gpus))

    def cuDeviceGet(self, ref, ordinal):
        return self._set(ref, ordinal)

    def cuDeviceGetName(self, buf, size, dev):
        buf.value = self.gpus[dev.value][0].encode()
        return 0

    def cuDeviceGetAttribute(self, ref, attr, dev):
        return self._set(ref, self.gpus[dev.value][1 if attr == 75 else 2])


@pytest.mark.parametrize("lib, expected", [
    (FakeLibcuda(), {"driver_version": (13, 0), "init_error": None, "gpus": [H200]}),
    (FakeLibcuda(version=12080, gpus=(("A", 8, 0), ("B", 8, 6))),
     {"driver_version": (12, 8), "init_error": None,
      "gpus": [{"id": 0, "name": "A", "cc": (8, 0)}, {"id": 1, "name": "B", "cc": (8, 6)}]}),
    (FakeLibcuda(init=100), {"driver_version": (13, 0), "init_error": (100, "CUDA_ERROR_NO_DEVICE"), "gpus": []}),
    (FakeLibcuda(init=803), {"driver_version": (13, 0), "init_error": (803, "CUDA_ERROR_SYSTEM_DRIVER_MISMATCH"), "gpus": []}),
], ids=["one GPU", "two GPUs, CUDA 12.8", "no device", "mismatch"])
def test_driver_facts(lib, expected):
    assert cuda_facts.driver_facts(lib) == expected


def test_probe_with_a_fake_driver_finds_the_gpu(monkeypatch):
    monkeypatch.setattr(cuda_facts, "load_libcuda", lambda: (FakeLibcuda(), "/usr/lib/libcuda.so.1", None))
    monkeypatch.delenv("NUMBA_ENABLE_CUDASIM", raising=False)
    monkeypatch.setattr(cuda_facts, "simulator_selected", lambda: False)
    got = cuda_facts.probe_cuda_facts(deep=False)
    assert got["driver_found"] and got["driver_path"] == "/usr/lib/libcuda.so.1"
    assert got["gpus"] == [H200] and got["driver_version"] == (13, 0)
    assert "import_error" not in got  # deep facts are absent, not failures
    if got["numba_cuda"] is not None:
        assert diagnose_cuda(got)[0] == "available"


@pytest.mark.parametrize("broken", ["load_libcuda", "driver_facts", "_base_facts"])
def test_probe_never_raises(monkeypatch, broken):
    def boom(*args):
        raise OSError("probe exploded")

    monkeypatch.setattr(cuda_facts, "load_libcuda", lambda: (FakeLibcuda(), "/usr/lib/libcuda.so.1", None))
    monkeypatch.setattr(cuda_facts, broken, boom)
    monkeypatch.setattr(cuda_facts, "simulator_selected", lambda: False)
    got = cuda_facts.probe_cuda_facts(deep=False)
    assert any("probe exploded" in str(v) for v in got.values()), got
    status, reason, _ = diagnose_cuda(got)
    assert status == "unavailable" and "probe exploded" in reason


def test_quick_probe_does_not_import_numba_cuda():
    code = ("import sys, time; from s2s.cuda_facts import probe_cuda_facts; t = time.time(); "
            "f = probe_cuda_facts(deep=False); print(f['driver_found'], 'numba.cuda' in sys.modules, time.time() - t)")
    found, imported, seconds = _python("-c", code, NUMBA_ENABLE_CUDASIM="0").stdout.split()
    assert imported == "False"
    if found == "False":  # no driver: the common CPU-only machine answers at once
        assert float(seconds) < 1.0


def test_numba_cuda_compiler_loads_under_a_numpy_without_row_stack():
    """NumPy 2.5 removed np.row_stack, which numba-cuda 0.30 registers when its compiler loads
    (seen on an H200 machine): the probe loads it with the name lent, then takes it back. numba's
    own CPU registry is loaded first, as under a real NumPy 2.5 where it skips the name."""
    pytest.importorskip("numba_cuda")
    code = ("import sys, numpy as np; from s2s import cuda_facts; import numba.np.arrayobj; "
            "np.__dict__.pop('row_stack', None); cuda_facts._import_numba_cuda(); print(cuda_facts.load_compiler(), hasattr(np, 'row_stack'), "
            "'numba.cuda.np.arrayobj' in sys.modules)")
    out = _python("-c", code, NUMBA_ENABLE_CUDASIM="0").stdout.split("\n")[-2]
    assert out == "{'compiler_error': None} False True", out


# -- the report ---------------------------------------------------------------------------
def _python(*args, **env_changes):
    env = dict(os.environ, **env_changes)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    proc = subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc


def test_environment_info_never_raises(monkeypatch):
    def boom(deep=True):
        raise RuntimeError("CUDA probe exploded")

    monkeypatch.setattr(environment, "probe_cuda_facts", boom)
    info = environment.environment_info()
    assert "CUDA probe exploded" in info["cuda"] and info["numba"]


def test_cuda_section_shows_the_verdict_and_the_versions(monkeypatch):
    monkeypatch.setattr(environment, "probe_cuda_facts", lambda deep=True: facts())
    info = environment.environment_info()
    assert info["cuda"] == "available"
    assert info["cuda driver"].startswith("CUDA 13.0, NVIDIA driver 580.65.06")
    assert info["cuda runtime"].startswith("NVRTC 13.0 (pip wheel nvidia-cuda-nvrtc 13.5.37:")
    assert info["cuda nvvm"].startswith("libNVVM 2.0 (pip wheel nvidia-nvvm 13.5.37:")
    assert info["gpus"] == ["[0] NVIDIA H200 (compute capability 9.0)"]
    monkeypatch.setattr(environment, "probe_cuda_facts", lambda deep=True: facts(driver_version=(12, 8)))
    info = environment.environment_info()
    assert info["cuda"] == "unavailable" and "12.8" in info["cuda reason"] and "s2s[cuda12]" in info["cuda fix"]


def test_python_m_s2s_info_prints_the_cuda_lines():
    out = _python("-m", "s2s", "info").stdout
    lines = out.splitlines()
    labels = [line.split(":", 1)[0] for line in lines if not line.startswith(" ")]
    for label in ("s2s", "numba", "numba-cuda", "cuda", "cuda wheels"):
        assert label in labels, out
    status = next(line.split(":", 1)[1].strip() for line in lines if line.startswith("cuda:"))
    assert status in ("available", "unavailable") or status.startswith("simulator"), out
    if status == "unavailable":
        assert "cuda reason" in labels and "cuda fix" in labels, out
    if not status.startswith("simulator"):
        assert "cuda driver" in labels, out
