"""Tidy a VJP twin: drop the adjoint arithmetic on values known to be zero.

Reverse mode writes every adjoint update as `bx = bx + contrib` and resets an adjoint with
`bx = zeros_like(bx)` when its variable is reassigned, which is simple and always correct
but, on arrays, costs an allocation and a pass over memory per statement. Two rewrites,
both on the generated function:

1. *Known zeros*: where `bx` is zero on every path reaching `bx = bx + c` (it was just set
   by `zeros_like`), the update becomes `bx = c`. Not when `bx` -- or anything `c` is
   computed from -- is updated in place somewhere (`bx[i] = 0.0`, `add_at(bx, ...)`):
   then `bx` must own its memory.
2. *Adding zeros*: `add_at(bx, i, bv)` with `bv` known to be zero is removed.
3. *Dead zeros*: `bx = zeros_like(...)` whose value no path reads before `bx` is assigned
   again is removed (liveness, loops to a fixpoint).

Before:                                   After:
    bt = zeros_like(t)                        bt = g
    bt = bt + g                               bx = unbroadcast(bt * x, x)
    contrib = unbroadcast(bt * x, x)
    bt = zeros_like(bt)
    bx = zeros_like(x)
    bx = bx + contrib
(schematically: temporaries that only carried a contribution are left to numba.)
"""
import gast

from ..parse.base import walk
from .saving import _assigned_names


def _names(node):
    return {n.id for n in walk(node) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)}


class Cleanup:
    """`Cleanup(is_zeros, is_add_at).run(fn)`: the predicates say whether a call's function
    expression is the runtime's `zeros_like` / `add_at` (generated names vary: `zeros_like_1`)."""

    def __init__(self, is_zeros, is_add_at):
        self.is_zeros, self.is_add_at = is_zeros, is_add_at

    def run(self, fn):
        self.mutated = set()
        self.sources = {}
        for node in walk(fn):
            if isinstance(node, gast.Assign):
                t = node.targets[0]
                if isinstance(t, gast.Subscript) and isinstance(t.value, gast.Name):
                    self.mutated.add(t.value.id)
                elif isinstance(t, gast.Name):
                    self.sources.setdefault(t.id, set()).update(_names(node.value))
            elif isinstance(node, gast.Call) and self.is_add_at(node.func) and node.args and isinstance(node.args[0], gast.Name):
                self.mutated.add(node.args[0].id)
        self._tainted = self._taint()
        params = {a.id for a in fn.args.posonlyargs + fn.args.args}
        self.zeros(fn.body, params, True)
        _drop_marked(fn)
        self.dead(fn.body, set(), delete=True)
        return fn

    def _taint(self):
        """Names whose value may share memory with something updated in place."""
        tainted = set(self.mutated)
        changed = True
        while changed:
            changed = False
            for name, srcs in self.sources.items():
                if name not in tainted and srcs & tainted:
                    tainted.add(name)
                    changed = True
        return tainted

    def _is_zeros(self, value):
        return isinstance(value, gast.Call) and self.is_zeros(value.func)

    # -- known zeros (forward dataflow) ----------------------------------------------------
    # `nz`: names that may hold something other than zero here. A name not yet assigned on
    # some path counts as zero there: derivative code never reads an adjoint the forward
    # sweep did not create (the backward sweep mirrors the forward one's paths).
    def zeros(self, stmts, nz, rewrite):
        for s in stmts:
            if isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name):
                b = s.targets[0].id
                v = s.value
                if (rewrite and isinstance(v, gast.BinOp) and isinstance(v.op, gast.Add) and isinstance(v.left, gast.Name)
                        and v.left.id == b and b not in nz and b not in self._tainted
                        and not (_names(v.right) & self._tainted)):
                    s.value = v.right
                if self._is_zeros(s.value):
                    nz.discard(b)
                else:
                    nz.add(b)
            elif (rewrite and isinstance(s, gast.Expr) and isinstance(s.value, gast.Call) and self.is_add_at(s.value.func)
                  and len(s.value.args) == 3 and isinstance(s.value.args[2], gast.Name) and s.value.args[2].id not in nz):
                s.s2s_drop = True  # adds a zero
            elif isinstance(s, gast.If):
                a = self.zeros(s.body, set(nz), rewrite)
                c = self.zeros(s.orelse, set(nz), rewrite)
                nz.clear()
                nz.update(a | c)
            elif isinstance(s, (gast.For, gast.While)):
                if isinstance(s, gast.For):
                    nz |= _stored(s.target)
                entry = set(nz)
                while True:  # a name is zero on entry if it is before the loop and after the body
                    end = self.zeros(s.body, set(entry), False)
                    if end <= entry:
                        break
                    entry |= end
                self.zeros(s.body, set(entry), rewrite)
                nz.clear()
                nz.update(entry)
            else:
                nz |= _stored(s)
        return nz

    # -- dead zeros (backward liveness) ----------------------------------------------------
    def dead(self, stmts, live, delete):
        """Live names before `stmts` given `live` after; with `delete`, drop dead zeroings."""
        out = []
        for s in reversed(stmts):
            if isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name):
                b = s.targets[0].id
                if self._is_zeros(s.value) and b not in live:
                    if not delete:
                        out.append(s)
                    continue
                live = (live - {b}) | _names(s.value)
            elif isinstance(s, gast.If):
                body = self.dead(s.body, set(live), delete)
                orelse = self.dead(s.orelse, set(live), delete)
                live = body | orelse | _names(s.test)
            elif isinstance(s, (gast.For, gast.While)):
                header = _names(s.iter) if isinstance(s, gast.For) else _names(s.test)
                target = {s.target.id} if isinstance(s, gast.For) and isinstance(s.target, gast.Name) else set()
                after = set(live)
                end = after | header
                while True:  # live at the end of the body: after the loop, or in the next iteration
                    start = self.dead(s.body, set(end), False) - target
                    if start <= end:
                        break
                    end |= start
                if delete:
                    self.dead(s.body, set(end), True)
                live = after | header | (self.dead(s.body, set(end), False) - target)
            else:
                live = live | _names(s)
            out.append(s)
        if delete:
            stmts[:] = list(reversed(out))
        return live


def _stored(s):
    """What `s` may change: what it assigns, and (conservatively) the first argument of any
    call, which may be updated in place (add_at, list.append...): not known to be zero."""
    out = _assigned_names(s)
    for node in walk(s):
        if isinstance(node, gast.Call) and node.args and isinstance(node.args[0], gast.Name):
            out.add(node.args[0].id)
    return out


def _drop_marked(node):
    for field in ("body", "orelse"):
        stmts = getattr(node, field, None)
        if isinstance(stmts, list) and stmts and isinstance(stmts[0], gast.stmt):
            kept = [x for x in stmts if not getattr(x, "s2s_drop", False)]
            if not kept and field == "body":
                kept = [gast.Pass()]
            stmts[:] = kept
            for x in stmts:
                _drop_marked(x)
