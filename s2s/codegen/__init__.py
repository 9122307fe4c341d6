"""gast -> Python source -> exec (linecache / content-addressed file) -> numba."""
from .module import GeneratedModule, cache_dir

__all__ = ["GeneratedModule", "cache_dir"]
