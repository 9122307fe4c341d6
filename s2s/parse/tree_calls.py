"""Pytree functions called inside transformed code (part of resolve): `tree_util.tree_map(f,
*trees)` and `tree_util.tree_leaves(tree)` (and `s2s.tree.map` / `s2s.tree.leaves`).

Their meaning depends on the trees' structure, which is known only later (from the values a
transformation is called with), so here they become calls of runtime helpers that carry what
they need; the function passed becomes a program-level function like any helper's function
argument (parse/function_args.py), its variables travelling as a tuple:

    tree_util.tree_map(lambda p, g: p - lr * g, params, grads)
        -> tree_map_of(update_lambda, (lr,), params, grads)      # update_lambda(p, g, lr)
    tree_util.tree_leaves(params)  -> tree_leaves_of(params)

The helpers run as they are in Python (diff/runtime_containers.py), compile under numba from
the trees' types (runtime_numba_lists.py), and where a function is differentiated they are
expanded into one call per leaf, `{'b': update_lambda(params_b, grads_b, lr), ...}`, once the
structures are known (diff/tree_calls.py).
"""
import gast

from .base import clone, load, located, walk


def _tree_functions():
    from .. import tree_util

    return ((tree_util.tree_map, "map"), (tree_util.tree_leaves, "leaves"))


class TreeCalls:
    """The part of ResolveNames that rewrites the calls of pytree functions."""

    def _tree_call(self, node, fn):
        """The rewritten call when `fn` (the callee's value) is a pytree function, else None."""
        kind = next((k for f, k in _tree_functions() if f is fn), None)
        if kind is None:
            return None
        what = f"tree_util.tree_{kind}"
        bad = [k.arg for k in node.keywords]
        if bad:
            raise self.ctx.error(node, f"{what} inside a transformed function takes no keyword arguments "
                                 f"(got {bad[0]}=); is_leaf is not supported there", what)
        if any(isinstance(a, gast.Starred) for a in node.args):
            raise self.ctx.error(node, f"{what} needs its trees written in the call, not as *args", what)
        if len(self.scopes) != 1 and kind == "map":
            raise self.ctx.error(node, f"{what} inside a nested def or lambda is not supported; call it in the "
                                 "function itself or in a helper defined at module level", what)
        if kind == "leaves":
            if len(node.args) != 1:
                raise self.ctx.error(node, f"{what} takes one tree", what)
            return self._runtime_call("tree_leaves_of", list(node.args), node)
        if len(node.args) < 2:
            raise self.ctx.error(node, f"{what} takes a function and at least one tree", what)
        func, env = self._leaf_function(node.args[0], len(node.args) - 1, node, what)
        env_tuple = located(gast.Tuple(elts=env, ctx=gast.Load()), node)
        return self._runtime_call("tree_map_of", [func, env_tuple] + list(node.args[1:]), node)

    def _runtime_call(self, name, args, like):
        from ..diff import runtime

        ref = located(load(self.ctx.program.constant(getattr(runtime, name), name,
                                                     avoid=self.scopes[0] if self.scopes else ())), like)
        return located(gast.Call(func=ref, args=args, keywords=[]), like)

    def _leaf_function(self, fn, n, node, what):
        """(the program-level function to call on each leaf, the expressions of the variables
        it takes after the n leaves) for the function argument `fn` of a tree_map."""
        from .function_args import Closure

        found = self._function_argument(fn)
        if found is not None and isinstance(found[0], Closure):
            marker, env = found
            own = len(marker.node.args.args) - len(marker.free)
            if own != n:
                raise self.ctx.error(fn, f"the function given to {what} takes {own} argument(s), but {n} tree(s) "
                                     "are given", what)
            fname = self.ctx.program.function(marker.source(), hint=marker.hint, avoid=self.scopes[0],
                                              make_context=self.ctx.__class__, identity=marker)
            return located(load(fname), fn), list(env)
        if found is not None:  # a function known now: the call it makes of n placeholder leaves
            leaves = [self.ctx.namer.fresh("leaf") for _ in range(n)]
            call = located(gast.Call(func=clone(fn), args=[located(load(v), fn) for v in leaves],
                                     keywords=[]), node)
            call = self._finish_call(call)
            if isinstance(call, gast.Call) and isinstance(call.func, gast.Name) and not call.keywords \
                    and [getattr(a, "id", None) for a in call.args[:n]] == leaves \
                    and not any(isinstance(x, gast.Name) and x.id in leaves for a in call.args[n:]
                                for x in walk(a)):
                return call.func, list(call.args[n:])
        raise self.ctx.error(fn, f"the function given to {what} inside a transformed function must be a lambda, "
                             "a nested def or a Python function", what)
