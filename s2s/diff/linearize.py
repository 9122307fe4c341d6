"""Split a JVP twin into its primal part and its linear (tangent) part.

A JVP twin interleaves primal and tangent statements. When its body is straight-line
code (no branches or loops, no calls that mix both, no in-place stores) and every primal
value the tangent statements read is assigned once, the two parts separate:

    def f_jvp(dx, x):                      def f_linp(x):
        e = np.exp(-x)                         e = np.exp(-x)
        de = -dx * e             ->            r = 1.0 / (1.0 + e)
        r = 1.0 / (1.0 + e)                    return (np.sum(r), (e, r))
        dr = ...de...                      def f_lint(dx, e, r):
        return (np.sum(r), np.sum(dr))         de = -dx * e
                                               dr = ...de...
                                               return np.sum(dr)

`f_linp` runs once; `f_lint` is the linear map, evaluated for each tangent: `linearize`
returns it (JAX's semantics: the primal is not recomputed), and `jacfwd` calls it once
per basis vector instead of the whole twin.
"""
import gast

from ..parse.base import clone, fix_missing_locations, load, walk


def _reads(stmts):
    return {n.id for s in stmts for n in walk(s) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)}


def _stores(stmts):
    return [n.id for s in stmts for n in walk(s) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)]


def split(twin, n_tangents, primal_name, tangent_name):
    """(primal FunctionDef, tangent FunctionDef, residual names) for the JVP twin `twin`
    (whose first `n_tangents` parameters are the tangents), or None when it does not
    separate."""
    body = twin.body
    ret = body[-1]
    if not (isinstance(ret, gast.Return) and isinstance(ret.value, gast.Tuple) and len(ret.value.elts) == 2):
        return None
    stmts = body[:-1]
    if not all(isinstance(s, gast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], gast.Name)
               for s in stmts if not _is_docstring(s)):
        return None
    stmts = [s for s in stmts if not _is_docstring(s)]
    params = [a.id for a in twin.args.args]
    tparams, pparams = params[:n_tangents], params[n_tangents:]
    tangent = [s for s in stmts if getattr(s, "s2s_tangent", False)]
    primal = [s for s in stmts if not getattr(s, "s2s_tangent", False)]
    tangent_names = set(tparams) | set(_stores(tangent))
    if _reads(primal) & tangent_names or _reads([ret.value.elts[0]]) & tangent_names:
        return None  # a primal statement needs a tangent (a helper's twin, a custom rule)
    assigned = _stores(primal)
    residuals = sorted((_reads(tangent) | _reads([ret.value.elts[1]])) - tangent_names, key=lambda n: (
        assigned.index(n) if n in assigned else -1, n))
    module_level = [r for r in residuals if r not in assigned and r not in pparams]
    residuals = [r for r in residuals if r not in module_level]  # module names (helpers, np) stay global
    if any(assigned.count(r) + (r in pparams) > 1 for r in residuals):
        # a value the tangent reads is overwritten later (a parameter rebound too): no single version to keep
        return None
    pargs = clone(twin.args)
    pargs.args = pargs.args[n_tangents:]
    res_tuple = gast.Tuple(elts=[load(r) for r in residuals], ctx=gast.Load())
    primal_fn = gast.FunctionDef(
        name=primal_name, args=pargs,
        body=primal + [gast.Return(value=gast.Tuple(elts=[clone(ret.value.elts[0]), res_tuple],
                                                    ctx=gast.Load()))],
        decorator_list=[], returns=None, type_comment=None, type_params=[])
    targs = clone(twin.args)
    targs.args = targs.args[:n_tangents] + [gast.Name(id=r, ctx=gast.Param(), annotation=None, type_comment=None)
                                            for r in residuals]
    targs.defaults = []
    tangent_fn = gast.FunctionDef(
        name=tangent_name, args=targs, body=tangent + [gast.Return(value=clone(ret.value.elts[1]))],
        decorator_list=[], returns=None, type_comment=None, type_params=[])
    for fn, doc in ((primal_fn, "primal part: (out, residuals)"), (tangent_fn, "linear part: tangent of out")):
        gast.copy_location(fn, twin)
        fn.end_lineno = getattr(twin, "end_lineno", None)
        fn.s2s_doc = f"Linearization of {twin.name}, {doc}."
        for node in walk(fn):
            if not hasattr(node, "lineno") and isinstance(node, (gast.stmt, gast.expr)):
                gast.copy_location(node, ret)
        fix_missing_locations(fn)
    return primal_fn, tangent_fn, residuals


def _is_docstring(s):
    return isinstance(s, gast.Expr) and isinstance(s.value, gast.Constant) and isinstance(s.value.value, str)
