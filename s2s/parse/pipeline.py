"""The normalization pipeline: from a live function to a program of normalized trees.

Each entry is a pass class with a `name` and a one-line `description`; `PIPELINE` is the
order they run in, for the entry function and for every user helper it reaches. Set
`S2S_DUMP_AFTER=resolve,anf` (or `all`) to print each function's source after the named
passes to stderr.
"""
import os
import sys

from .anf import ANF
from .base import walk
from .comprehensions import Comprehensions
from .context import FunctionContext, Program
from .desugar import Desugar
from .index_updates import IndexUpdates
from .fence import Fence
from .fold import FoldConstants
from .functional import Functional
from .lower_for import LowerFor
from .partials import LocalPartials
from .peel import PeelFirstTrip
from .resolve import ResolveNames
from .restate import Restate
from .unpack import UnpackTuples
from .source import get_source

# The order matters: the fence runs first (after restate's plain spellings of loop else-clauses,
# try/finally and :=) so no pass ever sees a construct it cannot handle.
PIPELINE = [
    Restate,
    Fence,
    ResolveNames,
    FoldConstants,
    Functional,
    Desugar,
    IndexUpdates,
    LocalPartials,
    Comprehensions,
    LowerFor,
    PeelFirstTrip,
    UnpackTuples,
    ANF,
]


def pass_names():
    return [p.name for p in PIPELINE]


def describe():
    """The pipeline as text: one line per pass."""
    width = max(len(p.name) for p in PIPELINE)
    return "\n".join(f"{p.name:<{width}}  {p.description}" for p in PIPELINE)


def _dump_requested():
    raw = os.environ.get("S2S_DUMP_AFTER", "")
    return {s.strip() for s in raw.split(",") if s.strip()}


def run_passes(ctx, passes=None, upto=None):
    """Run `passes` (default: the whole pipeline) on one function, stopping after `upto`."""
    from ..codegen.emit import FunctionEmitter, SourceWriter

    if upto is not None and upto not in [p.name for p in passes or PIPELINE]:
        raise ValueError(f"unknown pass {upto!r}; the passes are: {', '.join(pass_names())}")
    dump = _dump_requested()
    for p in passes or PIPELINE:
        p(ctx).run()
        if p.name in dump or "all" in dump:
            w = SourceWriter()
            FunctionEmitter(w, ctx.filename, ctx.line, comments=False).function(ctx.tree)
            print(f"# --- s2s: {ctx.name} after {p.name} ---\n{w.text()}", file=sys.stderr)
        if p.name == upto:
            break


def build_program(fn, static=None, upto=None, known_none=()):
    """Parse `fn` and every user function it calls into one normalized `Program`
    (`known_none`: parameters of `fn` that are None in the calls it is made for, and
    (parameter, type) pairs for arguments of a known type: see autodiff.known_parameters)."""
    src = get_source(fn)
    program = Program()
    hint = getattr(src.fn, "__name__", "f")
    if src.is_lambda:
        hint = "lambda_"
    if getattr(type(fn), "__s2s_source__", None) is not None:  # made inside another: its own name
        hint = src.node.name
    program.function(src, hint=hint, static=static, make_context=FunctionContext)
    program.entry.known_none = frozenset(known_none)
    while program.pending:
        ctx = program.pending.pop(0)
        run_passes(ctx, upto=upto)
    _drop_superseded(program)
    for ctx in program.functions:
        if ctx.unexpanded_varargs is not None:
            raise ctx.error(ctx.unexpanded_varargs, "f(*args) / f(**kwargs) passes on this function's *args or "
                            "**kwargs, which s2s expands where a caller in transformed code gives them: call it "
                            "from a function you transform, not as the function transformed", "f(*args)")
    return program


def _drop_superseded(program):
    """Remove the functions no other function names any more: helpers taking a function,
    of which only versions made for the functions passed remain in use."""
    import gast

    changed = True
    while changed:  # a dropped helper may have been the last to call another
        changed = False
        for name in sorted(program.superseded):
            if name == program.entry.name or all(c.name != name for c in program.functions):
                continue
            used = any(isinstance(n, gast.Name) and n.id == name
                       for ctx in program.functions if ctx.name != name for n in walk(ctx.tree))
            if not used:
                program.functions = [c for c in program.functions if c.name != name]
                changed = True
