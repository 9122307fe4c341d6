"""Generated one-line functions that stand for s2s objects holding values -- the pullback
`vjp` returns (its primals), `linearize`'s `f_jvp` (its primals or residuals) -- so other
transformations can read them as source, like the user's own functions:

    _, pull = s2s.vjp(f, x)
    pull.__s2s_function__   ->   def vjp_fn(ct):
                                     return _s2s_twin(ct, _s2s_v0)[1]

with `_s2s_twin` (the generated VJP) and `_s2s_v0` (x) as its globals: `vmap(pull)`,
`jit(pull)` and code calling `pull` transform it (the values become the module's constants).
The source lives in `linecache` under a name made from its text. custom.py's trampolines
(`def f(x): return _s2s_custom(x)`) are made here too.
"""
import hashlib
import linecache


def closure(name, params, body, values, label):
    """`def name(*params): return body`, its globals `values` ({name: value})."""
    text = f"def {name}({', '.join(params)}):\n    return {body}\n"
    filename = f"<s2s: {label} {hashlib.sha1(text.encode()).hexdigest()[:12]}>"
    linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
    ns = dict(values)
    exec(compile(text, filename, "exec"), ns)
    return ns[name]
