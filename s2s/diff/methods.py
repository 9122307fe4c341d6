"""Array methods and attributes -> the NumPy functions the rule tables know.

>>> from s2s.diff.methods import show_methods
>>> print(show_methods('''
... def f(x, w):
...     s = x.sum(axis=0)
...     t = w.T
...     return s.dot(t)
... '''))
def f(x, w):
    s = _np.sum(x, axis=0)
    t = _np.transpose(w)
    return _np.dot(s, t)

Only calls on a name the function binds (a parameter or a local) are rewritten: after
name resolution, `_np.exp(x)` is a module function and stays as it is. `np.add.at(a, idx, v)`
becomes the runtime's `add_at` (the same scatter-add). A method without a
NumPy twin (`x.fill(0)`, `x.append(v)`) is left alone; if it touches a differentiated
value, reverse mode reports it by name.
"""
import gast

from ..naming import NUMPY_ALIAS
from ..parse.base import FunctionPass, attribute_path, dotted, function_locals, located

# method name -> NumPy function name (the receiver becomes the first argument)
METHODS = {
    name: name
    for name in (
        "sum", "mean", "prod", "max", "min", "var", "std", "cumsum", "dot", "reshape", "ravel",
        "transpose", "swapaxes", "squeeze", "clip", "repeat", "take", "trace", "diagonal",
        "round", "conj", "argmax", "argmin", "argsort", "all", "any", "nonzero", "copy",
    )
}
METHODS["flatten"] = "ravel"
METHODS["conjugate"] = "conj"
ATTRIBUTES = {"T": "transpose", "real": "real", "imag": "imag"}


class ArrayMethods(FunctionPass):
    name = "methods"
    description = "x.sum(axis) -> np.sum(x, axis), x.T -> np.transpose(x): one rule table serves both"

    def run(self):
        self.locals = function_locals(self.ctx.tree)
        return super().run()

    def visit_FunctionDef(self, node):
        outer = getattr(self, "locals", set())
        self.locals = outer | function_locals(node)
        self.generic_visit(node)
        self.locals = outer
        return node

    def _receiver(self, node):
        return isinstance(node, gast.Name) and node.id in self.locals

    def visit_Call(self, node):
        self.generic_visit(node)
        f = node.func
        if attribute_path(f) == f"{NUMPY_ALIAS}.add.at" and len(node.args) == 3 and not node.keywords:
            # np.add.at(a, idx, v): the runtime's scatter-add, which both modes differentiate
            from . import runtime

            fn = located(gast.Name(id=self.ctx.program.constant(runtime.add_at, "add_at"), ctx=gast.Load(),
                                   annotation=None, type_comment=None), f)
            return located(gast.Call(func=fn, args=node.args, keywords=[]), node)
        if isinstance(f, gast.Attribute) and self._receiver(f.value) and f.attr == "astype" and len(node.args) == 1 \
                and not node.keywords:
            from . import runtime

            fn = located(gast.Name(id=self.ctx.program.constant(runtime.astype, "astype"), ctx=gast.Load(),
                                   annotation=None, type_comment=None), f)
            return located(gast.Call(func=fn, args=[f.value, node.args[0]], keywords=[]), node)
        if isinstance(f, gast.Attribute) and self._receiver(f.value) and f.attr == "item" and not node.keywords:
            # x.item(): the runtime's `item`; x.item(k): the flat element k; x.item(i, j): x[i, j]
            from . import runtime

            if not node.args:
                fn = located(gast.Name(id=self.ctx.program.constant(runtime.item, "item"), ctx=gast.Load(),
                                       annotation=None, type_comment=None), f)
                return located(gast.Call(func=fn, args=[f.value], keywords=[]), node)
            if len(node.args) == 1:
                return located(gast.Call(func=dotted(f"{NUMPY_ALIAS}.take", f), args=[f.value, node.args[0]],
                                         keywords=[]), node)
            index = located(gast.Tuple(elts=node.args, ctx=gast.Load()), node)
            return located(gast.Subscript(value=f.value, slice=index, ctx=gast.Load()), node)
        if isinstance(f, gast.Attribute) and self._receiver(f.value) and f.attr in METHODS:
            fn = dotted(f"{NUMPY_ALIAS}.{METHODS[f.attr]}", f)
            args = [f.value] + node.args
            # x.reshape(2, 3) means np.reshape(x, (2, 3)); x.transpose(1, 0) likewise.
            if f.attr in ("reshape", "transpose") and len(node.args) > 1:
                args = [f.value, located(gast.Tuple(elts=node.args, ctx=gast.Load()), node)]
            return located(gast.Call(func=fn, args=args, keywords=node.keywords), node)
        return node

    def visit_Attribute(self, node):
        self.generic_visit(node)
        if isinstance(node.ctx, gast.Load) and self._receiver(node.value) and node.attr in ATTRIBUTES:
            fn = dotted(f"{NUMPY_ALIAS}.{ATTRIBUTES[node.attr]}", node)
            return located(gast.Call(func=fn, args=[node.value], keywords=[]), node)
        return node


def show_methods(text):
    """Doctest helper: the function in `text` after the pipeline and this pass."""
    from ..parse.debug import show_program

    return show_program(text, extra=[ArrayMethods])
