"""Nested transformations meet pytree arguments: respecialize them at the call site.

`g = s2s.grad(fun)(params)` inside a function being differentiated is made when the
outer function is parsed, before anything knows that `params` is a tuple, so it is
generated for an array argument. Once structure inference knows the structures of the
call's arguments, the call is pointed at the transformation generated for them:

    before:  g = fun_grad(params)            # made for an array `params`
    after:   g = fun_grad_1(params)          # grad(fun) for a (array, array) tuple

The new function (and whatever it calls) is parsed and prepared like the rest of the
program, and keeps its transformation, so a later call with other structures is
respecialized again.
"""
from ..parse.base import located, load
from ..parse.context import FunctionContext
from ..parse.source import get_source


def respecialize(program, ctx, arg_structs, call):
    """The context of `ctx.transform` generated for positional arguments of `arg_structs`,
    with `call.func` pointed at it; None when the structures change nothing."""
    transform = ctx.transform
    structs = tuple(arg_structs)
    if transform is None or all(s is None for s in structs) or getattr(ctx, "transform_structs", None) == structs:
        return None
    fn = transform.__s2s_structured__(structs)
    known = len(program.functions)
    name = program.function(get_source(fn), hint=getattr(fn, "__name__", ctx.name), make_context=FunctionContext)
    _prepare(program, known)
    new = next(c for c in program.functions if c.name == name)
    new.transform, new.transform_structs = transform, structs
    call.func = located(load(name), call.func)
    return new


def _prepare(program, known):
    """Normalize the functions queued since, then run the differentiation passes on every
    function added after the first `known` (as `diff/program.py` does for the whole program)."""
    from ..parse.pipeline import run_passes
    from .program import DIFF_PASSES

    while program.pending:
        run_passes(program.pending.pop(0))
    i = known
    while i < len(program.functions):
        run_passes(program.functions[i], passes=DIFF_PASSES)
        i += 1
