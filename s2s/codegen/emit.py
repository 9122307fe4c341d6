"""gast tree -> readable, deterministic Python source, with a map back to the user's lines.

Simple statements are printed by `ast.unparse`; compound ones (`def`, `if`, `for`, `while`)
are printed here so that every generated line can be traced to the user's file and line,
which is what error messages (and `# <line>` comments) need. When the statements made from
one user line read differently from that line, the line is shown above them as a comment:

    # x.py:12: y = np.exp(np.sin(x))
    sin_x = _np.sin(x)
    y = _np.exp(sin_x)
"""
import ast
import os
import re

import gast

INDENT = "    "
_PREFIX = re.compile(r"\b[A-Za-z_]\w*\.(?=[A-Za-z_])|\s+")


def _same_code(a, b):
    """Equal up to whitespace and module prefixes (np.exp vs _np.exp): no comment needed."""
    return _PREFIX.sub("", a).replace('"', "'") == _PREFIX.sub("", b).replace('"', "'")


def _unparse(node):
    return ast.unparse(gast.gast_to_ast(node))


class SourceWriter:
    """Accumulates lines and the user location (filename, lineno) of each."""

    def __init__(self):
        self.lines = []
        self.origins = {}  # 1-based generated line -> (filename, lineno)

    def write(self, text, origin=None):
        for piece in text.split("\n"):
            self.lines.append(piece)
            if origin is not None:
                self.origins[len(self.lines)] = origin

    def text(self):
        return "\n".join(self.lines) + "\n"


class FunctionEmitter:
    """Prints one function (and the functions nested in it)."""

    def __init__(self, writer, filename, line_of, comments=True):
        self.w = writer
        self.filename = filename
        self.line_of = line_of  # lineno -> user's text
        self.comments = comments
        self._last_commented = None

    def origin(self, node):
        lineno = getattr(node, "lineno", None)
        return (self.filename, lineno) if lineno else None

    def _comment(self, node, generated, depth):
        """Show the user's line above the code made from it, when the two differ; code
        a derivative pass made carries a prefix (`# grad of: ...`) and is always labelled."""
        if not self.comments:
            return
        lineno = getattr(node, "lineno", None)
        prefix = getattr(node, "s2s_prefix", None)
        key = (prefix, lineno)
        if not lineno or key == self._last_commented:
            return
        user = self.line_of(lineno).strip()
        self._last_commented = key
        if not user or user.startswith("#"):
            return
        base = os.path.basename(self.filename)
        if prefix:
            self.w.write(f"{INDENT * depth}# {prefix}: {base}:{lineno}: {user}", self.origin(node))
        elif not _same_code(user, generated):
            self.w.write(f"{INDENT * depth}# {base}:{lineno}: {user}", self.origin(node))

    def function(self, node, depth=0):
        args = ast.unparse(gast.gast_to_ast(node.args))
        header = f"def {node.name}({args}):"
        self.w.write(INDENT * depth + header, self.origin(node))
        doc = getattr(node, "s2s_doc", None)
        if doc:
            self.w.write(f'{INDENT * (depth + 1)}"""{doc}"""', self.origin(node))
        self.block(node.body, depth + 1)

    def block(self, stmts, depth):
        if not stmts:
            self.w.write(INDENT * depth + "pass")
        for s in stmts:
            self.statement(s, depth)

    def statement(self, node, depth):
        pad = INDENT * depth
        if isinstance(node, gast.FunctionDef):
            self.function(node, depth)
        elif isinstance(node, gast.If):
            self._if(node, depth, "if")
        elif isinstance(node, gast.While):
            self._loop(node, depth, f"while {_unparse(node.test)}:")
        elif isinstance(node, gast.For):
            self._loop(node, depth, f"for {_unparse(node.target)} in {_unparse(node.iter)}:")
        else:
            text = _unparse(node)
            self._comment(node, text, depth)
            self.w.write("\n".join(pad + t for t in text.split("\n")), self.origin(node))
            # A multi-line simple statement maps every line to the same origin.
            if "\n" in text:
                n = text.count("\n") + 1
                for k in range(n):
                    self.w.origins[len(self.w.lines) - k] = self.origin(node)

    def _loop(self, node, depth, head):
        pad = INDENT * depth
        self._comment(node, head, depth)
        self.w.write(pad + head, self.origin(node))
        self.block(node.body, depth + 1)
        if node.orelse:
            self.w.write(pad + "else:", self.origin(node))
            self.block(node.orelse, depth + 1)

    def _if(self, node, depth, keyword):
        pad = INDENT * depth
        head = f"{keyword} {_unparse(node.test)}:"
        self._comment(node, head, depth)
        self.w.write(pad + head, self.origin(node))
        self.block(node.body, depth + 1)
        orelse = node.orelse
        if len(orelse) == 1 and isinstance(orelse[0], gast.If) and getattr(orelse[0], "s2s_elif", True):
            self._if(orelse[0], depth, "elif")
        elif orelse:
            self.w.write(pad + "else:", self.origin(node))
            self.block(orelse, depth + 1)
