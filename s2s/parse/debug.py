"""Run the pipeline on source text: how the pass docstrings show before and after."""
import linecache
import math

import numpy

from .pipeline import build_program, run_passes


def _define(text, name, filename):
    text = text.lstrip("\n")
    linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
    ns = {"np": numpy, "numpy": numpy, "math": math, "__name__": "s2s_debug"}
    exec(compile(text, filename, "exec"), ns)
    if name is not None:
        return ns[name]
    fns = [v for v in ns.values() if callable(v) and getattr(v, "__module__", None) == "s2s_debug"]
    return fns[-1]


def show_program(text, upto=None, name=None, filename="<doctest>", extra=()):
    """The generated module (without its banner) for the last function `text` defines.

    `text` is exec'd with `np`, `numpy` and `math` available; `upto` stops the pipeline
    after the named pass; `extra` passes (classes) then run on every function.
    """
    from ..codegen.module import GeneratedModule

    program = build_program(_define(text, name, filename), upto=upto)
    for ctx in program.functions:
        if extra:
            run_passes(ctx, passes=list(extra))
    module = GeneratedModule(program, comments=False, fuse=False)
    body = module.source.split("\n", 1)[1].rstrip("\n")
    if extra:  # the pass docstrings show the functions only
        body = body.split("\n\n\n", 1)[1] if "\n\n\n" in body else body
    return body


def show(text, upto=None, name=None, filename="<doctest>"):
    """The generated module (without its banner) for the last function `text` defines."""
    return show_program(text, upto=upto, name=name, filename=filename)
