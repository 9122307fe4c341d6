"""The pipeline list: described, stoppable after any pass, dumpable after named passes."""
import numpy as np
import pytest

from s2s.parse import pipeline
from s2s.parse.pipeline import build_program, describe, pass_names


def tiny(x):
    y = np.exp(np.sin(x))
    return y


def test_every_pass_has_a_name_and_description():
    names = pass_names()
    assert names[:3] == ["restate", "fence", "resolve"]
    assert len(set(names)) == len(names)
    for p in pipeline.PIPELINE:
        assert p.name and p.description
        assert p.name in describe()


def test_unknown_pass_name_is_a_value_error():
    with pytest.raises(ValueError, match="unknown pass 'nope'"):
        build_program(tiny, upto="nope")


def test_dump_after_named_passes(monkeypatch, capsys):
    monkeypatch.setenv("S2S_DUMP_AFTER", "resolve")
    build_program(tiny)
    err = capsys.readouterr().err
    assert "# --- s2s: tiny after resolve ---" in err
    assert "_np.exp(_np.sin(x))" in err
    assert "after fence" not in err


def test_dump_all(monkeypatch, capsys):
    monkeypatch.setenv("S2S_DUMP_AFTER", "all")
    build_program(tiny)
    err = capsys.readouterr().err
    for name in pass_names():
        assert f"tiny after {name} ---" in err
