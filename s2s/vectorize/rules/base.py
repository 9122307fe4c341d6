"""The batch-rule table, the abstract values array batching tracks, and what a rule sees.

A *batch rule* rewrites one operation of the per-example program into its batched form
(JAX's batching rules, as source). Every batched value carries the batch along axis 0, so
a rule only has to know, for each operand, whether it is batched and its per-example rank:

    @batch_rule(np.sum)
    def sum_(c, a, axis=None, ...):      # c: the call site; a: an Operand
        ...
        return c.out(f"{c.np}.sum({a}, axis={shifted})", rank)

A rule's parameters after `c` are the call's arguments, bound by position and keyword like
the real function (a call that does not fit makes the function unbatchable here); an
argument the call leaves out keeps the rule's default. A rule returns `c.out(text, rank)`
(the batched expression) or `c.keep(rank)` (the call stays as it is: nothing it reads is
batched). Rules are called for unbatched calls too, to tell the rank of the result. A rule
that cannot express a call raises with `c.fail(why)`; array batching then gives up and
vmap uses loop batching.

`BATCH_RULES` is keyed by the NumPy function object, the builtin/`math` function, the gast
operator class (`gast.Add`, `gast.USub`, `gast.Lt`), or `operator.getitem` / `setitem`
for subscripts. Registering a key twice is an error.
"""
import inspect

from ...naming import NUMPY_ALIAS

BATCH_RULES = {}


class CannotBatch(Exception):
    """Array batching cannot express this program (an internal signal: vmap falls back to
    loop batching, or reports it for strategy="array")."""

    def __init__(self, message, node=None, construct=None):
        super().__init__(message)
        self.node, self.construct, self.ctx, self.fatal = node, construct or message, None, False


def register(keys, rule):
    for key in keys:
        if key in BATCH_RULES:
            raise ValueError(f"a batch rule for {key!r} is already registered")
        BATCH_RULES[key] = rule
    return rule


def batch_rule(*keys):
    """Decorator: `rule` batches every function/operator in `keys`."""
    return lambda rule: register(keys, rule)


def key_name(key):
    if isinstance(key, type):
        return key.__name__
    module = getattr(key, "__module__", None) or ""
    name = getattr(key, "__name__", None) or repr(key)
    if isinstance(module, str) and module.startswith("numpy") or type(key).__name__ == "ufunc":
        return f"np.{name}"
    if module == "math":
        return f"math.{name}"
    return name


# -- abstract values ----------------------------------------------------------------------
class Arr:
    """An array or scalar: batched (axis 0 is the batch) or not, its per-example `rank`
    (None: unknown), dtype `kind` ('b', 'i', 'f', 'c' or None) and whether it may be a view
    of an argument (`view`)."""

    __slots__ = ("batched", "rank", "kind", "view")

    def __init__(self, batched, rank, kind=None, view=False):
        self.batched, self.rank, self.kind, self.view = bool(batched), rank, kind, bool(view)

    def _t(self):
        return (self.batched, self.rank, self.kind, self.view)

    def __eq__(self, other):
        return isinstance(other, Arr) and self._t() == other._t()

    def __hash__(self):
        return hash(self._t())

    def __repr__(self):
        return f"Arr({'B' if self.batched else 'U'}, rank={self.rank}, kind={self.kind})"

    def but(self, **kw):
        t = dict(zip(self.__slots__, self._t()))
        t.update(kw)
        return Arr(**t)


class Other:
    """An unbatched value that is not an array: a dtype, string, slice, function, range...
    `value` is the Python object when known (a NumPy function referred to by name)."""

    __slots__ = ("value",)
    batched = False
    rank = None
    kind = None

    def __init__(self, value=None):
        self.value = value

    def __eq__(self, other):
        return isinstance(other, Other) and self.value is other.value

    def __hash__(self):
        return hash(id(self.value))

    def __repr__(self):
        return "Other()"


class Cont:
    """A tuple, list or dict whose elements are known: `items` are abstract values."""

    __slots__ = ("kind", "keys", "items")
    rank = None

    def __init__(self, kind, keys, items):
        self.kind, self.keys, self.items = kind, tuple(keys), tuple(items)

    @property
    def batched(self):
        return any(i.batched for i in self.items)

    def __eq__(self, other):
        return isinstance(other, Cont) and (self.kind, self.keys, self.items) == (other.kind, other.keys, other.items)

    def __hash__(self):
        return hash((self.kind, self.keys, self.items))

    def __repr__(self):
        return f"Cont({self.kind}, {list(self.items)})"

    def item(self, key):
        if self.kind != "dict" and isinstance(key, int) and -len(self.keys) <= key < len(self.keys):
            key %= len(self.keys)
        return self.items[self.keys.index(key)] if key in self.keys else None


class _Bottom:
    """No value yet (a name not assigned on any path seen so far)."""

    batched = False
    rank = None
    kind = None

    def __repr__(self):
        return "BOTTOM"


BOTTOM = _Bottom()


def join(a, b):
    """The abstract value of a variable that holds `a` on one path and `b` on another."""
    if a is BOTTOM:
        return b
    if b is BOTTOM or a == b:
        return a
    if isinstance(a, Arr) and isinstance(b, Arr):
        return Arr(a.batched or b.batched, a.rank if a.rank == b.rank else None, a.kind if a.kind == b.kind else None,
                   a.view or b.view)
    if isinstance(a, Cont) and isinstance(b, Cont) and (a.kind, a.keys) == (b.kind, b.keys):
        return Cont(a.kind, a.keys, [join(x, y) for x, y in zip(a.items, b.items)])
    if a.batched or b.batched:
        raise CannotBatch("a variable holds different kinds of values (an array and a container) on different paths, "
                          "one of them mapped", construct="a variable that changes kind")
    return Other()


def is_bottom(d):
    return d is BOTTOM


def desc_of_value(value):
    """The abstract value of a constant the code reads (a global array, a number...)."""
    import numpy as np

    if isinstance(value, (bool, np.bool_)):
        return Arr(False, 0, "b")
    if isinstance(value, (int, float, complex, np.generic)):
        return Arr(False, 0, np.asarray(value).dtype.kind)
    if isinstance(value, np.ndarray):
        return Arr(False, value.ndim, value.dtype.kind)
    if isinstance(value, (tuple, list)) and all(isinstance(v, (int, float, bool, np.ndarray)) for v in value):
        return Cont("tuple" if isinstance(value, tuple) else "list", range(len(value)),
                    [desc_of_value(v) for v in value])
    return Other(value)


# -- what a rule sees -------------------------------------------------------------------------
_MISSING = object()


class Operand:
    """One argument of a call: its (rewritten) source text and abstract value; `value` is
    the Python constant for a literal (or _MISSING); `items` the elements of a container."""

    def __init__(self, text, desc, value=_MISSING, items=None, role="value"):
        self.text, self.desc, self.value, self._items, self.role = text, desc, value, items, role

    def __str__(self):
        return self.text

    def __repr__(self):
        return f"Operand({self.text!r}, {self.desc!r})"

    @property
    def batched(self):
        return self.desc.batched

    @property
    def rank(self):
        return self.desc.rank

    @property
    def kind(self):
        return getattr(self.desc, "kind", None)

    @property
    def is_const(self):
        return self.value is not _MISSING

    def items(self):
        """The elements of a tuple/list operand, as Operands (None if unknown)."""
        if self._items is not None:
            return self._items
        if isinstance(self.desc, Cont) and self.desc.kind != "dict":
            return [Operand(f"{self.text}[{k}]", d) for k, d in zip(self.desc.keys, self.desc.items)]
        return None


class Out:
    """A rule's result: `text` (None: keep the call as written) and its abstract value."""

    __slots__ = ("text", "desc")

    def __init__(self, text, desc):
        self.text, self.desc = text, desc


class Site:
    """A call (or operator) being batched, as its rule sees it."""

    np = NUMPY_ALIAS

    def __init__(self, batcher, node, name, operands, func_text=None):
        self._b = batcher
        self.node = node
        self.name = name
        self.func = func_text
        self.operands = operands
        self.batched = any(o.batched for o in operands)

    # results
    def out(self, text, rank, kind=None, batched=True, view=False):
        return Out(text, Arr(batched, rank, kind, view))

    def keep(self, rank=None, kind=None, view=False):
        return Out(None, Arr(False, rank, kind, view))

    def fail(self, why):
        raise CannotBatch(f"{self.name}: {why}", self.node, construct=self.name)

    # what the rewritten function provides
    @property
    def n(self):
        """The batch size (a local of the batched function)."""
        return self._b.batch_size()

    def let(self, text, hint="t"):
        """A fresh local assigned `text` before the current statement; its name."""
        return self._b.let(text, hint, self.node)

    def helper(self, name):
        """The module-level name of the runtime helper `name` (s2s/vectorize/runtime.py)."""
        return self._b.helper(name)

    def constant(self, fn):
        """The module-level name of the function object `fn` (an s2s runtime helper)."""
        return self._b.b.program.constant(fn, fn.__name__)

    def batch(self, template, **ops):
        """The batched form of the per-example expression `template`, whose `{name}`
        placeholders are the operands `ops` (rules that expand into other operations)."""
        return self._b.batch_template(template, ops, self.node)

    # operand helpers
    def const(self, op, what, default=None):
        """The Python value of a literal argument (`op` may be a rule default)."""
        if not isinstance(op, Operand):
            return op if op is not None else default
        if not op.is_const:
            self.fail(f"{what} must be a literal for array batching")
        return op.value

    def need_rank(self, *ops):
        for op in ops:
            if isinstance(op, Operand) and op.rank is None:
                self.fail(f"the number of dimensions of {op.text!r} is not known")

    def expand(self, op, rank):
        """`op` (batched, per-example rank r) with `rank - r` new axes after the batch axis,
        so NumPy's right-aligned broadcasting keeps the batch axis first."""
        if not op.batched or op.rank == rank:
            return op.text
        self.need_rank(op)
        if op.rank > rank:
            self.fail(f"cannot align {op.text!r} (rank {op.rank}) to rank {rank}")
        return f"{op.text}[:{', None' * (rank - op.rank)}]"

    def bcast(self, op):
        """An unbatched operand as a batched one (a fresh, writable array)."""
        if op.batched:
            return op.text
        self.need_rank(op)
        if op.rank == 0:
            return f"{self.np}.full({self.n}, {op.text})"
        text = op.text if op.text.isidentifier() else self.let(op.text, "value")
        return f"{self.np}.broadcast_to({text}, ({self.n},) + {text}.shape).copy()"

    def broadcast(self, ops):
        """(texts, rank) of elementwise operands aligned for broadcasting."""
        ranks = [o.rank for o in ops]
        if None in ranks:
            if self.batched:
                self.need_rank(*ops)
            return [o.text for o in ops], None
        rank = max(ranks) if ranks else 0
        return [self.expand(o, rank) for o in ops], rank

    @staticmethod
    def shift(axis):
        """A per-example axis as an axis of the batched value (negative axes stay)."""
        if isinstance(axis, (tuple, list)):
            return tuple(a + 1 if a >= 0 else a for a in axis)
        return axis + 1 if axis >= 0 else axis


def bind(rule, site, operands, keywords):
    """Call `rule` for `site` with the call's operands bound to its parameters."""
    try:
        bound = inspect.signature(rule).bind(site, *operands, **keywords)
    except TypeError as exc:
        site.fail(f"a call the batch rule does not take ({exc})")
    return rule(*bound.args, **bound.kwargs)
