"""Dead stores of a function body: `t = e` whose value no later statement reads.

Reverse mode writes no backward code for them: the adjoint of a value nothing reads is zero,
and computing its (zero) contributions would read `bt` while it holds the zeros of another
binding of t -- of another shape when t is rebound to a differently shaped value
(`a, t = x[:2], x[2:]` then `b, t = x[:1], x[1:]`).

>>> import gast
>>> body = gast.parse('''
... t = x[:2] ** 2
... t = x[1:] ** 3
... for i in range(3):
...     u = t * i
...     s = u + 1.0
... v = s
... ''').body
>>> sorted(body.index(s) for s in body if id(s) in dead_stores(body))
[0, 3]

Backward liveness over the statements, loops to a fixpoint; any read anywhere in a statement
(its nested blocks included) counts, and only plain `name = value` statements kill a name,
so the answer errs on the side of live.
"""
import gast

from ..parse.base import walk


def _reads(node):
    return {n.id for n in walk(node) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)}


def _stores(node):
    return {n.id for n in walk(node) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)}


def dead_stores(stmts, live_out=()):
    """ids of the dead `name = value` statements of `stmts` (nested blocks included), given
    the names `live_out` read after them."""
    dead = set()
    _walk(stmts, set(live_out), dead, True)
    return dead


def _walk(stmts, live, dead, mark):
    """The names live before `stmts` given `live` after them; `mark`: record dead stores."""
    for s in reversed(stmts):
        if isinstance(s, gast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], gast.Name):
            t = s.targets[0].id
            if mark and t not in live:
                dead.add(id(s))
            live = (live - {t}) | _reads(s.value)
        elif isinstance(s, gast.If):
            live = _walk(s.body, set(live), dead, mark) | _walk(s.orelse, set(live), dead, mark) | _reads(s.test)
        elif isinstance(s, (gast.For, gast.While)):
            live = _loop(s, live, dead, mark)
        else:
            live = live | _reads(s)
    return live


def _loop(s, after, dead, mark):
    """Live names before a loop: its head is reached from before the loop and from the end of
    its body; the body's dead stores are marked once the head's set is settled."""
    head = set(after) | (_reads(s.test) if isinstance(s, gast.While) else set())
    while True:
        body_in = _walk(s.body, set(head), dead, False)
        if isinstance(s, gast.For):
            body_in = body_in - _stores(s.target)
        new = head | body_in
        if new == head:
            break
        head = new
    _walk(s.body, set(head), dead, mark)
    _walk(s.orelse, set(after), dead, mark)
    return head | (_reads(s.iter) if isinstance(s, gast.For) else set())
