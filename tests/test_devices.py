"""The Devices API (s2s/devices.py): table-driven on the CPU, with the CUDA probe mocked;
the CUDA paths run in one subprocess under numba's simulator (NUMBA_ENABLE_CUDASIM=1 must be
set before numba.cuda is first imported, and this test session imports it without)."""
import collections
import importlib
import os
import pathlib
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from s2s.cuda_diagnosis import diagnose_cuda
from s2s.cuda_facts import probe_cuda_facts
from s2s.devices import (
    Device, block_until_ready, cuda_unavailable_reason, default_backend, device_get, device_put, devices,
    is_device_array, reset_device_cache, resolve_device,
)

# The module itself: `import s2s.devices as D` would give the function once s2s exports devices().
D = importlib.import_module("s2s.devices")
REPO_ROOT = pathlib.Path(__file__).resolve().parents[1]
CPU = Device("cpu", 0, "cpu")
NO_DRIVER = {"platform": "linux", "simulator": False, "numba_cuda": "0.30.4", "wheels": {}, "env": {},
             "driver_found": False, "driver_error": None}
ONE_GPU = {"platform": "linux", "simulator": False, "numba_cuda": "0.30.4", "wheels": {}, "env": {},
           "driver_found": True, "driver_version": (13, 0), "init_error": None,
           "gpus": [{"id": 0, "name": "NVIDIA H200", "cc": (9, 0)}]}


@pytest.fixture(autouse=True)
def fresh_probe():
    """Each test probes (or mocks) CUDA afresh, and leaves no cached verdict behind."""
    reset_device_cache()
    yield
    reset_device_cache()


@pytest.fixture
def cuda_facts(monkeypatch):
    """Make the probe return given facts; records the `deep` flag of every call."""
    calls = []

    def use(facts):
        def probe(deep=True):
            calls.append(deep)
            return dict(facts)
        monkeypatch.setattr(D, "probe_cuda_facts", probe)
        return calls
    return use


# -- Device and devices() ----------------------------------------------------------------
@pytest.mark.parametrize("device, text, name", [
    (Device("cpu", 0, "cpu"), "CpuDevice(id=0)", "cpu:0"),
    (Device("cuda", 1, "NVIDIA H200", "9.0"), "CudaDevice(id=1)", "cuda:1"),
])
def test_device_repr_and_str(device, text, name):
    assert repr(device) == text and str(device) == name


def test_device_equality_is_platform_and_id():
    assert Device("cuda", 0, "NVIDIA H200") == Device("cuda", 0, "other name")
    assert Device("cuda", 0, "x") != Device("cuda", 1, "x") and Device("cpu", 0, "cpu") != Device("cuda", 0, "cpu")
    assert len({Device("cuda", 0, "a"), Device("cuda", 0, "b"), CPU}) == 2


@pytest.mark.parametrize("backend", ["cpu", "CPU"])
def test_cpu_devices(backend):
    [cpu] = devices(backend)
    assert (cpu.platform, cpu.id, cpu.device_kind) == ("cpu", 0, "cpu") and cpu == CPU


@pytest.mark.parametrize("backend, error, words", [
    ("tpu", ValueError, ["Unknown backend 'tpu'", "'cpu'", "'cuda'", "'gpu'"]),
    ("rocm", ValueError, ["Unknown backend"]),
    (0, TypeError, ["backend must be a string"]),
])
def test_unknown_backend(backend, error, words):
    with pytest.raises(error) as info:
        devices(backend)
    for word in words:
        assert word in str(info.value)


def test_default_backend_follows_the_probe():
    status = diagnose_cuda(probe_cuda_facts())[0]
    expected = "cpu" if status == "unavailable" else "cuda"
    assert default_backend() == expected
    assert devices()[0].platform == expected
    assert (cuda_unavailable_reason() is None) == (expected == "cuda")


@pytest.mark.parametrize("facts, backend", [(NO_DRIVER, "cpu"), (ONE_GPU, "cuda")], ids=["no driver", "one GPU"])
def test_default_backend_mocked(cuda_facts, facts, backend):
    calls = cuda_facts(facts)
    assert default_backend() == backend
    assert default_backend() == backend  # cached: no second probe
    # No driver is settled by the quick probe; a promising machine also gets the deep one.
    assert calls == ([False] if backend == "cpu" else [False, True])
    reset_device_cache()
    default_backend()
    assert len(calls) == (2 if backend == "cpu" else 4)


def test_default_backend_never_raises(monkeypatch):
    def boom(facts):
        raise RuntimeError("diagnosis exploded")
    monkeypatch.setattr(D, "diagnose_cuda", boom)
    assert default_backend() == "cpu"


@pytest.mark.parametrize("backend", ["cuda", "gpu"])
def test_cuda_devices_raise_when_unusable(cuda_facts, backend):
    cuda_facts(dict(NO_DRIVER, env={"CUDA_VISIBLE_DEVICES": "-1"}))
    with pytest.raises(RuntimeError) as info:
        devices(backend)
    text = str(info.value)
    for word in ("Backend 'cuda' failed to initialize", "no NVIDIA driver", "To fix:", "install the NVIDIA driver",
                 "python -m s2s info"):
        assert word in text, text
    assert cuda_unavailable_reason() in text


def test_cuda_unusable_for_another_reason(cuda_facts):
    cuda_facts(dict(ONE_GPU, init_error=(100, "CUDA_ERROR_NO_DEVICE"), gpus=[], env={"CUDA_VISIBLE_DEVICES": ""}))
    with pytest.raises(RuntimeError, match="CUDA_VISIBLE_DEVICES=''"):
        resolve_device("cuda")
    assert default_backend() == "cpu"


# -- resolve_device ------------------------------------------------------------------------
@pytest.mark.parametrize("given, expected", [
    (None, None), ("cpu", CPU), ("CPU", CPU), ("cpu:0", CPU), (CPU, CPU),
    (Device("cuda", 3, "x"), Device("cuda", 3, "x")),
])
def test_resolve_device(given, expected):
    assert resolve_device(given) == expected


@pytest.mark.parametrize("given, error, words", [
    ("tpu", ValueError, ["Unknown device 'tpu'", "'cpu'", "'cuda'"]),
    ("cpu:1", ValueError, ["No device 'cpu:1'", "CpuDevice(id=0)"]),
    ("cpu:x", ValueError, ["No device"]),
    (0, TypeError, ["device must be None, 'cpu', 'cuda' or an s2s Device", "int"]),
    (object(), TypeError, ["device must be"]),
])
def test_resolve_device_errors(given, error, words):
    with pytest.raises(error) as info:
        resolve_device(given)
    for word in words:
        assert word in str(info.value)


# -- arrays on the CPU ---------------------------------------------------------------------
Pair = collections.namedtuple("Pair", "a b")
TREES = [
    ("float", 1.5),
    ("int", 3),
    ("None", None),
    ("numpy scalar", np.float32(2.5)),
    ("array", np.arange(6.0).reshape(2, 3)),
    ("0-d array", np.array(7)),
    ("tuple", (np.ones(2), 1.0, "label")),
    ("namedtuple", Pair(np.zeros(3), (np.int64(4), [np.eye(2)]))),
    ("list", [np.ones(1), [2.0, np.arange(3)]]),
    ("dict nest", {"w": np.ones((2, 2)), "layers": [{"b": np.zeros(2), "n": 5}], "t": ()}),
]


def _same_tree(a, b):
    """Equal structure (container types included), equal leaves, arrays identical objects."""
    assert type(a) is type(b)
    if isinstance(a, dict):
        assert list(a) == list(b)
        for k in a:
            _same_tree(a[k], b[k])
    elif isinstance(a, (tuple, list)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _same_tree(x, y)
    elif isinstance(a, np.ndarray):
        assert a is b  # on the CPU, NumPy arrays are not copied
    else:
        assert a == b


@pytest.mark.parametrize("tree", [t for _, t in TREES], ids=[i for i, _ in TREES])
@pytest.mark.parametrize("move", [
    lambda t: device_put(t, "cpu"), lambda t: device_put(t, CPU), lambda t: device_get(t),
    lambda t: block_until_ready(t), lambda t: device_get(device_put(t, "cpu")),
], ids=["put 'cpu'", "put CpuDevice", "get", "block_until_ready", "round trip"])
def test_cpu_round_trips(tree, move):
    _same_tree(move(tree), tree)


def test_block_until_ready_returns_its_argument():
    tree = {"x": np.ones(3)}
    assert block_until_ready(tree) is tree


def test_device_put_default_device_is_the_cpu_without_cuda(cuda_facts):
    cuda_facts(NO_DRIVER)
    tree = (np.ones(2), 1.0)
    _same_tree(device_put(tree), tree)


class ForeignGpuArray:  # what CuPy / PyTorch GPU arrays look like to s2s
    __cuda_array_interface__ = {"shape": (2,), "typestr": "<f8", "data": (0, False), "version": 3}


class CpuTensor:  # a PyTorch CPU tensor has the property, and it raises
    @property
    def __cuda_array_interface__(self):
        raise AttributeError("Can't get __cuda_array_interface__ on non-CUDA tensor")


class NumbaLike:
    __cuda_ndarray__ = True


@pytest.mark.parametrize("value, expected", [
    (np.ones(2), False), (np.float64(1.0), False), (1.0, False), (None, False), ([np.ones(2)], False),
    ("text", False), (CpuTensor(), False), (ForeignGpuArray(), True), (NumbaLike(), True),
])
def test_is_device_array(value, expected):
    assert is_device_array(value) is expected


def test_cpu_paths_never_import_numba_cuda():
    code = """
        import sys
        import numpy as np
        import s2s
        from s2s.devices import devices, device_put, device_get, block_until_ready, is_device_array
        tree = {"a": np.ones(2), "b": (1.0, np.float32(2))}
        device_get(block_until_ready(device_put(tree, "cpu")))
        assert devices("cpu") and not is_device_array(tree["a"])
        assert "numba.cuda" not in sys.modules, "numba.cuda was imported"
        print("ok")
    """
    assert _run(code, NUMBA_ENABLE_CUDASIM="0").stdout.strip() == "ok"


# -- CUDA, under the simulator -------------------------------------------------------------
SIMULATOR_SCRIPT = """
    import importlib
    import numpy as np
    from numba import cuda
    D = importlib.import_module("s2s.devices")
    from s2s.devices import devices, default_backend, device_put, device_get, block_until_ready, resolve_device

    assert default_backend() == "cuda", default_backend()
    assert D.cuda_unavailable_reason() is None
    [gpu] = devices("cuda")
    assert devices("gpu") == devices() == [gpu] and repr(gpu) == "CudaDevice(id=0)", devices("cuda")
    assert (gpu.platform, gpu.id) == ("cuda", 0) and "simulator" in gpu.device_kind, gpu.device_kind
    assert resolve_device("cuda") == resolve_device("gpu:0") == resolve_device(gpu) == gpu

    strided = np.arange(12.0).reshape(3, 4)[:, ::2]
    tree = {"w": np.arange(6.0).reshape(2, 3), "s": np.float32(2.5), "n": 3, "t": (strided, None, "x")}
    on_gpu = device_put(tree, "cuda")
    assert D.is_device_array(on_gpu["w"]) and D.is_device_array(on_gpu["s"]) and D.is_device_array(on_gpu["t"][0])
    assert on_gpu["n"] == 3 and on_gpu["t"][1:] == (None, "x")  # non-array leaves stay as they are
    assert device_put(tree)["w"].shape == (2, 3)  # the default device is the GPU here

    again = device_put(on_gpu, gpu)  # already there: the same objects, no copy
    assert again["w"] is on_gpu["w"] and again["t"][0] is on_gpu["t"][0]
    assert block_until_ready(on_gpu) is on_gpu

    back = device_get(on_gpu)
    assert isinstance(back["w"], np.ndarray) and not D.is_device_array(back["w"])
    np.testing.assert_array_equal(back["w"], tree["w"])
    np.testing.assert_array_equal(back["t"][0], strided)
    assert float(back["s"]) == 2.5 and back["n"] == 3
    host = device_put(on_gpu, "cpu")
    np.testing.assert_array_equal(host["w"], tree["w"])
    assert isinstance(host["w"], np.ndarray)

    # A kernel's output: block_until_ready then device_get, as users would.
    @cuda.jit
    def double(x):
        i = cuda.grid(1)
        if i < x.size:
            x[i] *= 2.0
    x = device_put(np.arange(4.0), "cuda")
    double[1, 4](x)
    np.testing.assert_array_equal(device_get(block_until_ready(x)), [0.0, 2.0, 4.0, 6.0])
    print("ok")
"""


def test_cuda_under_the_simulator():
    proc = _run(SIMULATOR_SCRIPT, NUMBA_ENABLE_CUDASIM="1")
    assert proc.stdout.strip().endswith("ok"), proc.stdout + proc.stderr


def _run(code, **env_changes):
    env = dict(os.environ, **env_changes)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          env=env, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc
