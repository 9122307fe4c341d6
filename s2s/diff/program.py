"""Assemble a differentiated program: normalize, structure, reverse, add the entry wrapper.

The wrapper is what `grad(f)` *is* as source: an ordinary function with f's parameters
that calls the VJP twin with a unit cotangent and picks what the user asked for. `jit`
and a second `grad` re-transform exactly this function.
"""
import copy

import gast

from ..codegen.module import GeneratedModule
from ..codegen.remember import remembered
from ..naming import LocalNames
from ..parse.base import clone, located, walk
from ..parse.pipeline import build_program, run_passes
from . import rules  # noqa: F401  -- importing the families fills the rule tables
from .grow_dicts import GrowDicts
from .lift import LiftNestedFunctions
from .pytrees import fields_as_indices, given_structs
from .methods import ArrayMethods
from .reverse import ReverseMode
from .sequential import SequentialLoops

# The passes reverse mode needs after the normalization pipeline, in order.
DIFF_PASSES = [SequentialLoops, LiftNestedFunctions, ArrayMethods, GrowDicts]


def register_structure_pass():
    """The structure pass (break/continue/early return -> flags) joins when available."""
    try:
        from .structure import StructureControlFlow
    except ImportError:  # pragma: no cover - only while the pass is being written
        return
    if StructureControlFlow not in DIFF_PASSES:
        # after grow_dicts: a branch that returns is still visible there as one
        DIFF_PASSES.append(StructureControlFlow)


register_structure_pass()


def _wrapper(entry, vjp_name, name, argnums, kind, has_aux, rt):
    params = [a.id for a in entry.tree.args.posonlyargs + entry.tree.args.args]
    L = LocalNames(params)
    call_args = ", ".join(params)
    pick = [f"{L['grads']}[{i}]" for i in range(len(argnums))]
    grads = pick[0] if kind.single else "(" + ", ".join(pick) + ("," if len(pick) == 1 else "") + ")"
    lines = [f"def {name}():", f"    {L['res']} = {vjp_name}(1.0, {call_args})", f"    {L['grads']} = {L['res']}[1]"]
    value, aux = L["value"], L["aux"]
    if has_aux:
        lines.append(f"    {value} = {L['res']}[0][0]")
        lines.append(f"    {aux} = {L['res']}[0][1]")
        result = f"(({value}, {aux}), {grads})" if kind.value else f"({grads}, {aux})"
    else:  # (the output checked as grad checks it: under jit too, where no Python runs)
        lines.append(f"    {value} = {rt('scalar_output')}({L['res']}[0])")
        result = f"({value}, {grads})" if kind.value else grads
    lines.append(f"    return {result}")
    fn = gast.parse("\n".join(lines) + "\n").body[0]
    fn.args = clone(entry.tree.args)
    for node in walk(fn):
        located(node, entry.tree)
    return fn


def _diff_passes(program):
    """Run DIFF_PASSES on every function, including those the lift pass adds on the way."""
    i = 0
    while i < len(program.functions):
        run_passes(program.functions[i], passes=DIFF_PASSES)
        i += 1


class WrapperKind:
    def __init__(self, single, value):
        self.single, self.value = single, value


def structured(fn, argnums, structs, others=()):
    """`fn`, or -- for a transformation whose code depends on its arguments' structures
    (grad of a function of a tuple: `jvp(grad(f), ((a, b),), ...)`) -- its version for these
    structures (`structs` of `argnums`, `others` by position), as nested.py does inside."""
    make = getattr(fn, "__s2s_structured__", None)
    structs = tuple(structs or ())
    if make is None or all(s is None for s in structs + tuple(others)):
        return fn
    by_position = list(others) + [None] * (max(argnums, default=-1) + 1 - len(others))
    for i, s in zip(argnums, structs):
        by_position[i] = s
    return make(tuple(by_position))


def _reverse(fn, argnums, has_aux, structs, ranks, nones=(), others=()):
    """Parse and prepare `fn`, build its VJP twin w.r.t. positional `argnums`:
    (program, entry context, the ReverseMode, the twin's name). `nones`: parameters known to
    be None (their tests decided before differentiating); `others`: the structures of the
    other arguments, by position (pytrees.others_of)."""
    program = build_program(structured(fn, argnums, structs, others), known_none=nones)
    entry = program.entry
    params = [a.id for a in entry.tree.args.posonlyargs + entry.tree.args.args]
    wrt = tuple(params[i] for i in argnums)
    fields_as_indices(entry, given_structs(params, wrt, structs, others))
    _diff_passes(program)
    rm = ReverseMode(program)
    vjp_name = rm.vjp(entry, wrt, seed_index=0 if has_aux else None, structs=given_structs(params, wrt, structs, others),
                      ranks=dict(zip(params, ranks or ())))
    return program, entry, rm, vjp_name


@remembered
def build_grad_module(fn, argnums, single, value, has_aux, title, structs=None, ranks=None, nones=(), others=()):
    """GeneratedModule for grad / value_and_grad of `fn` w.r.t. positional `argnums`
    (`structs`: the pytree structure of each, None for arrays and scalars; `ranks`: the
    number of dimensions of every positional argument, None where unknown)."""
    program, entry, rm, vjp_name = _reverse(fn, argnums, has_aux, structs, ranks, nones, others)
    name = program.namer.fresh(f"{entry.name}_{'value_and_grad' if value else 'grad'}")
    wrapper_ctx = copy.copy(entry)
    wrapper_ctx.tree = _wrapper(entry, vjp_name, name, argnums, WrapperKind(single, value), has_aux, rm.runtime)
    wrapper_ctx.name = name
    program.functions.append(wrapper_ctx)
    module = GeneratedModule(program, title=title)
    return module, vjp_name, name


@remembered
def build_vjp_module(fn, n_args, structs=None, has_aux=False, ranks=None):
    """GeneratedModule with the VJP twin of `fn` w.r.t. its first `n_args` parameters
    (`structs`: their pytree structures; `has_aux`: only output 0 is differentiated;
    `ranks`: the arguments' numbers of dimensions, so rules refuse what they do not cover
    at the user's line)."""
    program, _, _, vjp_name = _reverse(fn, range(n_args), has_aux, structs, ranks)
    return GeneratedModule(program, title="vjp"), vjp_name


def _forward(fn, argnums, structs, ranks, others=()):
    """Parse and prepare `fn`, build its JVP twin w.r.t. positional `argnums`:
    (program, entry context, the ForwardMode, the twin's name)."""
    from .forward import ForwardMode

    program = build_program(structured(fn, argnums, structs, others))
    entry = program.entry
    params = [a.id for a in entry.tree.args.posonlyargs + entry.tree.args.args]
    wrt = tuple(params[i] for i in argnums)
    fields_as_indices(entry, given_structs(params, wrt, structs, others))
    _diff_passes(program)
    fm = ForwardMode(program)
    name = fm.jvp(entry, wrt, structs=given_structs(params, wrt, structs, others), ranks=dict(zip(params, ranks or ())))
    return program, entry, fm, name


@remembered
def build_jvp_module(fn, argnums, structs=None, ranks=None, others=()):
    """GeneratedModule with the JVP twin of `fn` w.r.t. positional `argnums`:
    `twin(*tangents, *args) -> (out, out_tangent)`."""
    program, _, _, name = _forward(fn, argnums, structs, ranks, others)
    return GeneratedModule(program, title="jvp"), name


@remembered
def build_linearize_module(fn, argnums, structs=None, ranks=None, others=()):
    """(GeneratedModule, twin name, (primal part, linear part) names or None) for
    `linearize`: the JVP twin, split when its body separates (`linearize.py`)."""
    program, entry, fm, name = _forward(fn, argnums, structs, ranks, others)
    params = [a.id for a in entry.tree.args.posonlyargs + entry.tree.args.args]
    wrt = tuple(params[i] for i in argnums)
    lin = fm.linearized(entry, wrt, structs=given_structs(params, wrt, structs, others), ranks=dict(zip(params, ranks or ())))
    return GeneratedModule(program, title="linearize"), name, (lin[:2] if lin else None)


def output_rank(fn, ranks):
    """The number of dimensions of `fn`'s result for arguments of `ranks`, when rank
    inference knows it (None otherwise; a tuple result is None too)."""
    return _output_rank(fn, tuple(ranks or ()))[1]


class _Captured:
    """What a build that makes no module read (its guards), for `remembered`."""

    def __init__(self, guards):
        self.guards = list(guards)


@remembered
def _output_rank(fn, ranks):
    from .ranks import Ranks

    program = build_program(fn)
    _diff_passes(program)
    entry = program.entry
    params = [a.id for a in entry.tree.args.posonlyargs + entry.tree.args.args]
    ret = entry.tree.body[-1] if entry.tree.body else None
    if not isinstance(ret, gast.Return) or ret.value is None or isinstance(ret.value, gast.Tuple):
        return _Captured(program.guards), None
    return _Captured(program.guards), Ranks(entry.tree, {p: r for p, r in zip(params, ranks) if r is not None}).expr(ret.value)
