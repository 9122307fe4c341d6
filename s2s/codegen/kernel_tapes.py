"""KernelTapes: reverse mode's list tapes as slices of a preallocated per-thread buffer.

CUDA kernels cannot allocate, so the tapes of derivative code (lists used as stacks, one
tuple of saved values per execution of a loop body, see `s2s/diff/saving.py`) become a
cursor into the thread's column of a float64 buffer the host allocates:

    def f_vjp(g, x):                       def f_vjp(g, x, tape_buf, tape_layout, tape_need):
        tape = []                              tape = 0
        ...                                    ...
        tape.append((cond, s))        ->       tape_store(tape_buf, tape_layout, tape_need, 0, tape, cond)
                                               tape_store(tape_buf, tape_layout, tape_need, 0, tape + 1, s)
                                               tape = tape + 2
        saved = tape.pop()                     tape = tape - 2
        cond = saved[0]                        cond = tape_load(tape_buf, tape_layout, 0, tape, cond)
        s = saved[1]                           s = tape_load(tape_buf, tape_layout, 0, tape + 1, s)

Each tape gets a number `k` (its slice of the buffer is described by `tape_layout`, so a
larger buffer does not change the kernel); every function that has a tape or calls one
that does takes the three buffer arguments and passes them on. The value a pop restores is
read back with the type of the variable it restores (`tape_load`'s last argument), which
the forward sweep assigned before pushing it.

A tape can live in only one activation of its function at a time (its slice is fixed), so
recursion through a function with a tape is refused, as are tapes of anything but the
tuples reverse mode pushes. An entry that is an array (or a shape) takes one slot too: its
offset in the thread's arena, where `KernelArrays` has the push copy it.
"""
import gast

from ..parse.base import assign, load, located, walk
from .module import call_graph, reaches

BUFFER_ARGS = ("tape_buf", "tape_layout", "tape_need")


def _const(v):
    return gast.Constant(value=v, kind=None)


def _call(name, *args):
    return gast.Call(func=load(name), args=list(args), keywords=[])


def _add(name, k):
    return load(name) if k == 0 else gast.BinOp(left=load(name), op=gast.Add(), right=_const(k))


def _stack_call(node, attr):
    """The tape name if `node` is `tape.<attr>(...)`."""
    if isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute) and node.func.attr == attr \
            and isinstance(node.func.value, gast.Name):
        return node.func.value.id
    return None


def _tuple_names(tree):
    """{name: tuple literal} for names assigned exactly once, a tuple literal (ANF names the
    entries reverse mode pushes)."""
    counts, found = {}, {}
    for node in walk(tree):
        if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Store):
            counts[node.id] = counts.get(node.id, 0) + 1
        if isinstance(node, gast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], gast.Name) \
                and isinstance(node.value, gast.Tuple):
            found[node.targets[0].id] = node.value
    return {n: t for n, t in found.items() if counts.get(n) == 1}


def _entry(arg, tuples):
    if isinstance(arg, gast.Name) and arg.id in tuples:
        return tuples[arg.id]
    return arg


def _own_parts(s):
    """The parts of statement `s` outside its nested blocks."""
    if isinstance(s, (gast.If, gast.While)):
        return [s.test]
    if isinstance(s, gast.For):
        return [s.iter, s.target]
    return [s]


class KernelTapes:
    """Lower the tapes of every function of `program` (in place).

    `store`, `load_`: module-level names of `tape_store` / `tape_load`. After `run()`,
    `tapes` lists (function name, tape name, entry arity) in buffer order and `threaded`
    names the functions that take the buffer arguments.
    """

    def __init__(self, program, store, load_):
        self.program = program
        self.store, self.load = store, load_
        self.tapes = []
        self.threaded = set()

    def run(self):
        funcs = {ctx.name: ctx for ctx in self.program.functions}
        own = {name: self._find(ctx) for name, ctx in funcs.items()}
        calls = call_graph(self.program)
        threaded = {n for n, t in own.items() if t}
        changed = True
        while changed:
            changed = False
            for n in funcs:
                if n not in threaded and calls[n] & threaded:
                    threaded.add(n)
                    changed = True
        for n in sorted(n for n, t in own.items() if t):
            if reaches(calls, n, n):
                ctx = funcs[n]
                raise ctx.error(ctx.tree, "a CUDA kernel cannot differentiate through recursion that needs a tape "
                                "(its size would depend on the depth); rewrite the recursion as a loop", "recursion")
        self.threaded = threaded
        for ctx in self.program.functions:
            if ctx.name in threaded:
                names = self._buffer_names(ctx)
                numbers = {}
                for tape, arity in own[ctx.name]:
                    numbers[tape] = (len(self.tapes), arity)
                    self.tapes.append((ctx.name, tape, arity))
                ctx.tree.args.args = ctx.tree.args.args + [gast.Name(id=a, ctx=gast.Param(), annotation=None,
                                                                     type_comment=None) for a in names]
                ctx.tree.body = self._block(ctx, ctx.tree.body, numbers, names, threaded, {})
        return self

    # -- analysis ----------------------------------------------------------------------
    def _find(self, ctx):
        """[(tape name, arity)] of the stacks in `ctx`, in order of creation."""
        made = [s.targets[0].id for s in walk(ctx.tree) if isinstance(s, gast.Assign)
                and len(s.targets) == 1 and isinstance(s.targets[0], gast.Name)
                and isinstance(s.value, gast.List) and not s.value.elts]
        tuples = _tuple_names(ctx.tree)
        out = []
        for tape in made:
            arity = None
            for node in walk(ctx.tree):
                if _stack_call(node, "append") == tape:
                    arg = _entry(node.args[0], tuples) if len(node.args) == 1 else None
                    if not isinstance(arg, gast.Tuple):
                        raise ctx.error(node, "a CUDA kernel cannot keep this list (kernels cannot allocate; only "
                                        "the tapes of reverse mode become preallocated buffers)", "list")
                    if arity not in (None, len(arg.elts)):
                        raise ctx.error(node, "tape entries of different lengths", "list")
                    arity = len(arg.elts)
            out.append((tape, arity or 0))
        return out

    @staticmethod
    def _buffer_names(ctx):
        names = []
        for hint in BUFFER_ARGS:
            names.append(ctx.namer.fresh(hint))
        return names

    # -- rewriting -----------------------------------------------------------------------
    def _block(self, ctx, stmts, numbers, names, threaded, pops):
        buf, layout, need = names
        out = []
        for s in stmts:
            if isinstance(s, gast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], gast.Name):
                target = s.targets[0].id
                if target in numbers and isinstance(s.value, gast.List):
                    out.append(assign(target, _const(0), s))
                    continue
                tape = _stack_call(s.value, "pop")
                if tape in numbers:
                    pops[target] = tape
                    out.append(assign(tape, gast.BinOp(left=load(tape), op=gast.Sub(), right=_const(numbers[tape][1])), s))
                    continue
                v = s.value
                if isinstance(v, gast.Subscript) and isinstance(v.value, gast.Name) and v.value.id in pops \
                        and isinstance(v.slice, gast.Constant):
                    tape = pops[v.value.id]
                    out.append(assign(target, _call(self.load, load(buf), load(layout), _const(numbers[tape][0]),
                                                    _add(tape, v.slice.value), load(target)), s))
                    continue
            if isinstance(s, gast.Expr):
                tape = _stack_call(s.value, "append")
                if tape in numbers:
                    k, arity = numbers[tape]
                    arg = s.value.args[0]
                    elts = arg.elts if isinstance(arg, gast.Tuple) else [
                        gast.Subscript(value=load(arg.id), slice=_const(j), ctx=gast.Load()) for j in range(arity)]
                    for j, e in enumerate(elts):
                        call = _call(self.store, load(buf), load(layout), load(need), _const(k), _add(tape, j), e)
                        out.append(located(gast.Expr(value=call), s))
                    out.append(assign(tape, _add(tape, arity), s))
                    continue
            for part in _own_parts(s):
                for node in walk(part):
                    if isinstance(node, gast.Call) and isinstance(node.func, gast.Name) and node.func.id in threaded:
                        node.args = node.args + [load(n) for n in names]
            for field in ("body", "orelse"):
                if isinstance(getattr(s, field, None), list) and not isinstance(s, gast.FunctionDef):
                    setattr(s, field, self._block(ctx, getattr(s, field), numbers, names, threaded, pops))
            self._check_leftover(ctx, s, numbers, pops)
            out.append(s)
        return out

    @staticmethod
    def _check_leftover(ctx, s, numbers, pops):
        """A tape or popped entry used any other way would silently keep a list: refuse it."""
        for part in _own_parts(s):
            for node in walk(part):
                if isinstance(node, gast.Name) and (node.id in pops or
                                                    (node.id in numbers and isinstance(node.ctx, gast.Load))):
                    raise ctx.error(s, "a CUDA kernel cannot use a tape this way", "tape")
