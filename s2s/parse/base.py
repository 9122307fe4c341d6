"""The base class of every pass, and small gast helpers the passes share."""
import gast


class FunctionPass(gast.NodeTransformer):
    """A pass over one function's tree. Subclasses set `name` and `description`.

    `run()` transforms `ctx.tree` in place (and returns it). Statement visitors may return a
    list of statements to replace one statement with several.
    """

    name = None
    description = None

    def __init__(self, ctx):
        self.ctx = ctx

    def run(self):
        self.ctx.tree = self.visit(self.ctx.tree)
        gast.fix_missing_locations(self.ctx.tree)
        return self.ctx.tree


def located(new, old):
    """`new` with `old`'s source location (the user's line follows generated statements)."""
    gast.copy_location(new, old)
    if hasattr(old, "end_lineno"):
        new.end_lineno = getattr(old, "end_lineno", None)
        new.end_col_offset = getattr(old, "end_col_offset", None)
    return new


def load(name):
    return gast.Name(id=name, ctx=gast.Load(), annotation=None, type_comment=None)


def store(name):
    return gast.Name(id=name, ctx=gast.Store(), annotation=None, type_comment=None)


def assign(target, value, like):
    """`target = value` located at `like`; `target` may be a str or a Store node."""
    if isinstance(target, str):
        target = store(target)
    return located(gast.Assign(targets=[target], value=value, type_comment=None), like)


def attribute_path(node):
    """'a.b.c' for a chain of attributes on a Name, else None."""
    parts = []
    while isinstance(node, gast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, gast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def dotted(path, like=None):
    """The expression `a.b.c` (Load) for the path 'a.b.c'."""
    parts = path.split(".")
    node = load(parts[0])
    for p in parts[1:]:
        node = gast.Attribute(value=node, attr=p, ctx=gast.Load())
    if like is not None:
        for n in gast.walk(node):
            located(n, like)
    return node


def function_locals(fn_node):
    """Names local to `fn_node` (parameters and names it stores), not descending into
    nested functions except for their names."""
    args = fn_node.args
    names = set()
    for a in args.posonlyargs + args.args + args.kwonlyargs + [args.vararg, args.kwarg]:
        if a is not None:
            names.add(a.id)

    def visit(node):
        for child in gast.iter_child_nodes(node):
            if isinstance(child, (gast.FunctionDef, gast.AsyncFunctionDef, gast.ClassDef)):
                names.add(child.name)
                # Defaults and decorators are evaluated in this scope.
                for d in child.args.defaults + [d for d in child.args.kw_defaults if d] if hasattr(child, "args") else []:
                    visit(d)
                continue
            if isinstance(child, gast.Lambda):
                continue
            if isinstance(child, gast.Name) and isinstance(child.ctx, (gast.Store, gast.Del)):
                names.add(child.id)
            visit(child)

    for stmt in fn_node.body:
        visit_stmt = gast.Module(body=[stmt], type_ignores=[])
        visit(visit_stmt)
    return names
