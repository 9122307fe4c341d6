"""What the backward sweep needs of the forward sweep: saving values, and the tapes.

A value the backward sweep reads is used as it is when nothing can overwrite it before the
backward sweep runs; otherwise it is copied into a slot when it is read: a local at top
level, or -- in a loop -- a slot of its block's tape entry. `block` pushes all the slots of
one block as one tuple per execution of the block (one typed list per block: numba types
it from the tuple) and pops them when the backward sweep enters the block, so that every
statement of the block's backward sweep finds them. Saves are shared: a name read twice in
one block with no assignment in between is saved once.
"""
import gast

from ..parse.base import assign, clone, load, located, walk


def _const(v):
    return gast.Constant(value=v, kind=None)


def _call(fn, *args):
    return gast.Call(func=fn if not isinstance(fn, str) else load(fn), args=list(args), keywords=[])


def _assigned_names(s):
    """Names a statement (re)binds or updates in place, nested blocks included."""
    out = set()
    for node in walk(s):
        if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Store):
            out.add(node.id)
        elif isinstance(node, gast.Subscript) and isinstance(node.ctx, gast.Store) and isinstance(node.value, gast.Name):
            out.add(node.value.id)
        elif isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute) and isinstance(node.func.value, gast.Name) \
                and node.func.attr in ("append", "pop"):
            out.add(node.func.value.id)
        elif isinstance(node, gast.Call) and len(node.args) in (2, 3) and isinstance(node.args[0], gast.Name) \
                and isinstance(node.func, gast.Name) and node.func.id.startswith(("add_at", "add_to_list")):
            out.add(node.args[0].id)  # add_at(a, idx, v), add_to_list(a, v) update `a` (derivative code)
    return out


def _stacks(tree):
    """Lists used only as stacks -- `s = []`, `s.append(v)`, `v = s.pop()` -- as the tapes of
    derivative code are: their adjoint is a stack too, pushed where they pop."""
    made = {
        s.targets[0].id for s in walk(tree)
        if isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name)
        and isinstance(s.value, gast.List) and not s.value.elts
    }
    stack_uses = set()
    for node in walk(tree):
        if isinstance(node, gast.Attribute) and node.attr in ("append", "pop") and isinstance(node.value, gast.Name):
            stack_uses.add(id(node.value))
    for node in walk(tree):
        if isinstance(node, gast.Name) and node.id in made and isinstance(node.ctx, gast.Load) and id(node) not in stack_uses:
            made.discard(node.id)
    return made


def index_value(idx):
    """An index as a value that can be passed to a function: `1:n` -> `slice(1, n, None)`."""
    if isinstance(idx, gast.Slice):
        parts = [clone(p) if p is not None else _const(None) for p in (idx.lower, idx.upper, idx.step)]
        return _call("slice", *parts)
    if isinstance(idx, gast.Tuple):
        return gast.Tuple(elts=[index_value(e) for e in idx.elts], ctx=gast.Load())
    return idx


def _is_atom(e):
    return isinstance(e, (gast.Name, gast.Constant))


class SavingMixin:
    """The saving half of the reverse-mode builder (`reverse._Builder`)."""

    def save(self, expr, in_loop, like, hint, shared=True):
        """(forward stmts, backward stmts, backward expr) to have `expr`'s current value
        in the backward sweep: as it is when nothing can overwrite it, else copied into a
        slot -- a local at top level; in a loop, a slot of the enclosing block's tape entry
        (`block` pushes all the block's slots as one tuple per execution and pops them
        when the backward sweep enters the block).

        A name read twice in one block with no assignment in between is saved once (`shared`)."""
        if isinstance(expr, gast.Constant):
            return [], [], expr
        key = None
        if isinstance(expr, gast.Name):
            if expr.id in self.fresh_names:  # made here, assigned once per execution
                if not in_loop:
                    return [], [], expr
            elif self.assigns.stable(expr.id):
                return [], [], expr
            if shared:
                key = (expr.id, self.version.get(expr.id, 0), self.blocks[-1])
                if key in self.saved:
                    return [], [], load(self.saved[key])
        if in_loop and isinstance(expr, gast.Name) and (
                expr.id in self.fresh_names
                or (self.assigns.count.get(expr.id, 0) == 1 and expr.id in self.block_defs[self.blocks[-1]])):
            # Assigned once, earlier in this very block: taped as it is at the block's end.
            self.packs[self.blocks[-1]].append((expr.id, like, False))
            return [], [], load(expr.id)
        slot = self.namer.fresh(f"{hint}_saved" if not in_loop else hint)
        if key is not None:
            self.saved[key] = slot
        if in_loop:
            self.packs[self.blocks[-1]].append((slot, like, True))
        if isinstance(expr, gast.Name) and expr.id in self.lists:
            expr = _call("list", expr)  # a list built in place changes: copy it
        return [assign(slot, expr, like)], [], load(slot)

    def _overwritable(self, name, in_loop):
        """Would `save` have to copy `name` (it may change before the backward sweep)?"""
        if name in self.fresh_names:
            return in_loop
        return not self.assigns.stable(name)

    def keep(self, expr, in_loop, like, hint, fwd, bwd):
        """Evaluate `expr` now into a fresh name; return how the backward sweep reads it."""
        if isinstance(expr, gast.Constant):
            return expr
        slot = self.namer.fresh(hint)
        self.fresh_names.add(slot)
        fwd.append(assign(slot, expr, like))
        f, b, e = self.save(load(slot), in_loop, like, slot)
        fwd += f
        bwd += b
        return e

    def block(self, stmts, in_loop):
        me = len(self.packs)
        self.packs.append([])
        self.block_defs.append(set())
        self.blocks.append(me)
        fwd, bwds = [], []
        for s in stmts:
            f, b = self.stmt(s, in_loop)
            fwd += f
            bwds.append(b)
            for n in _assigned_names(s):  # a new value: saves of the old one are not shared
                self.version[n] = self.version.get(n, 0) + 1
            if isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name):
                self.block_defs[me].add(s.targets[0].id)
        # The adjoint of a list built in this block (not at top level) starts, in the
        # backward sweep, as zeros of the list's length at the end of the block.
        list_init = []
        for n in sorted(n for n, home in self.list_home.items() if home is stmts and n in self.active
                        and n not in self.stacks and n not in self.top):
            f, b, e = self.save(load(n), in_loop, stmts[-1], n)
            fwd += f
            list_init += b + self._mark(self.init(n, stmts[-1], e))
        self.blocks.pop()
        bwd = list_init + [x for b in reversed(bwds) for x in b]
        # Saved values the backward sweep turned out not to read (a branch with nothing to
        # differentiate still kept its condition) are not taped.
        read = {n.id for st in bwd for n in walk(st) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)}
        unused = {n for n, _, _ in self.packs[me] if n not in read}
        copies = {n for n, _, copied in self.packs[me] if copied and n in unused}
        if copies:
            fwd = [st for st in fwd if not (isinstance(st, gast.Assign) and isinstance(st.targets[0], gast.Name)
                                            and st.targets[0].id in copies)]
        slots = list({n: (n, like) for n, like, _ in reversed(self.packs[me]) if n not in unused}.values())[::-1]
        if slots:
            # One tape entry per execution of the block: the tuple of its saved values.
            like = slots[0][1]
            tape = self.namer.fresh("tape")
            self.tapes.append(tape)
            entry = gast.Tuple(elts=[load(n) for n, _ in slots], ctx=gast.Load())
            fwd.append(located(gast.Expr(value=_call(gast.Attribute(value=load(tape), attr="append", ctx=gast.Load()), entry)), like))
            saved = self.namer.fresh("saved")
            pops = [assign(saved, _call(gast.Attribute(value=load(tape), attr="pop", ctx=gast.Load())), like)]
            # A list comes back under a fresh name: the derivative code then binds each
            # name to one kind of value (built by appends, or restored), which a second
            # reverse pass over it needs.
            restored = {n: self.namer.fresh(f"{n}_saved") for n, _ in slots if n in self.lists}
            if restored:
                for st in bwd:
                    for node in walk(st):
                        if isinstance(node, gast.Name) and node.id in restored:
                            node.id = restored[node.id]
            pops += [assign(restored.get(n, n), gast.Subscript(value=load(saved), slice=_const(i), ctx=gast.Load()), like)
                     for i, (n, _) in enumerate(slots)]
            bwd = self._mark(pops) + bwd
        return fwd, bwd

    def _save_index(self, idx, in_loop, like):
        """Save the names an index reads; return the index as the backward sweep sees it."""
        fwd, bwd, mapping = [], [], {}
        for n in sorted({n.id for n in walk(idx) if isinstance(n, gast.Name)}):
            f, b, e = self.save(load(n), in_loop, like, n)
            fwd += f
            bwd += b
            if isinstance(e, gast.Name) and e.id != n:
                mapping[n] = e.id
        new = clone(idx)
        for node in walk(new):
            if isinstance(node, gast.Name) and node.id in mapping:
                node.id = mapping[node.id]
        return fwd, bwd, new
