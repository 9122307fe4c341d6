"""Run the pipeline on source text: how the pass docstrings show before and after."""
import linecache
import math

import numpy

from .pipeline import build_program


def show(text, upto=None, name=None, filename="<doctest>"):
    """The generated module (without its banner) for the last function `text` defines.

    `text` is exec'd with `np`, `numpy` and `math` available; `upto` stops the pipeline
    after the named pass.
    """
    from ..codegen.module import GeneratedModule

    text = text.lstrip("\n")
    linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
    ns = {"np": numpy, "numpy": numpy, "math": math, "__name__": "s2s_debug"}
    exec(compile(text, filename, "exec"), ns)
    if name is None:
        fns = [v for v in ns.values() if callable(v) and getattr(v, "__module__", None) == "s2s_debug"]
        fn = fns[-1]
    else:
        fn = ns[name]
    module = GeneratedModule(build_program(fn, upto=upto), comments=False)
    return module.source.split("\n", 1)[1].rstrip("\n")
