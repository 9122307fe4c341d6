"""Lists built in place: `L = []`, then `L.append(v)`, `v = L.pop()`, `v = L[i]`, `L[i] = v`,
`len(L)`, `np.stack(L)` ... -- what list comprehensions become, and the tapes of derivative code.

Their derivatives are lists too: a tangent list that mirrors every append/store/read (forward
mode), and an adjoint list (reverse mode) that starts as zeros of the list's final length and
shrinks back as the backward sweep undoes the appends, so that `bL[i]` always matches `L[i]`
(negative indices included).

>>> import gast
>>> tree = gast.parse('''
... def f(x, n):
...     L = []
...     for i in range(n):
...         L.append(x * i)
...     M = L
...     t = []
...     t.append(x)
...     y = t.pop()
...     return np.stack(M)
... ''').body[0]
>>> info = ListInfo(tree)
>>> sorted(info.names), sorted(info.stacks), info.aliases
(['L', 'M', 't'], ['t'], {'M': 'L'})
"""
import builtins

import gast
import numpy as np

from ..parse.base import fix_missing_locations, load, located, walk
from . import runtime
from .activity import resolve_callee


def _assigns(tree):
    """name -> the statements `name = ...` (plain name targets)."""
    out = {}
    for s in walk(tree):
        if isinstance(s, gast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], gast.Name):
            out.setdefault(s.targets[0].id, []).append(s)
    return out


def _is_empty_list(e):
    return isinstance(e, gast.List) and not e.elts


class ListInfo:
    """The lists of one function.

    names:   bound only to `[]` (or, for aliases, to another list's name);
    stacks:  those used only by `append`/`pop` (the tapes of derivative code): their adjoint
             starts empty;
    aliases: {M: L} for `M = L`;
    home:    {name: the statement list (block) holding its definition}.
    """

    def __init__(self, tree, program=None, strict=True):
        assigns = _assigns(tree)

        def made(e):  # `[]`, or the adjoint list `zeros_list(L)` of derivative code
            return _is_empty_list(e) or program is not None and isinstance(e, gast.Call) \
                and resolve_callee(e.func, program).obj is runtime.zeros_list
        # strict (reverse mode): every binding makes a list; else (forward mode) one does, the
        # others may restore it from a tape (derivative code differentiated again)
        test = all if strict else any
        names = {n for n, ss in assigns.items() if test(made(s.value) for s in ss)}
        # bound to a list and to something else (a list restored from a tape)
        self.mixed = {n for n, ss in assigns.items() if n not in names and any(made(s.value) for s in ss)}
        self.aliases = {}
        changed = True
        while changed:
            changed = False
            for n, ss in assigns.items():
                if n not in names and len(ss) == 1 and isinstance(ss[0].value, gast.Name) and ss[0].value.id in names:
                    names.add(n)
                    self.aliases[n] = ss[0].value.id
                    changed = True
        self.names = names
        stack_uses = {id(node.value) for node in walk(tree)
                      if isinstance(node, gast.Attribute) and node.attr in ("append", "pop") and isinstance(node.value, gast.Name)}
        self.stacks = set(n for n in names if n not in self.aliases and n not in set(self.aliases.values()))
        for node in walk(tree):
            if isinstance(node, gast.Name) and node.id in self.stacks and isinstance(node.ctx, gast.Load) \
                    and id(node) not in stack_uses:
                self.stacks.discard(node.id)
        self.defs = {n: assigns[n] for n in names}
        self.home = {}
        self._blocks(tree.body)

    def _blocks(self, stmts):
        for s in stmts:
            if isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name) and s.targets[0].id in self.names:
                self.home.setdefault(s.targets[0].id, stmts)
            if not isinstance(s, gast.FunctionDef):
                for field in ("body", "orelse"):
                    self._blocks(getattr(s, field, []))

    def problem(self, top_body):
        """(statement, message) for a list reverse mode cannot follow, or None.

        Reverse mode sizes a list's adjoint from the list's final value in the block that
        builds it, so: one definition per list; a list built inside a loop or branch is used
        only there; nothing changes a list after it gets a second name."""
        for n in sorted(self.names - self.stacks):
            defs = self.defs[n]
            if len(defs) > 1:
                return defs[1], (f"{n} is bound to a new list more than once: while differentiating, give each "
                                 "list its own name")
            home = self.home[n]
            if home is not top_body:
                inside = {id(x) for s in home for x in walk(s)}
                for node in walk(gast.Module(body=top_body, type_ignores=[])):
                    if isinstance(node, gast.Name) and node.id == n and id(node) not in inside:
                        return defs[0], (f"the list {n} is built inside a loop or branch and used after it: while "
                                         f"differentiating, build it where it is used (or before the loop)")
        for node in walk(gast.Module(body=top_body, type_ignores=[])):
            if isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute) and node.func.attr == "append" \
                    and node.args and isinstance(node.args[0], gast.Name) and node.args[0].id in self.names - self.stacks:
                return node, (f"{node.func.value.id if isinstance(node.func.value, gast.Name) else 'a list'} holds "
                              "lists: reverse mode differentiates lists of arrays and numbers, not lists of lists; "
                              "build arrays (np.array(row)) or use forward mode")
        for m, l in sorted(self.aliases.items()):
            d = self.defs[m][0]
            home = self.home[m]
            if home is not self.home.get(l):
                return d, f"{m} = {l}: while differentiating, a list can only get a second name where it is built"
            after = home[next(k for k, s in enumerate(home) if s is d) + 1:]
            for s in after:
                if _mutates(s, {m, l}):
                    return d, (f"{m} = {l} gives one list two names, and it changes afterwards: while "
                               f"differentiating, make a copy (list({l})) or change it before naming it again")
        return None


# Functions that take a list as a sequence of separate values; any other function sees
# the list as the array it stands for.
_SEQUENCE_TAKERS = (np.stack, np.concatenate, np.hstack, np.vstack, np.dstack, np.column_stack, np.array, np.asarray,
                    builtins.sum, runtime.array_of, runtime.add_to_list)


def takes_sequence(call, program):
    """Does `call` take a list as a sequence of separate values (np.stack(L), sum(L)),
    rather than as the array it stands for (np.max(L))?"""
    obj = resolve_callee(call.func, program).obj if isinstance(call, gast.Call) else None
    return obj is not None and any(obj is f for f in _SEQUENCE_TAKERS)


def _mutates(stmt, names):
    for node in walk(stmt):
        if isinstance(node, gast.Attribute) and node.attr in ("append", "pop") and isinstance(node.value, gast.Name) \
                and node.value.id in names:
            return True
        if isinstance(node, gast.Subscript) and isinstance(node.ctx, gast.Store) and isinstance(node.value, gast.Name) \
                and node.value.id in names:
            return True
    return False


def split_rebound_lists(tree, namer):
    """`L = []; ...; L = np.array(L)` at top level: the array gets a name of its own from
    there on (`L_1`), so that L stays a list (differentiable in place) and L_1 an array.

    Only a rebinding at the top level of the body is split: the statements after it see
    the new value wherever they are, and those before it never do."""
    body = tree.body
    lists = {s.targets[0].id for s in body if isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name)
             and _is_empty_list(s.value)}
    for k, s in enumerate(body):
        if not (isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name) and s.targets[0].id in lists
                and not _is_empty_list(s.value)):
            continue
        old = s.targets[0].id
        new = namer.fresh(old)
        for later in [s] + body[k + 1:]:
            for node in walk(later):
                if isinstance(node, gast.Name) and node.id == old and (node is s.targets[0] or later is not s):
                    node.id = new
        lists.discard(old)


def expand_list_literals(tree):
    """`L = [a, b]` of a list that is appended to or popped later -> `L = []; L.append(a);
    L.append(b)`: a list built in place from the start (literals of fixed length are pytrees)."""
    grown = {n.func.value.id for n in walk(tree) if isinstance(n, gast.Call) and isinstance(n.func, gast.Attribute)
             and n.func.attr in ("append", "pop") and isinstance(n.func.value, gast.Name)}

    def expand(stmts):
        out = []
        for s in stmts:
            if isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name) and s.targets[0].id in grown \
                    and isinstance(s.value, gast.List) and s.value.elts \
                    and not any(isinstance(e, gast.Starred) for e in s.value.elts):
                name = s.targets[0].id
                out.append(located(gast.Assign(targets=[gast.Name(id=name, ctx=gast.Store(), annotation=None,
                                                                  type_comment=None)],
                                               value=gast.List(elts=[], ctx=gast.Load()), type_comment=None), s))
                for e in s.value.elts:
                    push = gast.Call(func=gast.Attribute(value=load(name), attr="append", ctx=gast.Load()),
                                     args=[e], keywords=[])
                    out.append(located(gast.Expr(value=push), s))
                continue
            if not isinstance(s, gast.FunctionDef):
                for field in ("body", "orelse"):
                    if getattr(s, field, None):
                        setattr(s, field, expand(getattr(s, field)))
            out.append(s)
        return out
    tree.body = expand(tree.body)
    fix_missing_locations(tree)
