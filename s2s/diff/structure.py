"""Structured control flow: no `break`, no `continue`, one `return` at the end.

Reverse mode walks a function backwards, which is only simple when every loop is left
through its test and every function through its last statement. This pass runs after the
normalization pipeline, for differentiation only, and rewrites the abrupt exits into flags:

>>> print(show_structured('''
... def f(x, n):
...     s = 0.0
...     for i in range(n):
...         if x[i] < 0.0:
...             continue
...         if s > 10.0:
...             return s
...         s = s + x[i]
...     return s + 1.0
... '''))
def f(x, n):
    returned = False
    s = 0.0
    i_next = 0
    running = i_next < n
    while running:
        i = i_next
        x_i = x[i]
        x_i_lt_0_0 = x_i < 0.0
        if not x_i_lt_0_0:
            if s > 10.0:
                ret = s
                returned = True
                running = False
            else:
                x_i_1 = x[i]
                s = s + x_i_1
        if running:
            i_next = i_next + 1
            running = i_next < n
    if not returned:
        ret = s + 1.0
    return ret

What changes, and how:

* **Returns.** A function whose only `return` is its last statement keeps it. Otherwise
  every `return v` becomes `ret = v` (plus `returned = True` when later code must know),
  and the function ends with one `return ret`. A function that can fall off its end gets
  the `ret = None` Python would give it; one with no `return` at all gets `return None`.
* **Loops with `break` or `return`** become `while running:` loops. A `while c:` loop
  computes `running = c` before the loop and again at the end of each iteration; the
  `while True:` form ANF makes for complex tests just starts with `running = True`.
  `for i in range(a, b, c)` counts with a hidden `i_next` (the user may rebind `i`) and
  assigns `i = i_next` at the top of each iteration, so `i` holds exactly what Python gives
  it, after a `break` and after the loop too. The test is `i_next < b` for a positive
  literal step, `i_next > b` for a negative one, and chosen by the sign of a step known only
  at run time (where a zero step raises `ValueError`, as `range` does). Bounds the loop
  rebinds are read once, before it.
* **`break`** sets `running = False`; **`continue`** sets `skip = True` (reset at the top
  of each iteration); loops that only `continue` keep their form. A `return` inside a loop
  sets `ret`, `returned` and stops the loop; after it, `if returned:` stops the enclosing
  loop in turn.
* **What follows an exit** runs only when the exit did not happen: where the exit is one
  branch of an `if` and the other branch completes normally, the rest moves into that
  other branch (`if c: break` + rest reads as `if c: running = False` / `else: rest`);
  otherwise it is guarded by `if running:`, `if not skip:` or `if not returned:`. Code after
  an unconditional exit is unreachable in Python too and is dropped. Flags nothing reads
  are not kept.

Every test stays an atom, `not atom` or one comparison of atoms (a computed condition goes
to a fresh name first), and every statement made here carries the line of the user's
statement it came from (the `break`, the `return`, the loop). Nested functions are
rewritten as functions of their own: their returns are theirs.
"""
import gast


from ..parse.base import (
    assign,
    clone,
    fix_missing_locations,
    FunctionPass,
    hint_of,
    is_atom,
    load,
    located,
    names_read,
    names_stored,
    walk,
)
from ..parse.debug import show_program
from ..parse.pipeline import run_passes

NORMAL, BREAK, CONTINUE, RETURN = "normal", "break", "continue", "return"


# -- how statements complete --------------------------------------------------------------
def block_exits(stmts):
    """How `stmts` may complete: NORMAL and/or BREAK, CONTINUE (of the innermost enclosing
    loop), RETURN. Statements after one that never completes normally are unreachable."""
    out = set()
    for s in stmts:
        e = stmt_exits(s)
        out |= e - {NORMAL}
        if NORMAL not in e:
            return out
    return out | {NORMAL}


def stmt_exits(s):
    if isinstance(s, gast.Break):
        return {BREAK}
    if isinstance(s, gast.Continue):
        return {CONTINUE}
    if isinstance(s, gast.Return):
        return {RETURN}
    if isinstance(s, gast.Raise):
        return set()
    if isinstance(s, gast.If):
        return block_exits(s.body) | block_exits(s.orelse)
    if isinstance(s, (gast.While, gast.For)):
        body = block_exits(s.body)
        out = {RETURN} & body
        if not (isinstance(s, gast.While) and _always_true(s.test)) or BREAK in body:
            out.add(NORMAL)
        return out
    return {NORMAL}


def _always_true(test):
    return isinstance(test, gast.Constant) and bool(test.value)


def returns_in(stmts):
    """The `return` statements of `stmts` in source order (not those of nested functions)."""
    found = []

    def visit(node):
        for child in gast.iter_child_nodes(node):
            if isinstance(child, (gast.FunctionDef, gast.Lambda)):
                continue
            if isinstance(child, gast.Return):
                found.append(child)
            visit(child)

    visit(gast.Module(body=list(stmts), type_ignores=[]))
    return found


def _const(value, like):
    return located(gast.Constant(value=value, kind=None), like)


def _name(name, like):
    return located(load(name), like)


def _not(operand, like):
    return located(gast.UnaryOp(op=gast.Not(), operand=operand), like)


def _compare(left, op, right, like):
    return located(gast.Compare(left=left, ops=[op], comparators=[right]), like)


def _if(test, body, orelse, like):
    return located(gast.If(test=test, body=body, orelse=orelse), like)


def _int_literal(node):
    """The value of an int literal (`2`, `-1`), else None."""
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, (gast.USub, gast.UAdd)):
        v = _int_literal(node.operand)
        return None if v is None else (-v if isinstance(node.op, gast.USub) else v)
    if isinstance(node, gast.Constant) and type(node.value) is int:
        return node.value
    return None


class _Loop:
    """The flags of the loop being rewritten: `running` (its test, once it has a `break`
    or a `return`) and `skip` (the rest of this iteration is skipped, once it has a
    `continue`)."""

    __slots__ = ("running", "skip")

    def __init__(self, running, skip):
        self.running, self.skip = running, skip


class StructureControlFlow(FunctionPass):
    name = "structure"
    description = "break/continue/early return -> flags; loops left through their test, one return at the end"

    def run(self):
        self._flags = set()  # every flag made here: those nothing reads are dropped at the end
        self._shapes = {}  # id(If made here) -> [exits of its body, exits of its orelse]
        self._ret = self._returned = None
        tree = self.ctx.tree
        self._function(tree)
        self._tidy(tree)
        fix_missing_locations(tree)
        return tree

    # -- functions -----------------------------------------------------------------------
    def _function(self, fn):
        saved = self._ret, self._returned
        body = fn.body
        returns = returns_in(body)
        falls_off = NORMAL in block_exits(body)
        last = body[-1] if body else fn
        if not returns or (len(returns) == 1 and body[-1] is returns[0]):
            self._ret = self._returned = None  # returns stay as they are
            new, _ = self._block(body, None, tail=True)
            if not new or not isinstance(new[-1], gast.Return):
                new.append(located(gast.Return(value=_const(None, last)), last))
        else:
            if falls_off:  # Python's implicit `return None`, made explicit
                body = body + [located(gast.Return(value=None), last)]
                returns.append(body[-1])
            self._ret = self.ctx.namer.fresh("ret")
            self._returned = self.ctx.namer.fresh("returned")
            self._flags.add(self._returned)
            new, _ = self._block(body, None, tail=True)
            final = returns[-1]
            new = [assign(self._returned, _const(False, fn), fn)] + new
            new.append(located(gast.Return(value=_name(self._ret, final)), final))
        fn.body = new
        self._ret, self._returned = saved

    # -- blocks ----------------------------------------------------------------------------
    def _block(self, stmts, loop, tail=False):
        """The rewritten `stmts` and how they may complete (see `block_exits`). `tail`: the
        function ends when `stmts` do (no code of the function runs after them)."""
        out, exits = [], set()
        for k, s in enumerate(stmts):
            e = stmt_exits(s)  # of the user's statement, before it is rewritten
            new = self._stmt(s, loop, tail and (k == len(stmts) - 1 or NORMAL not in e))
            if e == {NORMAL}:
                out += new
                continue
            exits |= e - {NORMAL}
            rest = stmts[k + 1:]
            if NORMAL not in e or not rest:  # what follows is unreachable, or nothing does
                return out + new, exits | (e & {NORMAL})
            rest, rest_exits = self._block(rest, loop, tail)
            if not self._attach(new, rest, rest_exits):
                guard = _if(self._guard(loop, s), rest, [], s)
                self._shapes[id(guard)] = [set(rest_exits), e - {NORMAL}]
                new = new + [guard]
            return out + new, exits | rest_exits
        return out, exits | {NORMAL}

    def _attach(self, stmts, rest, rest_exits):
        """Move `rest` into the one branch of the final `if` of `stmts` that completes
        normally (recursively along an elif chain); False if there is no such branch."""
        last = stmts[-1] if stmts else None
        shape = self._shapes.get(id(last))
        if shape is None:
            return False
        normal = [k for k in (0, 1) if NORMAL in shape[k]]
        if len(normal) != 1:
            return False
        k = normal[0]
        branch = last.body if k == 0 else last.orelse
        if shape[k] == {NORMAL}:
            branch.extend(rest)
        elif not self._attach(branch, rest, rest_exits):
            return False
        shape[k] = (shape[k] - {NORMAL}) | rest_exits
        return True

    def _guard(self, loop, like):
        """The test under which the code after a possible exit runs."""
        if loop is None:
            return _not(_name(self._returned, like), like)
        if loop.skip is not None:
            return _not(_name(loop.skip, like), like)
        return _name(loop.running, like)

    def _leave(self, loop, kind, like):
        """The flags that leave `loop` (None: the function) by a break/continue/return."""
        if loop is None:
            return []
        out = []
        if kind != CONTINUE:
            out.append(assign(loop.running, _const(False, like), like))
        if loop.skip is not None:
            out.append(assign(loop.skip, _const(True, like), like))
        return out

    # -- statements ------------------------------------------------------------------------
    def _stmt(self, s, loop, tail):
        if isinstance(s, gast.Break):
            return self._leave(loop, BREAK, s)
        if isinstance(s, gast.Continue):
            return self._leave(loop, CONTINUE, s)
        if isinstance(s, gast.Return):
            if self._ret is None:
                return [s]
            value = s.value if s.value is not None else _const(None, s)
            out = [assign(self._ret, value, s)]
            if loop is not None or not tail:  # later code must know
                out.append(assign(self._returned, _const(True, s), s))
            return out + self._leave(loop, RETURN, s)
        if isinstance(s, gast.If):
            s.body, body_exits = self._block(s.body, loop, tail)
            s.orelse, orelse_exits = self._block(s.orelse, loop, tail)
            self._shapes[id(s)] = [body_exits, orelse_exits]
            return [s]
        if isinstance(s, (gast.While, gast.For)):
            return self._loop(s, loop)
        if isinstance(s, gast.FunctionDef):
            self._function(s)
            return [s]
        return [s]

    def _loop(self, node, outer):
        body_exits = block_exits(node.body)
        running = skip = None
        if body_exits & {BREAK, RETURN}:
            running = self.ctx.namer.fresh("running")
        if CONTINUE in body_exits:
            skip = self.ctx.namer.fresh("skip")
        self._flags |= {f for f in (running, skip) if f is not None}
        inner = _Loop(running, skip)
        body, _ = self._block(node.body, inner)
        if skip is not None:
            body = [assign(skip, _const(False, node), node)] + body
        if running is None:
            node.body = body
            return [node]
        if isinstance(node, gast.For):
            before, top, tail = self._count(node, running)
        else:
            before, tail = self._test(node, running)
            top = []
        # The end of an iteration (count, test again) runs unless the loop was left; when
        # the body always leaves it (no `continue`, no normal end) it runs at most once.
        if tail and (CONTINUE in body_exits or (NORMAL in body_exits and not self._attach(body, tail, {NORMAL}))):
            body = body + [_if(_name(running, node), tail, [], node)]
        loop = located(gast.While(test=_name(running, node), body=top + body, orelse=[]), node)
        out = before + [loop]
        if RETURN in body_exits:  # leave the enclosing loop too
            check = _if(_name(self._returned, node), self._leave(outer, RETURN, node), [], node)
            self._shapes[id(check)] = [{RETURN}, {NORMAL}]
            out.append(check)
        return out

    def _test(self, node, running):
        """`running = <test>` before a `while` loop, and again at the end of an iteration."""
        test = node.test
        if isinstance(test, gast.Constant):
            return [assign(running, _const(bool(test.value), node), node)], []
        pre = []
        if not (isinstance(test, gast.Compare) or (isinstance(test, gast.UnaryOp) and isinstance(test.op, gast.Not))):
            if not is_atom(test):  # a call: its value goes to a name first
                t = self.ctx.namer.fresh(hint_of(test))
                pre.append(assign(t, test, node))
                test = _name(t, node)
            test = located(gast.Call(func=_name("bool", node), args=[test], keywords=[]), node)
        before = pre + [assign(running, test, node)]
        return before, clone(before)

    def _count(self, node, running):
        """A `for i in range(...)` loop as a count: (before the loop, top of each
        iteration, end of each iteration)."""
        it = node.iter
        if not (isinstance(it, gast.Call) and isinstance(it.func, gast.Name) and it.func.id == "range"
                and not it.keywords and 1 <= len(it.args) <= 3 and isinstance(node.target, gast.Name)):
            why = "a loop left by `break` or `return` must count with `for i in range(...)`: run the normalization pipeline first"
            raise self.ctx.error(node, why, "for")
        args = list(it.args)
        target = node.target.id
        start, stop, step = _const(0, node), None, _const(1, node)
        if len(args) == 1:
            stop = args[0]
        elif len(args) == 2:
            start, stop = args
        else:
            start, stop, step = args
        rebound = names_stored(node.body) | {target}
        before = []
        stop = self._once(stop, rebound, "stop", node, before)
        sign = _int_literal(step)
        if not sign:
            step = self._once(step, rebound, "step", node, before)
        def check():
            if sign:
                op = gast.Lt() if sign > 0 else gast.Gt()
                return [assign(running, _compare(_name(counter, node), op, clone(stop), node), node)]
            up = assign(running, _compare(_name(counter, node), gast.Lt(), clone(stop), node), node)
            down = assign(running, _compare(_name(counter, node), gast.Gt(), clone(stop), node), node)
            return [_if(_name(ascending, node), [up], [down], node)]

        if not sign:  # the step's sign is known at run time only
            message = _const("range() arg 3 must not be zero", node)
            error = located(gast.Call(func=_name("ValueError", node), args=[message], keywords=[]), node)
            raise_ = located(gast.Raise(exc=error, cause=None), node)
            zero = _compare(clone(step), gast.Eq(), _const(0, node), node)
            ascending = self.ctx.namer.fresh("ascending")
            before += [_if(zero, [raise_], [], node),
                       assign(ascending, _compare(clone(step), gast.Gt(), _const(0, node), node), node)]
        counter = self.ctx.namer.fresh(f"{target}_next" if target.strip("_") else "count")
        before.append(assign(counter, start, node))
        before += check()
        top = [assign(target, _name(counter, node), node)]
        op, by = gast.Add(), clone(step)
        if sign is not None and sign < 0:  # `i_next - 3` rather than `i_next + -3`
            op, by = gast.Sub(), _const(-sign, node)
        step_value = located(gast.BinOp(left=_name(counter, node), op=op, right=by), node)
        tail = [assign(counter, step_value, node)] + check()
        return before, top, tail

    def _once(self, bound, rebound, hint, loop, before):
        """`bound` as read when the loop starts (a name the loop rebinds is copied first)."""
        if names_read(bound) & rebound:
            name = self.ctx.namer.fresh(hint)
            before.append(assign(name, bound, loop))
            return _name(name, loop)
        return bound

    # -- dropping flags nothing reads --------------------------------------------------------
    def _tidy(self, fn):
        while True:
            read = {n.id for n in walk(fn) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)}
            dead = self._flags - read
            before = gast.dump(fn)
            fn.body = self._tidy_block(fn.body, dead)
            if gast.dump(fn) == before:
                return

    def _tidy_block(self, stmts, dead):
        out = []
        for s in stmts:
            if isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name) and s.targets[0].id in dead:
                continue
            if isinstance(s, (gast.While, gast.For, gast.FunctionDef)):
                s.body = self._tidy_block(s.body, dead)
            elif isinstance(s, gast.If):
                s.body = self._tidy_block(s.body, dead)
                s.orelse = self._tidy_block(s.orelse, dead)
                if not s.body:
                    out += self._negated(s)
                    continue
            out.append(s)
        return out

    def _negated(self, s):
        """An `if` with an empty body: `if not test: orelse` (nothing if both are empty)."""
        test = s.test
        if not s.orelse:
            if is_atom(test) or isinstance(test, (gast.Compare, gast.UnaryOp)):
                return []
            return [located(gast.Expr(value=test), s)]  # keep a call's effects
        pre = []
        if isinstance(test, gast.UnaryOp) and isinstance(test.op, gast.Not):
            s.test = test.operand
        else:
            if not is_atom(test):
                t = self.ctx.namer.fresh(hint_of(test))
                pre.append(assign(t, test, s))
                test = _name(t, s)
            s.test = _not(test, s)
        s.body, s.orelse = s.orelse, []
        return pre + [s]


def structure_program(program):
    """Run the pass on every function of a normalized `Program` (returns the program).
    `S2S_DUMP_AFTER=structure` prints each function afterwards."""
    for ctx in program.functions:
        run_passes(ctx, passes=[StructureControlFlow])
    return program


def show_structured(text, name=None):
    """The functions `text` defines, normalized and then structured (the docstring above)."""
    return show_program(text, name=name, extra=[StructureControlFlow])
