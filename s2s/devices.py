"""Devices, as in JAX: `devices()`, `default_backend()`, `device_put`, `device_get`,
`block_until_ready`, plus the helpers the CUDA kernel backend resolves `jit(device=...)` with.

Two platforms: "cpu" (one device: NumPy arrays, numba CPU code) and "cuda" (one device per
GPU numba.cuda lists, or the simulator's one under NUMBA_ENABLE_CUDASIM=1). Arrays on a GPU
are numba-cuda device arrays; anything with `__cuda_array_interface__` (CuPy, PyTorch...)
counts as one too.

numba.cuda is imported only when CUDA is asked for, so `import s2s` stays fast and works
without numba-cuda. Whether CUDA is usable is probed once (cheaply, through the driver's C
API, when there is no driver) and cached; `reset_device_cache()` forgets it (tests).
"""
import threading

import numpy as np

from .cuda_diagnosis import diagnose_cuda, unavailable_message
from .cuda_facts import probe_cuda_facts

BACKENDS = ("cpu", "cuda")
ALIASES = {"gpu": "cuda"}  # JAX accepts "gpu" for its CUDA/ROCm backends
_HOST_TYPES = (np.ndarray, int, float, complex, bool, str, bytes, type(None))


class Device:
    """One device: `.platform` ("cpu" or "cuda"), `.id` (its index within the platform),
    `.device_kind` (e.g. "cpu", "NVIDIA H200", "cuda simulator") and, for GPUs,
    `.compute_capability` (e.g. "9.0")."""

    __slots__ = ("platform", "id", "device_kind", "compute_capability")

    def __init__(self, platform, id, device_kind, compute_capability=None):  # noqa: A002 -- JAX's name
        self.platform, self.id = platform, id
        self.device_kind, self.compute_capability = device_kind, compute_capability

    def __repr__(self):
        return f"{self.platform.capitalize()}Device(id={self.id})"

    def __str__(self):
        return f"{self.platform}:{self.id}"

    def __eq__(self, other):
        return isinstance(other, Device) and (self.platform, self.id) == (other.platform, other.id)

    def __hash__(self):
        return hash((self.platform, self.id))


CPU = Device("cpu", 0, "cpu")


# -- is CUDA usable? (probed once) ----------------------------------------------------------
_lock = threading.RLock()
_verdict = None  # (status, reason, fix) once probed


def _cuda_verdict():
    """diagnose_cuda's verdict for this process, cached. The quick probe (no numba.cuda
    import) settles "no driver" machines; only a promising one pays for the deep probe."""
    global _verdict
    with _lock:
        if _verdict is None:
            verdict = diagnose_cuda(probe_cuda_facts(deep=False))
            if verdict[0] != "unavailable":
                verdict = diagnose_cuda(probe_cuda_facts(deep=True))
            _verdict = verdict
        return _verdict


def reset_device_cache():
    """Forget the cached CUDA probe and device list (for tests, or after changing the environment)."""
    global _verdict, _cuda_devices
    with _lock:
        _verdict, _cuda_devices = None, None


def cuda_unavailable_reason():
    """None when CUDA (a GPU, or the simulator) is usable; otherwise why not and how to fix it."""
    status, reason, fix = _cuda_verdict()
    return None if status != "unavailable" else f"{reason}. To fix: {fix}"


def default_backend():
    """"cuda" when a usable GPU (or the CUDA simulator) is present, else "cpu". Never raises."""
    try:
        return "cuda" if cuda_unavailable_reason() is None else "cpu"
    except Exception:  # noqa: BLE001 -- a broken CUDA install must not break CPU users
        return "cpu"


# -- devices --------------------------------------------------------------------------------
_cuda_devices = None


def _cuda():
    """numba.cuda, once CUDA is known to be usable (raises RuntimeError saying why it is not)."""
    status, reason, fix = _cuda_verdict()
    if status == "unavailable":
        raise RuntimeError(unavailable_message(reason, fix))
    from numba import cuda

    return cuda


def _list_cuda_devices():
    global _cuda_devices
    with _lock:
        if _cuda_devices is None:
            cuda = _cuda()
            found = []
            for gpu in cuda.gpus:  # the simulator's one device has no name
                name = getattr(gpu, "name", None) or "cuda simulator"
                name = name.decode() if isinstance(name, bytes) else str(name)
                found.append(Device("cuda", gpu.id, name, ".".join(map(str, gpu.compute_capability))))
            _cuda_devices = found
        return list(_cuda_devices)


def _backend_name(backend):
    if not isinstance(backend, str):
        raise TypeError(f"backend must be a string such as 'cpu' or 'cuda', got {type(backend).__name__}")
    name = ALIASES.get(backend.lower(), backend.lower())
    if name not in BACKENDS:
        raise ValueError(f"Unknown backend {backend!r}: s2s has {', '.join(map(repr, BACKENDS))} (alias 'gpu' for 'cuda')")
    return name


def devices(backend=None):
    """The devices of `backend` ("cpu", "cuda" or "gpu"; None: the default backend's).

    Asking for "cuda" where it is unusable raises RuntimeError saying why and what to do.
    """
    name = default_backend() if backend is None else _backend_name(backend)
    return [CPU] if name == "cpu" else _list_cuda_devices()


def resolve_device(device):
    """A `jit(device=...)` / `device_put` argument as a Device, or None for None.

    Accepts None, a Device, "cpu", "cuda" / "gpu" (the first GPU) and "cuda:N" / "gpu:N".
    """
    if device is None or isinstance(device, Device):
        return device
    if not isinstance(device, str):
        raise TypeError("device must be None, 'cpu', 'cuda' or an s2s Device (from devices()), "
                        f"got {type(device).__name__}: {device!r}")
    name, _, index = device.partition(":")
    try:
        backend = _backend_name(name)
    except ValueError:
        raise ValueError(f"Unknown device {device!r}: expected None, 'cpu', 'cuda' (or 'gpu', 'cuda:N'), "
                         "or an s2s Device such as s2s.devices()[0]") from None
    found = devices(backend)
    try:
        return found[int(index or 0)]
    except (ValueError, IndexError):
        raise ValueError(f"No device {device!r}: the {backend} devices are {found}") from None


# -- arrays ---------------------------------------------------------------------------------
def is_device_array(x):
    """Whether `x` is an array in GPU memory: a numba-cuda device array (the simulator's
    too), or anything with `__cuda_array_interface__` (CuPy, PyTorch...). Never imports
    numba.cuda: the attributes are looked up on the type, so no property runs for NumPy."""
    kind = type(x)
    if kind in _HOST_TYPES:
        return False
    if getattr(kind, "__cuda_ndarray__", False):
        return True
    # A CPU torch.Tensor has the property too, and raises AttributeError from it.
    return hasattr(kind, "__cuda_array_interface__") and hasattr(x, "__cuda_array_interface__")


def _device_id(x):
    """The GPU ordinal a device array lives on; 0 when it cannot be told (the simulator)."""
    try:
        return int(x.gpu_data.context.device.id)  # numba-cuda's own device arrays
    except (AttributeError, TypeError, ValueError):
        pass
    device = getattr(x, "device", None)  # CuPy: .device.id; PyTorch: .device.index
    ordinal = getattr(device, "id", None) if getattr(device, "id", None) is not None else getattr(device, "index", None)
    return ordinal if isinstance(ordinal, int) else 0


def _to_host(x):
    if hasattr(x, "copy_to_host"):
        return x.copy_to_host()
    from numba import cuda  # a foreign CUDA array: view it through numba, then copy

    return cuda.as_cuda_array(x).copy_to_host()


def _tree_map(fn, tree):
    """fn applied to every leaf of a tuple / list / dict nest, keeping the containers' types."""
    if isinstance(tree, dict):
        return type(tree)((k, _tree_map(fn, v)) for k, v in tree.items())
    if isinstance(tree, tuple) and hasattr(tree, "_fields"):  # a namedtuple
        return type(tree)(*(_tree_map(fn, v) for v in tree))
    if isinstance(tree, (tuple, list)):
        return type(tree)(_tree_map(fn, v) for v in tree)
    return fn(tree)


def _tree_leaves(tree):
    if isinstance(tree, dict):
        tree = list(tree.values())
    if isinstance(tree, (tuple, list)):
        return [leaf for v in tree for leaf in _tree_leaves(v)]
    return [tree]


def device_put(x, device=None):
    """`x` (a pytree) with its arrays on `device` (None: the default backend's first device).

    To a GPU, NumPy arrays and scalars are copied with numba.cuda.to_device; an array already
    on that GPU is returned as is. To the CPU, device arrays are copied back to NumPy. Python
    scalars and other leaves are left unchanged.
    """
    target = resolve_device(device) or devices()[0]
    if target.platform == "cpu":
        return _tree_map(lambda leaf: _to_host(leaf) if is_device_array(leaf) else leaf, x)
    cuda = _cuda()

    def put(leaf):
        if is_device_array(leaf):
            if _device_id(leaf) == target.id:
                return leaf
            leaf = _to_host(leaf)  # another GPU: through the host, which needs no peer access
        if not isinstance(leaf, (np.ndarray, np.generic)):
            return leaf
        if isinstance(leaf, np.ndarray) and not (leaf.flags.c_contiguous or leaf.flags.f_contiguous):
            leaf = np.ascontiguousarray(leaf)  # to_device copies one contiguous buffer
        with cuda.gpus[target.id]:
            return cuda.to_device(leaf)

    return _tree_map(put, x)


def device_get(x):
    """`x` (a pytree) with every device array copied to a NumPy array; other leaves unchanged."""
    return _tree_map(lambda leaf: _to_host(leaf) if is_device_array(leaf) else leaf, x)


def block_until_ready(x):
    """Wait until the GPU work producing `x`'s device arrays is done; returns `x`.

    numba-cuda launches kernels asynchronously; NumPy arrays and scalars are always ready.
    """
    on = sorted({_device_id(leaf) for leaf in _tree_leaves(x) if is_device_array(leaf)})
    if on:
        from numba import cuda

        for ordinal in on:
            with cuda.gpus[ordinal]:
                cuda.synchronize()
    return x
