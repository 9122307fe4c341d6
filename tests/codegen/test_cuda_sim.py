"""Runs cuda_sim_checks.py on numba's CUDA simulator, in a subprocess (see its docstring)."""
import os
import subprocess
import sys

import pytest

pytest.importorskip("numba.cuda")
HERE = os.path.dirname(os.path.abspath(__file__))


# Two shards, so pytest-xdist can run them side by side (the whole file takes ~45 s).
# A shard that selects nothing fails (pytest exits with 5).
SHARDS = {"per_example_gradients": "test_per_example_gradients_match_cpu",
          "the_rest": "not test_per_example_gradients_match_cpu"}


@pytest.mark.parametrize("shard", sorted(SHARDS))
def test_kernels_on_the_cuda_simulator(shard, tmp_path):
    env = dict(os.environ, NUMBA_ENABLE_CUDASIM="1", PYTHONPATH=os.pathsep.join([HERE, os.path.dirname(HERE),
                                                                                  os.path.dirname(os.path.dirname(HERE))]))
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(tmp_path),
         "--import-mode=importlib", "-k", SHARDS[shard], os.path.join(HERE, "cuda_sim_checks.py")],
        env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-3000:]
