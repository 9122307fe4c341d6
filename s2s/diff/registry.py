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
