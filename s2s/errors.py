"""The exceptions s2s raises.

Types follow JAX where JAX has one (API misuse raises TypeError/ValueError); s2s's own
failures derive from `S2SError` *and* the built-in type a user would catch, so
`except SyntaxError` still catches an unsupported construct.
"""


class S2SError(Exception):
    """Base class of every error s2s raises for a problem in the user's program."""


class UnsupportedSyntaxError(S2SError, SyntaxError):
    """A construct s2s cannot transform (yet), located in the user's source.

    Attributes follow `SyntaxError` (`filename`, `lineno`, `offset`, `text`) so Python's
    traceback shows the offending line with a caret; `construct` names what was rejected.
    """

    def __init__(self, message, *, construct, filename=None, lineno=None, offset=None, text=None):
        where = f"{filename}, line {lineno}" if filename else f"line {lineno}"
        full = f"{message} [{construct}] at {where}"
        if text:
            full += f":\n    {text.strip()}"
        super().__init__(full, (filename, lineno, offset, text))
        self.construct = construct
        self.reason = message


class NoDerivativeRuleError(S2SError, NotImplementedError):
    """A NumPy (or other) function has no derivative rule for the requested transformation."""

    def __init__(self, message, *, function=None, filename=None, lineno=None, text=None):
        where = f" at {filename}, line {lineno}" if filename else ""
        full = f"{message}{where}"
        if text:
            full += f":\n    {text.strip()}"
        super().__init__(full)
        self.function = function
        self.filename = filename
        self.lineno = lineno


class SourceUnavailableError(S2SError, OSError):
    """The Python source of a function cannot be found (REPL, builtin, C extension)."""


class CompilationError(S2SError):
    """numba rejected the generated code; the message points at the user's line."""

    def __init__(self, message, *, filename=None, lineno=None, backend_message=None):
        super().__init__(message)
        self.filename = filename
        self.lineno = lineno
        self.backend_message = backend_message


__all__ = [
    "S2SError",
    "UnsupportedSyntaxError",
    "NoDerivativeRuleError",
    "SourceUnavailableError",
    "CompilationError",
]
