"""Every tutorial is executed, so the tutorials cannot rot (ARCHITECTURE.md, convention 10)."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

TUTORIALS = sorted((Path(__file__).resolve().parents[1] / "tutorials").glob("*.py"))
TIMEOUT_S = 300  # a tutorial should take well under a minute; this only stops a hang


def test_there_are_tutorials():
    assert TUTORIALS, "tutorials/*.py not found"


@pytest.mark.parametrize("path", TUTORIALS, ids=[p.name for p in TUTORIALS])
def test_tutorial_runs(path, tmp_path):
    env = dict(os.environ, S2S_CACHE_DIR=str(tmp_path / "cache"), PYTHONUNBUFFERED="1")
    env.pop("S2S_DUMP_AFTER", None)
    proc = subprocess.run(
        [sys.executable, str(path)], cwd=tmp_path, env=env, capture_output=True, text=True,
        timeout=TIMEOUT_S,
    )
    assert proc.returncode == 0, f"{path.name} failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
