"""A dict given a new key gets a new name, so each name holds one structure.

Derivative code follows containers by their structure, one per variable (diff/pytrees.py):
a dict built empty and filled key by key -- the usual way to collect named results --
would hold several. Where the filling is plain straight-line code, each store at a new
constant key becomes a new dict literal under a new name, and the code after it uses that
name:

>>> print(show_grow_dicts('''
... def f(x):
...     out = {}
...     out["sq"] = x * x
...     out["sin"] = np.sin(out["sq"])
...     return out
... '''))
def f(x):
    out_sq_1 = x * x
    out_1 = {'sq': out_sq_1}
    out_sq = out_1['sq']
    out_sq_2 = out_1['sq']
    out_sin = _np.sin(out_sq)
    out_2 = {'sq': out_sq_2, 'sin': out_sin}
    return out_2

Only stores into a dict made by a literal of constant keys and not passed anywhere before
(a store would change what an alias sees), in straight-line code or in the branches of an
`if`: when every branch that gets past the `if` leaves the dict with the same keys in the
same order, each ends by making it under one new name (a branch ending in `return` or
`raise` does not count; a dict nothing reads after the `if` needs no agreement). A store in
a loop, or in branches that disagree, is left alone: reverse mode refuses it, saying why.
"""
import gast


from ..parse.base import assign, clone, FunctionPass, load, located, walk
from .pytrees import _const, _const_key


class GrowDicts(FunctionPass):
    name = "grow_dicts"
    description = "d = {}; d['k'] = v -> d_1 = {'k': v}: a dict given a new key gets a new name"

    def run(self):
        self.base = {}  # a new name -> the user's name it stands for (out_1, out_2: out)
        self.started = set()  # the literals a chain of stores started from
        body, _ = self._scan(list(self.ctx.tree.body), {}, set(), {}, set())
        # The literal a chain of stores started from, when nothing reads it any more (numba
        # cannot type an empty dict that is never filled).
        read = {n.id for s in body for n in walk(s) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)}
        self.ctx.tree.body = [s for s in body if not (id(s) in self.started and s.targets[0].id not in read)]
        return self.ctx.tree

    def _scan(self, stmts, known, escaped, origin, later):
        """`stmts` with the growths rewritten; `known` (dict name -> its keys in order) and
        `escaped` (names passed on) updated to their state after them; `later`: the names
        read after them. Returns the new statements and the renames {name before: name
        after} they made."""
        renames, later = {}, set(later)  # (renamed as the statements after are)
        for i, s in enumerate(stmts):
            if isinstance(s, gast.If):
                merged = self._branches(s, known, escaped, origin, later | _reads(stmts[i + 1:]))
                if merged is not None:
                    stmts[i] = merged[0]
                    for old, new in merged[1].items():
                        _Rename(old, new).visit_all(stmts[i + 1:])
                        _compose(renames, old, new)
                        later = (later - {old}) | {new} if old in later else later
                    continue
            grown = self._growth(s, known, escaped)
            if grown is None:
                self._note(s, known, escaped)
                if isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name) and s.targets[0].id in known:
                    origin[s.targets[0].id] = s
                continue
            name, key, value = grown
            if name not in self.base and name in origin:
                self.started.add(id(origin[name]))
            keys = known.pop(name)
            new = self.ctx.namer.fresh(self.base.get(name, name))
            self.base[new] = self.base.get(name, name)
            stmts[i] = self._literal(new, name, keys, [(key, value)], s)
            _Rename(name, new).visit_all(stmts[i + 1:])
            _compose(renames, name, new)
            later = (later - {name}) | {new} if name in later else later
            known[new] = keys + [key]
        return [t for s in stmts for t in (s if isinstance(s, list) else [s])], renames

    def _literal(self, new, name, keys, added, s):
        """`new = {k: name[k] for k in keys} | added` as statements of the normalized form
        derivatives read: a literal of names (one per element)."""
        parts, values = [], []
        for k, v in [(k, gast.Subscript(value=load(name), slice=_const(k), ctx=gast.Load())) for k in keys] + added:
            if not isinstance(v, (gast.Name, gast.Constant)):
                tmp = self.ctx.namer.fresh(f"{self.base[new]}_{k}" if isinstance(k, str) and k.isidentifier()
                                           else f"{self.base[new]}_item")
                parts.append(assign(tmp, v, s))
                v = load(tmp)
            values.append(v)
        literal = gast.Dict(keys=[_const(k) for k in keys + [k for k, _ in added]], values=values)
        for n in walk(literal):
            located(n, s)
        return parts + [assign(new, literal, s)]

    def _branches(self, s, known, escaped, origin, later):
        """(the `if` with its growths rewritten, renames after it) when both branches leave
        each dict they grow and the code after reads with the same keys in the same order
        (a branch ending in return or raise does not count): each branch ends by making it
        under one new name. None (and nothing changed) otherwise; `later`: the names read
        after the `if`."""
        states = []
        for branch in (s.body, s.orelse):
            k, e, o = {n: list(v) for n, v in known.items()}, set(escaped), dict(origin)
            stmts, renames = self._scan(clone(branch), k, e, o, later)
            states.append((stmts, renames, k, e))
        grown = sorted({n for _, renames, _, _ in states for n in renames})
        if not grown:
            return None
        through = [st for st in states if not (st[0] and isinstance(st[0][-1], (gast.Return, gast.Raise)))]
        merged = {}
        for name in grown:
            if name not in later:
                continue  # nothing after the `if` reads it
            finals = [(st, st[1].get(name, name)) for st in through]
            keys = [st[2].get(final) for st, final in finals]
            if any(k is None or k != keys[0] for k in keys) or any(final in st[3] for st, final in finals):
                return None  # the branches leave it different: reverse mode refuses the store
            merged[name] = keys[0] if keys else None
        renames = {}
        for name, keys in merged.items():
            if keys is None:
                continue  # no branch gets past the `if`
            new = self.ctx.namer.fresh(self.base.get(name, name))
            self.base[new] = self.base.get(name, name)
            for st in through:
                st[0].extend(self._literal(new, st[1].get(name, name), keys, [], s))
            renames[name] = new
        s.body, s.orelse = states[0][0], states[1][0]
        self._note(s, known, escaped)
        for name in grown:
            known.pop(name, None)
        for name, new in renames.items():
            known[new] = merged[name]
            escaped.discard(new)
        return s, renames

    @staticmethod
    def _growth(s, known, escaped):
        """(dict name, new key, value) when `s` is `d[k] = v` at a key d does not have yet."""
        if not (isinstance(s, gast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], gast.Subscript)):
            return None
        target = s.targets[0]
        if not isinstance(target.value, gast.Name) or target.value.id not in known or target.value.id in escaped:
            return None
        key = _const_key(target.slice)
        if key is None or key in known[target.value.id]:
            return None
        return target.value.id, key, s.value

    @staticmethod
    def _note(s, known, escaped):
        """What `s` tells about the dicts: made by a literal, rebound, or passed on."""
        if isinstance(s, gast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], gast.Name):
            name = s.targets[0].id
            if isinstance(s.value, gast.Dict) and all(_const_key(k) is not None for k in s.value.keys):
                known[name] = [k.value for k in s.value.keys]
                escaped.discard(name)
                _passed_on(s.value, known, escaped)
                return
        for n in walk(s):
            if isinstance(n, gast.Name) and isinstance(n.ctx, (gast.Store, gast.Del)):
                known.pop(n.id, None)
        _passed_on(s, known, escaped)


def _passed_on(node, known, escaped):
    """Mark the known dicts `node` uses other than by reading or storing an element."""
    inside = set()
    for n in walk(node):
        if isinstance(n, gast.Subscript) and isinstance(n.value, gast.Name):
            inside.add(id(n.value))
    for n in walk(node):
        if isinstance(n, gast.Name) and n.id in known and isinstance(n.ctx, gast.Load) and id(n) not in inside:
            escaped.add(n.id)


def _compose(renames, old, new):
    """Record `old -> new` in `renames` (keyed by the names before the first rename)."""
    for k, v in renames.items():
        if v == old:
            renames[k] = new
            return
    renames[old] = new


def _reads(stmts):
    return {n.id for s in stmts for n in walk(s) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)}


class _Rename(gast.NodeTransformer):
    def __init__(self, old, new):
        self.old, self.new = old, new

    def visit_all(self, stmts):
        for s in stmts:
            self.visit(s)

    def visit_Name(self, node):
        if node.id == self.old:
            node.id = self.new
        return node


def show_grow_dicts(text):
    """Doctest helper: the function in `text` after the pipeline and this pass."""
    from ..parse.debug import show_program

    return show_program(text, extra=[GrowDicts])
