"""Calls that are rewritten where they stand (part of resolve): their meaning depends on the
shape of the call -- lists of functions, how many results are unpacked, an array updated in
place -- so they become plain code before anything else sees them.

    np.piecewise(x, [x < 0, x > 1], [f, lambda v: 2 * v, 1.0])
        -> np.where(x > 1, 2 * x, np.where(x < 0, f(x), 1.0 + np.zeros_like(x)))
    lax.switch(i, [f, g, h], a)     -> f(a) if i < 1 else (g(a) if i < 2 else h(a))   (i clamped)
    c, (a, b) = lax.scan(f, c, (u, v), reverse=r)  -> c, (a, b) = scan_2_2(f, c, u, v, r)   (lax.py's loops)
    gy, gx = np.gradient(z, 0.5)    -> gy, gx = (gradient_axis(z, 0.5, 0, 1, 2), gradient_axis(z, 0.5, 1, 1, 2))
    g = np.gradient(y)              -> g = gradient_axis(y, 1.0, -1, 1, 1)       (y must be 1-d)
    sorted(xs, key=k)               -> sorted_by_key(xs, k, False)
    np.vectorize(f)(x, y)           -> vectorized(f, x, y)     (a np.vectorize object vf made outside: vf(x) too)
    x.sort()                        -> x = np.sort(x)          (L.sort() on a list: L = sorted(L))
    np.fill_diagonal(a, v)          -> a = fill_diagonal(a, v)  (likewise np.put, np.place, np.copyto)

piecewise: NumPy applies the pieces in order, a later condition overriding an earlier one, so
the last condition is the outermost `where`; a function beyond the conditions is the otherwise-value.
Every piece is evaluated everywhere (as JAX's piecewise does): a piece that is not finite
outside its condition still gives a NaN derivative there, as `np.where` would. The in-place
functions rebind the array (like `a += v`): an alias of the old array does not see the update.
"""
import builtins

import gast

from ..naming import NUMPY_ALIAS
from .base import assign, attribute_path, clone, dotted, load, located, store, walk
from .tree_calls import TreeCalls

_IN_PLACE = ("fill_diagonal", "put", "place", "copyto")
# NumPy calls that make an array from their arguments (np.histogram's bins written as edges)
_ARRAY_MAKERS = {"array", "asarray", "linspace", "arange", "logspace", "geomspace", "concatenate", "hstack",
                 "append", "sort", "unique", "quantile", "percentile", "cumsum", "zeros", "ones", "full"}


def _const(value, like):
    return located(gast.Constant(value=value, kind=None), like)


def _literal_int(node):
    if isinstance(node, gast.Constant) and type(node.value) is int:
        return node.value
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub) and isinstance(node.operand, gast.Constant) \
            and type(node.operand.value) is int:
        return -node.operand.value
    return None


class Macros(TreeCalls):
    """The part of ResolveNames that rewrites these calls (and the pytree functions': TreeCalls)."""

    def _stand_in(self, name, like):
        from . import stand_in_arrays
        from .stand_ins import _marked

        fn = getattr(_marked(stand_in_arrays), name)
        return self._resolve_value(name, fn, like, None)

    def _stand_in_call(self, name, args, like, keywords=()):
        call = located(gast.Call(func=self._stand_in(name, like), args=list(args), keywords=list(keywords)), like)
        return self._finish_call(call)

    # -- statements -----------------------------------------------------------------------
    def visit_Assign(self, node):
        if len(node.targets) == 1 and isinstance(node.targets[0], (gast.Tuple, gast.List)) \
                and isinstance(node.value, gast.Call):
            node.value.s2s_unpacked = len(node.targets[0].elts)  # np.gradient: one result per axis
            node.value.s2s_target = node.targets[0]  # lax.scan: `c, (a, b) = ...` unpacks a tuple of ys
        return super().visit_Assign(node)

    def visit_Expr(self, node):
        call = node.value
        if isinstance(call, gast.Call) and isinstance(call.func, gast.Attribute) and call.func.attr == "sort" \
                and isinstance(call.func.value, gast.Name) and self._is_local(call.func.value.id):
            return self._sort_method(node, call)
        node = self.generic_visit(node)
        call = node.value
        path = attribute_path(call.func) if isinstance(call, gast.Call) else None
        if path is None or path.split(".")[0] != NUMPY_ALIAS or path.count(".") != 1 \
                or path.split(".")[1] not in _IN_PLACE:
            return node
        name = path.split(".")[1]
        target = call.args[0] if call.args else None
        if not (isinstance(target, gast.Name) and self._is_local(target.id)):
            raise self.ctx.error(node, f"np.{name} updates its first argument in place; s2s rebinds a variable "
                                 "to the result, so that argument must be a variable name", f"np.{name}")
        if name == "copyto" and any(k.arg == "where" for k in call.keywords):
            name = "copyto_where"
        value = self._stand_in_call(name, call.args, call, call.keywords)
        return assign(store(target.id), value, node)

    def _sort_method(self, node, call):
        """`x.sort(...)` -> `x = np.sort(x, ...)`; on a list: `x = sorted(x, ...)`."""
        name = call.func.value.id
        keywords = [gast.keyword(arg=k.arg, value=self.visit(k.value)) for k in call.keywords]
        if call.args:
            raise self.ctx.error(node, "pass the arguments of .sort() by keyword", ".sort")
        if self._is_list(name):
            value = self._sorted(located(gast.Call(func=load("sorted"), args=[load(name)], keywords=keywords), call))
        else:
            keywords = [k for k in keywords if k.arg in ("axis",)]
            value = located(gast.Call(func=dotted(f"{NUMPY_ALIAS}.sort", call), args=[located(load(name), call)],
                                      keywords=keywords), call)
        return assign(store(name), value, node)

    def _is_list(self, name):
        """Whether the function binds `name` to a list (a display, comprehension, list(...) or
        sorted(...)); anything else -- a parameter included -- is taken for an array."""
        for n in walk(self.ctx.tree):
            if isinstance(n, gast.Assign) and any(isinstance(t, gast.Name) and t.id == name for t in n.targets):
                v = n.value
                if isinstance(v, (gast.List, gast.ListComp)) or (
                        isinstance(v, gast.Call) and isinstance(v.func, gast.Name) and v.func.id in ("list", "sorted")):
                    return True
        return False

    # -- calls ----------------------------------------------------------------------------
    def _macro(self, node):
        """The rewritten call, or None when `node` (resolved) is none of these."""
        f = node.func
        if isinstance(f, gast.Name) and f.id == "sorted" and not self._is_local("sorted") \
                and self._lookup("sorted", f)[0] is builtins.sorted:
            return self._sorted(node)
        shared = getattr(f, "s2s_value", None)
        if shared is not None:
            tree_call = self._tree_call(node, shared.value)
            if tree_call is not None:
                return tree_call
        marker = getattr(f, "s2s_macro", None)
        if marker is not None and marker.value.__name__ == "switch":
            return self._switch(node)
        if marker is not None and marker.value.__name__ == "scan":
            return self._scan(node)
        if marker is not None and marker.value.__name__ == "histogram":
            return self._histogram(node, marker.value)
        if marker is not None and marker.value.__name__ in ("dynamic_slice", "dynamic_update_slice"):
            return self._dynamic(node, marker.value.__name__)
        vectorized = getattr(f, "s2s_vectorize", None)
        if vectorized is not None:  # a np.vectorize object made outside the function
            return self._vectorize(node, vectorized.value, f, [])
        if isinstance(f, gast.Call) and attribute_path(f.func) == f"{NUMPY_ALIAS}.vectorize":
            if len(f.args) != 1:
                raise self.ctx.error(f, "np.vectorize takes the function as its one positional argument",
                                     "np.vectorize")
            return self._vectorize(node, None, f.args[0], f.keywords)
        path = attribute_path(f)
        if path == f"{NUMPY_ALIAS}.piecewise":
            return self._piecewise(node)
        if path == f"{NUMPY_ALIAS}.gradient":
            return self._gradient(node)
        if path == f"{NUMPY_ALIAS}.einsum" and node.args and not (
                isinstance(node.args[0], gast.Constant) and isinstance(node.args[0].value, str)):
            return self._einsum_sublists(node)
        return None

    def _einsum_sublists(self, node):
        """np.einsum(a, [0, 1], b, [1, 2], [0, 2]) -> np.einsum('ab,bc->ac', a, b): the
        subscripts string the sublists stand for (the rules read the string form)."""
        args = node.args
        n_ops = len(args) // 2
        lists = [args[2 * i + 1] for i in range(n_ops)] + ([args[-1]] if len(args) % 2 else [])

        def letters(lst):
            if not isinstance(lst, (gast.List, gast.Tuple)):
                return None
            out = ""
            for e in lst.elts:
                if isinstance(e, gast.Constant) and type(e.value) is int and 0 <= e.value < 52:
                    out += "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"[e.value]
                elif isinstance(e, gast.Constant) and e.value is Ellipsis or attribute_path(e) == "Ellipsis":
                    out += "..."
                else:
                    return None
            return out
        subs = [letters(lst) for lst in lists]
        if n_ops == 0 or any(s is None for s in subs):
            raise self.ctx.error(node, "np.einsum's sublist form needs its sublists written as lists of integer "
                                 "constants in the call (or use a subscripts string)", "np.einsum")
        text = ",".join(subs[:n_ops]) + ("->" + subs[n_ops] if len(subs) > n_ops else "")
        node.args = [_const(text, node)] + [args[2 * i] for i in range(n_ops)]
        return self._finish_call(node)

    def _keyword(self, node, name, position, default):
        for k in node.keywords:
            if k.arg == name:
                return k.value
        if position is not None and position < len(node.args):
            return node.args[position]
        return default

    def _sorted(self, node):
        extra = [k.arg for k in node.keywords if k.arg not in ("key", "reverse")]
        if len(node.args) != 1 or extra:
            raise self.ctx.error(node, "sorted takes one sequence and the keywords key= and reverse=", "sorted")
        reverse = self._keyword(node, "reverse", None, _const(False, node))
        key = self._keyword(node, "key", None, None)
        if key is None or isinstance(key, gast.Constant) and key.value is None:
            return self._stand_in_call("sorted_values", [node.args[0], reverse], node)
        return self._stand_in_call("sorted_by_key", [node.args[0], key, reverse], node)

    def _apply(self, fn, args, like, what):
        """The expression `fn(*args)`: a lambda's body with its parameters replaced, a call
        otherwise (a constant stands for itself)."""
        from .functional import _substitute

        if isinstance(fn, gast.Lambda):
            a = fn.args
            params = [p.id for p in a.posonlyargs + a.args]
            if a.vararg or a.kwarg or a.kwonlyargs or a.defaults or len(params) != len(args):
                raise self.ctx.error(fn, f"this lambda does not take the {len(args)} argument(s) {what} passes", what)
            return _substitute(clone(fn.body), dict(zip(params, args)))
        call = located(gast.Call(func=clone(fn), args=[clone(a) for a in args], keywords=[]), like)
        if getattr(call.func, "s2s_callee", None) is not None or getattr(call.func, "s2s_closure", None) is not None:
            return self._finish_call(call)
        return call

    def _vectorize(self, node, pyfunc, fn, keywords):
        """np.vectorize(f)(x, ...): f called on every element (parse/stand_in_arrays.py);
        `pyfunc`: the function of a np.vectorize object made outside (else `fn`, a node)."""
        unsupported = [k.arg for k in keywords if k.arg in ("signature", "excluded")
                       and not (isinstance(k.value, gast.Constant) and k.value.value is None)]
        if pyfunc is not None:
            unsupported = [a for a in ("signature", "excluded") if getattr(pyfunc, a, None)]
            fn = self._resolve_value(getattr(pyfunc.pyfunc, "__name__", "vectorized_fn"), pyfunc.pyfunc, fn, None)
        if unsupported:
            raise self.ctx.error(node, f"np.vectorize with {unsupported[0]}= is not supported; call the function "
                                 "in a loop or a comprehension instead", "np.vectorize")
        if node.keywords or not 1 <= len(node.args) <= 3 or any(isinstance(a, gast.Starred) for a in node.args):
            raise self.ctx.error(node, "a np.vectorize function is supported with 1 to 3 positional arguments",
                                 "np.vectorize")
        return self._stand_in_call("vectorized", [fn] + list(node.args), node)

    def _switch(self, node):
        if node.keywords or len(node.args) < 2 or not isinstance(node.args[1], (gast.List, gast.Tuple)) \
                or not node.args[1].elts:
            raise self.ctx.error(node, "lax.switch needs its branches as a list or tuple written in the call "
                                 "(`lax.switch(i, [f, g], x)`)", "lax.switch")
        index, branches, operands = node.args[0], node.args[1].elts, node.args[2:]
        result = self._apply(branches[-1], operands, node, "lax.switch")
        for k in range(len(branches) - 2, -1, -1):  # index clamped to the branches, as JAX does
            test = located(gast.Compare(left=clone(index), ops=[gast.Lt()],
                                        comparators=[_const(k + 1, node)]), node)
            result = located(gast.IfExp(test=test, body=self._apply(branches[k], operands, node, "lax.switch"),
                                        orelse=result), node)
        return result

    def _scan(self, node):
        """lax.scan(f, init, xs, length=, reverse=, unroll=) -> scan_variant(nx, ny)(f, init,
        *xs, reverse): a loop made for xs None (length instead), one array or a tuple of
        arrays written in the call, and for what f gives each step (None, one value or a
        tuple: see _scan_ys)."""
        from .. import lax

        given = dict(zip(("f", "init", "xs", "length", "reverse", "unroll"), node.args))
        for k in node.keywords:
            if k.arg not in ("f", "init", "xs", "length", "reverse", "unroll") or k.arg in given:
                raise self.ctx.error(node, f"lax.scan got an unexpected or repeated argument {k.arg!r}", "lax.scan")
            given[k.arg] = k.value
        if "f" not in given or "init" not in given or any(isinstance(a, gast.Starred) for a in node.args):
            raise self.ctx.error(node, "lax.scan needs f and init (lax.scan(f, init, xs))", "lax.scan")
        reverse = given.get("reverse") or _const(False, node)
        xs = given.get("xs")
        if xs is None or isinstance(xs, gast.Constant) and xs.value is None:
            if given.get("length") is None:
                raise self.ctx.error(node, "lax.scan without xs needs length=", "lax.scan")
            nx, xs_args = "none", [given["length"]]
        elif isinstance(xs, (gast.Tuple, gast.List)):
            if not xs.elts or any(isinstance(e, gast.Starred) for e in xs.elts):
                raise self.ctx.error(node, "lax.scan's xs tuple needs its arrays written in the call", "lax.scan")
            nx, xs_args = len(xs.elts), list(xs.elts)
        else:
            nx, xs_args = "one", [xs]
        helper = lax.scan_variant(nx, self._scan_ys(node, given["f"]))
        ref = self._resolve_value(helper.__name__, helper, node, None)
        args = [given["f"], given["init"]] + xs_args + [reverse]
        return self._finish_call(located(gast.Call(func=ref, args=args, keywords=[]), node))

    def _scan_ys(self, node, f):
        """What scan's f gives as y each step: "none", "one" or a tuple's length -- from the
        assignment `c, (a, b) = lax.scan(...)`, else from f's return statements
        (`return c, (a, b)`, `return c, None`) where they agree; "one" otherwise."""
        target = getattr(node, "s2s_target", None)
        if isinstance(target, (gast.Tuple, gast.List)) and len(target.elts) == 2 \
                and isinstance(target.elts[1], (gast.Tuple, gast.List)):
            return len(target.elts[1].elts)
        kinds = set()
        for value in self._returned(f):
            if not (isinstance(value, gast.Tuple) and len(value.elts) == 2):
                return "one"
            y = value.elts[1]
            kinds.add("none" if isinstance(y, gast.Constant) and y.value is None
                      else len(y.elts) if isinstance(y, gast.Tuple) else "one")
        return kinds.pop() if len(kinds) == 1 else "one"

    def _returned(self, f):
        """The expressions function `f` (a lambda, a nested def or a function value) returns."""
        if isinstance(f, gast.Lambda):
            return [f.body]
        body = None
        if isinstance(f, gast.Name) and self._is_local(f.id):
            defs = [n for n in walk(self.ctx.tree) if isinstance(n, gast.FunctionDef) and n.name == f.id]
            body = defs[0] if len(defs) == 1 else None
        elif getattr(f, "s2s_value", None) is not None:
            from .source import get_source

            try:
                body = get_source(f.s2s_value.value).node
            except Exception:  # noqa: BLE001 -- no source (a builtin, a C function): nothing to read
                body = None
        if body is None:
            return []
        found, todo = [], list(body.body)
        while todo:  # the function's own returns, not those of functions defined inside it
            n = todo.pop()
            if isinstance(n, gast.Return) and n.value is not None:
                found.append(n.value)
            elif not isinstance(n, (gast.FunctionDef, gast.Lambda, gast.ClassDef)):
                todo.extend(gast.iter_child_nodes(n))
        return found

    def _histogram(self, node, histogram):
        """np.histogram(a, bins, range, density, weights) -> _histogram_counts(a, bins, range)
        when weights and density are left out (or None / False), else _histogram_float(a,
        bins, range, density, weights): integer or float counts, one type per call; bins written
        as edges (_array_like) -> _histogram_edges_counts(a, bins) / _histogram_edges_float(a,
        bins, density, weights)."""
        import sys

        names = ("a", "bins", "range", "density", "weights")
        given = dict(zip(names, node.args))
        for k in node.keywords:
            if k.arg not in names or k.arg in given:
                raise self.ctx.error(node, f"np.histogram got an unexpected or repeated argument {k.arg!r}",
                                     "np.histogram")
            given[k.arg] = k.value
        if "a" not in given or any(isinstance(a, gast.Starred) for a in node.args):
            raise self.ctx.error(node, "np.histogram needs the array", "np.histogram")

        def absent(name, *falsy):
            v = given.get(name)
            return v is None or isinstance(v, gast.Constant) and v.value in (None,) + falsy
        none = _const(None, node)
        bins, rng = given.get("bins") or _const(10, node), given.get("range") or none
        module = sys.modules[histogram.__module__]
        if isinstance(bins, gast.Constant) and isinstance(bins.value, str):
            raise self.ctx.error(node, f"np.histogram with bins={bins.value!r} (a binning rule) is not supported; "
                                 "pass a number of bins or the edges", "np.histogram")
        if self._array_like(bins):  # the edges themselves (range is not read then, as in NumPy)
            if absent("weights") and absent("density", False):
                name, args = "_histogram_edges_counts", [given["a"], bins]
            else:
                name, args = "_histogram_edges_float", [given["a"], bins, given.get("density") or _const(False, node),
                                                        given.get("weights") or none]
        elif absent("weights") and absent("density", False):
            name, args = "_histogram_counts", [given["a"], bins, rng]
        else:
            name, args = "_histogram_float", [given["a"], bins, rng, given.get("density") or _const(False, node),
                                              given.get("weights") or none]
        ref = self._resolve_value(name.lstrip("_"), getattr(module, name), node, None)
        return self._finish_call(located(gast.Call(func=ref, args=args, keywords=[]), node))

    def _array_like(self, node, depth=0):
        """Whether `node` is an array by how it is written: a list or tuple display, a NumPy
        call that makes one (np.linspace, np.array, ...), an arithmetic expression of one,
        or a local variable this function only binds to such expressions."""
        if isinstance(node, (gast.List, gast.Tuple, gast.ListComp)):
            return True
        if isinstance(node, gast.BinOp):
            return self._array_like(node.left, depth) or self._array_like(node.right, depth)
        if isinstance(node, gast.Call):
            path = attribute_path(node.func) or ""
            # `np.` too: an assignment after the call that is not resolved yet
            return path.split(".")[0] in (NUMPY_ALIAS, "np", "numpy") and path.split(".")[-1] in _ARRAY_MAKERS
        if isinstance(node, gast.Name) and self._is_local(node.id) and depth < 4:
            values = [n.value for n in walk(self.ctx.tree) if isinstance(n, gast.Assign)
                      and any(isinstance(t, gast.Name) and t.id == node.id for t in n.targets)]
            return bool(values) and all(self._array_like(v, depth + 1) for v in values)
        return False

    def _dynamic(self, node, name):
        """lax.dynamic_slice(x, (i, j), (k, l)) -> lax._dynamic_slice2(x, i, j, k, l);
        lax.dynamic_update_slice(x, u, (i, j)) -> lax._dynamic_update_slice2(x, u, i, j)."""
        from .. import lax

        n_fixed = 1 if name == "dynamic_slice" else 2
        tuples = node.args[n_fixed:]
        ok = (not node.keywords and len(node.args) == n_fixed + (2 if name == "dynamic_slice" else 1)
              and all(isinstance(t, (gast.Tuple, gast.List)) for t in tuples)
              and len({len(t.elts) for t in tuples}) == 1 and 1 <= len(tuples[0].elts) <= 3)
        if not ok:
            what = "(x, (i, ...), (k, ...))" if name == "dynamic_slice" else "(x, update, (i, ...))"
            raise self.ctx.error(node, f"lax.{name} needs its starts{' and sizes' if n_fixed == 1 else ''} as tuples "
                                 f"written in the call, for 1 to 3 axes: lax.{name}{what}", f"lax.{name}")
        helper = f"_{name}{len(tuples[0].elts)}"
        ref = self._resolve_value(helper.lstrip("_"), getattr(lax, helper), node, None)
        args = list(node.args[:n_fixed]) + [e for t in tuples for e in t.elts]
        return self._finish_call(located(gast.Call(func=ref, args=args, keywords=[]), node))

    def _piecewise(self, node):
        x = node.args[0] if node.args else None
        if x is None or len(node.args) < 3 or node.keywords:
            raise self.ctx.error(node, "np.piecewise(x, condlist, funclist, *args) is supported with positional "
                                 "arguments", "np.piecewise")
        conds, funcs, extra = node.args[1], node.args[2], node.args[3:]
        conds = conds.elts if isinstance(conds, (gast.List, gast.Tuple)) else [conds]
        if not isinstance(funcs, (gast.List, gast.Tuple)) or len(funcs.elts) not in (len(conds), len(conds) + 1):
            raise self.ctx.error(node, "np.piecewise needs its functions as a list written in the call, one per "
                                 "condition (and one more for otherwise)", "np.piecewise")

        def piece(fn):
            if isinstance(fn, gast.Constant) or _literal_int(fn) is not None or (
                    isinstance(fn, gast.UnaryOp) and isinstance(fn.operand, gast.Constant)):
                zeros = located(gast.Call(func=dotted(f"{NUMPY_ALIAS}.zeros_like", node), args=[clone(x)],
                                          keywords=[]), node)
                return located(gast.BinOp(left=clone(fn), op=gast.Add(), right=zeros), node)
            return self._apply(fn, [x] + list(extra), node, "np.piecewise")

        values = [piece(f) for f in funcs.elts]
        result = values.pop() if len(values) > len(conds) else piece(_const(0.0, node))
        for c, v in zip(conds, values):  # the last condition outermost: it wins
            result = located(gast.Call(func=dotted(f"{NUMPY_ALIAS}.where", node),
                                       args=[clone(c), v, result], keywords=[]), node)
        return result

    def _gradient(self, node):
        if not node.args:
            raise self.ctx.error(node, "np.gradient needs an array", "np.gradient")
        f, spacing = node.args[0], node.args[1:]
        extra = [k.arg for k in node.keywords if k.arg not in ("axis", "edge_order")]
        if extra or any(isinstance(a, gast.Starred) for a in node.args):
            raise self.ctx.error(node, "np.gradient takes spacings by position and the keywords axis= and "
                                 "edge_order=", "np.gradient")
        edge = self._keyword(node, "edge_order", None, _const(1, node))
        axis = self._keyword(node, "axis", None, None)
        unpacked = getattr(node, "s2s_unpacked", None)
        if axis is None or isinstance(axis, gast.Constant) and axis.value is None:
            axes, ndim, many = (list(range(unpacked)), unpacked, True) if unpacked else ([-1], 1, False)
        elif _literal_int(axis) is not None:
            axes, ndim, many = [_literal_int(axis)], -1, False
        elif isinstance(axis, (gast.Tuple, gast.List)) and all(_literal_int(e) is not None for e in axis.elts):
            axes, ndim, many = [_literal_int(e) for e in axis.elts], -1, True
        else:
            raise self.ctx.error(node, "the axis of np.gradient must be a literal int or tuple of ints", "np.gradient")
        if len(spacing) not in (0, 1, len(axes)):
            raise self.ctx.error(node, f"np.gradient along {len(axes)} axes takes 0, 1 or {len(axes)} spacings",
                                 "np.gradient")
        calls = []
        for i, a in enumerate(axes):
            h = _const(1.0, node) if not spacing else spacing[i if len(spacing) > 1 else 0]
            args = [clone(f), clone(h), _const(a, node), clone(edge), _const(ndim, node)]
            calls.append(self._stand_in_call("gradient_axis", args, node))
        if not many:
            return calls[0]
        return located(gast.Tuple(elts=calls, ctx=gast.Load()), node)

