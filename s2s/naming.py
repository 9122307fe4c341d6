"""Deterministic naming, in one place.

A `Namer` reserves every name already in use (locals, parameters, globals the code reads,
builtins, module-level names of the generated module) and hands out fresh ones by adding a
counter to a readable hint: ``exp_x``, ``exp_x_1``, ... Derivative names follow Griewank and
Tangent: ``bx`` is the adjoint of ``x``, ``dx`` its tangent. No randomness: the same input
gives byte-identical output.
"""
import builtins
import keyword
import re

_IDENT = re.compile(r"[^0-9a-zA-Z_]+")

# Private aliases the generated module imports; never depend on the user's alias.
NUMPY_ALIAS = "_np"
MATH_ALIAS = "_math"

MAX_HINT = 24


def sanitize(hint, keep_leading_underscore=False):
    """A valid, short identifier derived from `hint` (which may be any text).

    Temporaries drop leading underscores (`_bump(c)` gives `bump_c`); module-level names
    keep them, so a user's private helper `_helper` stays `_helper`.
    """
    name = _IDENT.sub("_", str(hint)).rstrip("_")
    if not keep_leading_underscore:
        name = name.lstrip("_")
    name = name or "t"
    if name[0].isdigit():
        name = "t" + name
    if len(name) > MAX_HINT:
        name = name[:MAX_HINT].rstrip("_")
    if keyword.iskeyword(name):
        name += "_"
    return name


class Namer:
    """Hands out unique, deterministic names; everything ever returned is reserved."""

    def __init__(self, reserved=(), parent=None, local=()):
        self.parent = parent
        self._used = set(reserved)
        # A program-level (module) name must not be shadowed by any function's local:
        # `local` are the names a scope binds itself (others may be the globals it reads).
        self._local = set(local)
        self._children = []
        if parent is not None:
            parent._children.append(self)

    def reserve(self, *names):
        self._used.update(names)

    def is_used(self, name):
        if name in self._used or any(c._used_below(name) for c in self._children):
            return True
        return self.parent is not None and self.parent._used_above(name)

    def _used_above(self, name):
        return name in self._used or (self.parent is not None and self.parent._used_above(name))

    def _used_below(self, name):
        return name in self._local or any(c._used_below(name) for c in self._children)

    def fresh(self, hint="t", keep_leading_underscore=False):
        base = sanitize(hint, keep_leading_underscore)
        name, n = base, 0
        while self.is_used(name) or keyword.iskeyword(name) or hasattr(builtins, name):
            n += 1
            name = f"{base}_{n}"
        self._used.add(name)
        self._local.add(name)
        return name

    def child(self, reserved=()):
        """A namer for a nested scope: sees this one's names, adds its own."""
        return Namer(reserved, parent=self)


def adjoint_name(name):
    """Name of the adjoint (reverse-mode derivative) of variable `name`."""
    return "b" + name


def tangent_name(name):
    """Name of the tangent (forward-mode derivative) of variable `name`."""
    return "d" + name


class LocalNames:
    """Names for a generated wrapper's locals that none of the wrapped function's parameters
    uses (`n` must not shadow a parameter `n`): `L["res"]` is `res`, or `res_1` if taken."""

    def __init__(self, params):
        self.taken, self.made = set(params), {}

    def __getitem__(self, base):
        if base not in self.made:
            name, k = base, 0
            while name in self.taken:
                k += 1
                name = f"{base}_{k}"
            self.taken.add(name)
            self.made[base] = name
        return self.made[base]
