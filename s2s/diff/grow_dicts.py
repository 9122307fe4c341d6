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

Only stores in the function's top-level statements, into a dict made there by a literal of
constant keys and not passed anywhere before (a store would change what an alias sees).
A store inside a loop or a branch is left alone: reverse mode refuses it, saying why.
"""
import gast

from ..parse.base import FunctionPass, assign, load, located
from .pytrees import _const, _const_key


class GrowDicts(FunctionPass):
    name = "grow_dicts"
    description = "d = {}; d['k'] = v -> d_1 = {'k': v}: a dict given a new key gets a new name"

    def run(self):
        stmts = list(self.ctx.tree.body)
        known, escaped = {}, set()  # dict name -> its keys (in order); names passed on
        base = {}  # a new name -> the user's name it stands for (out_1, out_2: out)
        origin, started = {}, set()  # dict name -> the literal that made it; those grown
        for i, s in enumerate(stmts):
            grown = self._growth(s, known, escaped)
            if grown is None:
                self._note(s, known, escaped)
                if isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name) and s.targets[0].id in known:
                    origin[s.targets[0].id] = s
                continue
            name, key, value = grown
            if name not in base:
                started.add(id(origin[name]))
            keys = known.pop(name)
            new = self.ctx.namer.fresh(base.get(name, name))
            base[new] = base.get(name, name)
            # In the normalized form derivatives read: a literal of names (one per element).
            parts, values = [], []
            for k, v in [(k, gast.Subscript(value=load(name), slice=_const(k), ctx=gast.Load())) for k in keys] \
                    + [(key, value)]:
                if not isinstance(v, (gast.Name, gast.Constant)):
                    tmp = self.ctx.namer.fresh(f"{base[new]}_{k}" if isinstance(k, str) and k.isidentifier()
                                               else f"{base[new]}_item")
                    parts.append(assign(tmp, v, s))
                    v = load(tmp)
                values.append(v)
            literal = gast.Dict(keys=[_const(k) for k in keys + [key]], values=values)
            for n in gast.walk(literal):
                located(n, s)
            stmts[i] = parts + [assign(new, literal, s)]
            _Rename(name, new).visit_all(stmts[i + 1:])
            known[new] = keys + [key]
        body = [t for s in stmts for t in (s if isinstance(s, list) else [s])]
        # The literal a chain of stores started from, when nothing reads it any more (numba
        # cannot type an empty dict that is never filled).
        read = {n.id for s in body for n in gast.walk(s) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)}
        self.ctx.tree.body = [s for s in body if not (id(s) in started and s.targets[0].id not in read)]
        return self.ctx.tree

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
        for n in gast.walk(s):
            if isinstance(n, gast.Name) and isinstance(n.ctx, (gast.Store, gast.Del)):
                known.pop(n.id, None)
        _passed_on(s, known, escaped)


def _passed_on(node, known, escaped):
    """Mark the known dicts `node` uses other than by reading or storing an element."""
    inside = set()
    for n in gast.walk(node):
        if isinstance(n, gast.Subscript) and isinstance(n.value, gast.Name):
            inside.add(id(n.value))
    for n in gast.walk(node):
        if isinstance(n, gast.Name) and n.id in known and isinstance(n.ctx, gast.Load) and id(n) not in inside:
            escaped.add(n.id)


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
