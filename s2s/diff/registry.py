"""Rule tables: one per transformation, keyed by the NumPy/math/builtin function object or
the gast operator class (JAX's tables, Tangent's templates).

A VJP rule is a small template function. Its parameters are, in order:

- `g`   the cotangent of the output (a placeholder: the output's adjoint variable),
- `ans` the output value,
- one parameter per differentiable positional input, named as NumPy names them
  (parameters *without* a default),
- options with defaults (`axis=None, keepdims=False`): the call's non-differentiable
  arguments, bound by position or keyword like the real function would.

It returns the contribution to each input's adjoint, in input order (a tuple when there
are several; `None` for an input that gets none). The body is plain NumPy that works for
scalars and arrays in Python *and* under numba, may use several statements and the helpers
of `s2s.diff.runtime` (e.g. `unbroadcast`). Because templates are ordinary functions, a
test can call them directly and compare with finite differences:

    @VJP_RULES.register(np.multiply, gast.Mult)
    def multiply(g, ans, x1, x2):
        return unbroadcast(g * x2, x1), unbroadcast(g * x1, x2)

The reverse-mode pass inlines the template at each call site: placeholders become the
actual names, local names get fresh ones, and each returned contribution is accumulated
into the input's adjoint. Registering a key twice, or a template whose parameters do not
follow this shape, is an error at import time.
"""
import inspect
from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    key: object
    template: object  # the template function
    inputs: tuple  # names of the differentiable positional inputs
    options: tuple  # (name, default) of the non-differentiable options
    kind: str = "template"  # JVP rules: 'template', 'linear' or 'multilinear'
    linear: tuple = ()  # linear/multilinear JVP rules: the inputs the function is linear in

    @property
    def name(self):
        return getattr(self.key, "__name__", None) or getattr(self.key, "__qualname__", None) or str(self.key)

    def bind(self, args, keywords):
        """{param: expression} for a call's positional `args` and `keywords` (a dict).

        Raises TypeError (with the reason) when the call does not fit the template.
        """
        names = list(self.inputs) + [n for n, _ in self.options]
        if len(args) > len(names):
            raise TypeError(f"{len(args)} positional arguments, the rule takes at most {len(names)}")
        bound = dict(zip(names, args))
        for k, v in keywords.items():
            if k not in names:
                raise TypeError(f"keyword argument {k!r} is not supported by the derivative rule")
            if k in bound:
                raise TypeError(f"argument {k!r} given twice")
            bound[k] = v
        missing = [n for n in self.inputs if n not in bound]
        if missing:
            raise TypeError(f"missing input(s) {', '.join(missing)}")
        return bound


class RuleTable:
    """A registry of templates for one transformation ('vjp', 'jvp', 'batch')."""

    def __init__(self, kind, leading=("g", "ans")):
        self.kind = kind
        self.leading = tuple(leading)
        self._rules = {}

    def register(self, *keys):
        """Decorator: register the template for every key (function objects or gast ops)."""
        if not keys:
            raise TypeError("register() needs at least one key")

        def decorate(template):
            rule_inputs, rule_options = self._check(template)
            for key in keys:  # all checked before any is inserted: no half-registered rule
                # A key may have one template per number of inputs (einsum's operands).
                if any(len(r.inputs) == len(rule_inputs) for r in self._rules.get(self._lookup_key(key), ())):
                    raise ValueError(f"{self.kind} rule for {key!r} registered twice")
            for key in keys:
                self._rules.setdefault(self._lookup_key(key), []).append(Rule(key, template, rule_inputs, rule_options))
            return template

        return decorate

    def _check(self, template):
        params = list(inspect.signature(template).parameters.values())
        names = [p.name for p in params]
        if tuple(names[: len(self.leading)]) != self.leading:
            raise TypeError(
                f"{self.kind} template {template.__name__!r} must start with parameters "
                f"{self.leading}, got {tuple(names)}"
            )
        rest = params[len(self.leading) :]
        inputs, options = [], []
        for p in rest:
            if p.kind not in (p.POSITIONAL_OR_KEYWORD, p.POSITIONAL_ONLY):
                raise TypeError(f"{self.kind} template {template.__name__!r}: *args/**kwargs/keyword-only not allowed")
            if p.default is p.empty:
                if options:
                    raise TypeError(f"{self.kind} template {template.__name__!r}: input {p.name!r} after an option")
                inputs.append(p.name)
            else:
                options.append((p.name, p.default))
        if not inputs:
            raise TypeError(f"{self.kind} template {template.__name__!r} has no differentiable input")
        return tuple(inputs), tuple(options)

    @staticmethod
    def _lookup_key(key):
        # Function objects are keyed by identity (ufuncs are not hashable by value anyway).
        return key if isinstance(key, type) else ("id", id(key))

    def variant(self, key):
        """Decorator: a template for `key` kept out of the table, which a registered rule's
        `@selects` check picks for some calls (`svd(a, compute_uv=False)` returns one array,
        not a tuple: another template). The template gets `s2s_rule`, its Rule."""
        def decorate(template):
            inputs, options = self._check(template)
            template.s2s_rule = Rule(key, template, inputs, options)
            return template
        return decorate

    def get(self, key, n_args=None):
        """The rule for `key`; with `n_args` (positional arguments at the call), the one with
        that many inputs when the key has several."""
        rules = self._rules.get(self._lookup_key(key))
        if not rules:
            return None
        if n_args is not None:
            for r in rules:
                if len(r.inputs) == n_args:
                    return r
        return rules[0]

    def variants(self, key):
        """All the rules for `key` (one per number of inputs)."""
        return list(self._rules.get(self._lookup_key(key), ()))

    def __contains__(self, key):
        return self._lookup_key(key) in self._rules

    def __len__(self):
        return len(self._rules)

    def rules(self):
        return [r for rules in self._rules.values() for r in rules]


VJP_RULES = RuleTable("vjp")


def supports(check):
    """Decorator for a template: `check(known)` returns why a call is not covered (or None).
    `known` maps the call's constant arguments (and defaults) by parameter name, and
    `"ndim:<param>"` to an input's number of dimensions where reverse mode knows it; the
    transformation raises NoDerivativeRuleError at the user's line with the reason."""
    def decorate(template):
        template.s2s_supports = check
        return template
    return decorate


def selects(choose):
    """Decorator for a template: `choose(known)` (`known` as for `supports`) returns a
    `variant` template to use instead at that call, or None to keep this one."""
    def decorate(template):
        template.s2s_selects = choose
        return template
    return decorate


class NonDifferentiable:
    """Functions whose result is a constant for differentiation (shapes, comparisons,
    integer-valued and creation functions): registered by object identity."""

    def __init__(self):
        self._ids = {}

    def register(self, *fns):
        for fn in fns:
            if id(fn) in self._ids:
                raise ValueError(f"{fn!r} registered as non-differentiable twice")
            self._ids[id(fn)] = fn

    def __contains__(self, fn):
        return id(fn) in self._ids and self._ids[id(fn)] is fn


NONDIFF = NonDifferentiable()


class JvpTable(RuleTable):
    """JVP rules (forward mode), three kinds:

    - a *template* `def multiply(ans, x1, x2, dx1, dx2): return dx1 * x2 + x1 * dx2`:
      `ans`, the differentiable inputs, one tangent `d<input>` per input (in input order),
      then options with defaults. It returns the output tangent, an expression *linear in
      the tangents*: the forward pass replaces the tangent of an inactive input by a
      symbolic zero and folds it away (`dx1 * x2 + x1 * 0` -> `dx1 * x2`), which is only
      sound because every sub-expression that mentions a tangent is linear in it.
    - `linear`: the function is linear in its differentiable inputs jointly (sum, reshape,
      concatenate, unbroadcast...): the tangent is the same call on the tangents (zeros for
      inactive inputs). Declared with a signature-only function.
    - `multilinear`: linear in each differentiable input separately (matmul, dot, einsum,
      outer): the tangent is the sum over active inputs of the call with that input
      replaced by its tangent.

    `nondiff=("x",)` on linear/multilinear marks inputs that are read for their value or
    shape only (einsum's subscripts, unbroadcast's `x`).
    """

    def __init__(self):
        super().__init__("jvp", leading=("ans",))

    def _check(self, template):
        inputs, options = super()._check(template)
        n = len(inputs) // 2
        if len(inputs) % 2 or tuple(inputs[n:]) != tuple("d" + p for p in inputs[:n]):
            raise TypeError(
                f"jvp template {template.__name__!r}: after `ans`, the inputs then one tangent "
                f"`d<input>` per input are expected, got {inputs}")
        return tuple(inputs[:n]), options

    def _declare(self, kind, keys, nondiff):
        def decorate(signature):
            params = list(inspect.signature(signature).parameters.values())
            inputs = tuple(p.name for p in params if p.default is p.empty)
            options = tuple((p.name, p.default) for p in params if p.default is not p.empty)
            unknown = set(nondiff) - set(inputs)
            if unknown:
                raise TypeError(f"{kind} rule {signature.__name__!r}: nondiff names {sorted(unknown)} are not inputs")
            for key in keys:
                if any(len(r.inputs) == len(inputs) for r in self._rules.get(self._lookup_key(key), ())):
                    raise ValueError(f"jvp rule for {key!r} registered twice")
            for key in keys:
                rule = Rule(key, signature, inputs, options, kind=kind,
                            linear=tuple(p for p in inputs if p not in nondiff))
                self._rules.setdefault(self._lookup_key(key), []).append(rule)
            return signature
        return decorate

    def linear(self, *keys, nondiff=()):
        """Decorator for a signature: `key` is linear in its (non-`nondiff`) inputs jointly."""
        return self._declare("linear", keys, nondiff)

    def multilinear(self, *keys, nondiff=()):
        """Decorator for a signature: `key` is linear in each (non-`nondiff`) input."""
        return self._declare("multilinear", keys, nondiff)


JVP_RULES = JvpTable()


def jvp_reference(rule, fn, args, tangents, options=None):
    """The output tangent of `fn(*args, **options)` by `rule`, evaluated directly in Python
    (for tests): `tangents` has one entry per input, None for an input held constant.
    Tuple-valued inputs (concatenate's `arrays`) take tuples of tangents."""
    import numpy as np

    options = dict(options or {})

    def zero(x):
        if isinstance(x, (tuple, list)):
            return type(x)(zero(e) for e in x)
        return np.zeros(np.shape(x)) if np.ndim(x) else 0.0

    if rule.kind == "template":
        ans = fn(*args, **options)
        ts = [zero(a) if t is None else t for a, t in zip(args, tangents)]
        return rule.template(ans, *args, *ts, **options)
    if rule.kind == "linear":
        call = [
            t if p in rule.linear and t is not None else zero(a) if p in rule.linear else a
            for p, a, t in zip(rule.inputs, args, tangents)
        ]
        return fn(*call, **options)
    total = None
    for i, (p, t) in enumerate(zip(rule.inputs, tangents)):
        if p in rule.linear and t is not None:
            term = fn(*args[:i], t, *args[i + 1:], **options)
            total = term if total is None else total + term
    return total if total is not None else zero(fn(*args, **options))


class OutputStructures:
    """NumPy functions whose result is a tuple or a list of arrays (`w, v = np.linalg.eigh(a)`,
    `np.split`'s pieces), keyed by function identity. `register(*keys)` decorates
    `count(known)`: `known` maps the parameter names of the function's VJP rule to the
    call's constant arguments (options' defaults included; a list literal assigned to a
    name counts as its length's worth of `None`s); it returns `(kind, n)` -- "tuple" or
    "list" of n arrays -- or None for a single array (`svd(a, compute_uv=False)`) or a count
    unknown at the call. Such results get one adjoint/tangent variable per element (see
    pytrees.py); the rule's `g` is the tuple/list of the elements' cotangents (zeros for an
    unused one), `ans` the tuple/list, and a JVP rule returns a tuple/list of tangents."""

    def __init__(self):
        self._fns = {}

    def register(self, *keys):
        def decorate(count):
            for key in keys:
                if id(key) in self._fns:
                    raise ValueError(f"output structure of {key!r} registered twice")
                self._fns[id(key)] = (key, count)
            return count
        return decorate

    def count(self, key, known):
        entry = self._fns.get(id(key))
        return entry[1](known) if entry is not None and entry[0] is key else None

    def variants(self, key):
        """All the rules for `key` (one per number of inputs)."""
        return list(self._rules.get(self._lookup_key(key), ()))

    def __contains__(self, key):
        entry = self._fns.get(id(key))
        return entry is not None and entry[0] is key


OUTPUTS = OutputStructures()
