"""Source -> normalized gast: retrieval, name resolution, the fence, normalization passes."""
from .pipeline import PIPELINE, build_program, describe, pass_names
from .source import get_source

__all__ = ["PIPELINE", "build_program", "describe", "get_source", "pass_names"]
