"""numba CPU backend: wrap generated functions with `numba.njit`, translate its errors.

numba reports problems against the generated module. `translate_error` maps every location
in its message back to the user's file and line, and shows the user's source line, so the
user never has to read a traceback into generated code.
"""
import contextlib
import os
import re

import numba
from numba.core import config as numba_config
from numba.core import errors as numba_errors

from ..errors import CompilationError

NUMBA_ERRORS = (numba_errors.NumbaError,)

_FILE_LINE = re.compile(r'File "([^"]+)", line (\d+)')
_AT_LINE = re.compile(r"at (\S+) \((\d+)\)")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _unique_parameter_names():
    """numba fuses elementwise array expressions into a small function whose parameter names
    it makes from the variables' SSA names, `.` -> `_`, and asserts they are unique
    (numba/np/ufunc/array_exprs.py). They need not be: `b.1` (numba's second version of `b`)
    and s2s's own `b_1` both become `b_1`, and compiling fails with "'b_1' not unique". The
    same function, with a suffix added where a name is taken (the names are local to it)."""
    from collections import OrderedDict

    from numba.np.ufunc import array_exprs

    @contextlib.contextmanager
    def legalize(var_list):
        var_map = OrderedDict()
        for var in var_list:
            old_name = var.name
            new_name = var.scope.redefine(old_name, loc=var.loc).name.replace("$", "_").replace(".", "_")
            base, k = new_name, 0
            while new_name in var_map:
                k += 1
                new_name = f"{base}__{k}"
            var_map[new_name] = var, old_name
            var.name = new_name
        try:
            yield list(var_map)
        finally:
            for var, old_name in var_map.values():
                var.name = old_name

    if getattr(array_exprs, "_legalize_parameter_names", None) is not None:
        array_exprs._legalize_parameter_names = legalize


_unique_parameter_names()


def wrap_module(mod, names, cache, parallel=()):
    """Replace each generated function in `mod` by its numba dispatcher.

    Done in place, so a function calling a helper by its global name calls the compiled
    helper; numba compiles lazily, for the argument types of the first call. The functions
    named in `parallel` are compiled with parallel=True (their `prange` loops run on numba's
    threads).
    """
    for name in names:
        mod.__dict__[name] = _at_s2s_opt(numba.njit(cache=cache, parallel=name in parallel,
                                                    error_model=ERROR_MODEL)(mod.__dict__[name]))


# NumPy's arithmetic, not Python's: a float64 divided by zero is inf or nan (as the same code
# run as Python gives on NumPy scalars, and JAX), not ZeroDivisionError; integer division by
# zero gives 0 as NumPy's does. It also lets LLVM vectorize loops that divide (no check).
ERROR_MODEL = "numpy"


# LLVM's optimization level for generated code (and the overloads it compiles): O2. numba's
# default O3 roughly doubles the compile time of large derivative functions (20 s -> 11 s for
# a jit(grad) of np.gradient along an axis) for no measured speed-up: benchmarks/grad.py and
# run.py time the same at O2 and O3. An explicit NUMBA_OPT is left as the user set it.
S2S_OPT = 2


@contextlib.contextmanager
def _opt_level(level):
    saved = numba_config.OPT
    if "NUMBA_OPT" in os.environ or int(saved) <= level:
        yield
        return
    numba_config.OPT = type(saved)(level)
    try:
        yield
    finally:
        numba_config.OPT = saved


def _at_s2s_opt(dispatcher):
    """`dispatcher`, compiling (for each new signature) at S2S_OPT; the helpers and overloads
    it reaches while typing compile within the same call."""
    plain = dispatcher.compile

    def compile(sig):
        with _opt_level(S2S_OPT):
            return plain(sig)

    dispatcher.compile = compile
    return dispatcher


def sequential(dispatcher):
    """The function of a parallel=True `dispatcher` compiled to run its `prange` loops in
    order. An exception raised inside a parallel loop reaches Python as a SystemError
    without the user's message (numba 0.6x); running in order raises the real one. Not
    cached on disk: numba's cache index does not tell parallel and sequential builds apart.
    """
    return _at_s2s_opt(numba.njit(error_model=ERROR_MODEL)(dispatcher.py_func))


def _user_lines(module, message):
    """[(file, line)] of the user's code named in numba's message, innermost last."""
    found = []
    for rx in (_FILE_LINE, _AT_LINE):
        for m in rx.finditer(message):
            loc = module.user_location(m.group(1), int(m.group(2)))
            if loc is not None and loc not in found:
                found.append(loc)
    return found


def _reason(module, message):
    """numba's explanation, without its pipeline banner and generated-source excerpts."""
    out = []
    skip_excerpt = False
    for line in message.splitlines():
        s = line.strip()
        if s.startswith("Failed in ") and "pipeline" in s:
            continue
        if _FILE_LINE.search(line):
            skip_excerpt = True  # numba quotes the generated source below this line
            continue
        if skip_excerpt:
            if s == "" or s == "^" or line.startswith((" ", "\t", "<source", "def ")):
                if s == "":
                    skip_excerpt = False
                continue
            skip_excerpt = False
        if s.startswith("During: Pass"):
            continue
        if s == "" and out and not out[-1].strip():
            continue
        if s.startswith("During:"):
            line = _AT_LINE.sub(lambda m: _relocate(module, m), line)
        out.append(line.rstrip())
    while out and not out[-1].strip():
        out.pop()
    while out and not out[0].strip():
        out.pop(0)
    return "\n".join(out)


def _relocate(module, m):
    loc = module.user_location(m.group(1), int(m.group(2)))
    if loc is None:
        return m.group(0)
    return f"at {loc[0]} ({loc[1]})"


def translate_error(exc, module, fn_name, line_of):
    """A `CompilationError` for numba's `exc` raised while compiling `module`."""
    message = _ANSI.sub("", str(exc))
    locs = _user_lines(module, message)
    reason = _reason(module, message) or type(exc).__name__
    parts = [f"numba could not compile {fn_name!r} (s2s.jit, nopython mode)."]
    for filename, lineno in locs[-3:]:
        text = line_of(filename, lineno).strip()
        parts.append(f'  File "{filename}", line {lineno}')
        if text:
            parts.append(f"    {text}")
    own = _s2s_reasons(message)
    if own:  # what s2s's own numba forms said they cannot do: the reason, before numba's report
        parts.append("s2s's reason: " + own[0])
    option = _RUNTIME_OPTION.search(message)
    if option:
        parts.append(f"s2s's hint: numba needs `{option.group(1)}` as a constant, and here it is a run-time "
                     f"value ({option.group(2)}): write the value in the call, or make the argument it comes from "
                     "static (s2s.jit(f, static_argnums=...) or static_argnames=...)")
    parts.append("numba's reason:")
    parts.extend("    " + r for r in reason.splitlines())
    parts.append(
        f"The generated code: s2s.source({fn_name}). To run it as plain Python instead, set S2S_DISABLE_JIT=1."
    )
    filename, lineno = locs[-1] if locs else (None, None)
    return CompilationError("\n".join(parts), filename=filename, lineno=lineno, backend_message=message)


# a NumPy call whose axis-like option numba types as a run-time value (`keepdims=bool`)
_RUNTIME_OPTION = re.compile(r">>> \w+\(.*?\b(axis|keepdims|ord|ddof|axes)=((?:bool|u?int\d+|unicode_type|float64)\b)")
_OWN_TYPING_ERROR = re.compile(r"TypingError: (.+)\n\s*raised from (\S+)")


def _s2s_reasons(message):
    """The messages of the TypingErrors that s2s's overloads (files of the s2s package) raised
    while numba tried them, in order, without repeats."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    found = []
    for m in _OWN_TYPING_ERROR.finditer(message):
        if os.path.abspath(m.group(2).rsplit(":", 1)[0]).startswith(package + os.sep) and m.group(1) not in found:
            found.append(m.group(1).strip())
    return found


_COMPILER = os.path.join("numba", "core", "compiler_machinery.py")


def internal_error(exc):
    """True for a non-numba exception raised inside numba's compiler that means "numba cannot
    compile this": an AssertionError (numba's own checks of a variant it lacks, such as
    `x.flatten('F')`), a TypeError or NotImplementedError its overloads raise ("Numba does not
    support average with axis"), or anything raised while lowering a statement. A user's error
    that numba meets while typing (a missing attribute) stays what it is, and so does every
    error of the running code."""
    if isinstance(exc, numba_errors.NumbaError):
        return False
    tb, compiling = exc.__traceback__, False
    while tb is not None:
        compiling = compiling or tb.tb_frame.f_code.co_filename.endswith(_COMPILER)
        if compiling and (isinstance(exc, (AssertionError, TypeError, NotImplementedError))
                          or tb.tb_frame.f_code.co_name in ("lower_inst", "lower_block")
                          or "PropagateLiterals" in _qualname(tb.tb_frame.f_code)):
            return True
        tb = tb.tb_next
    return False


def _compiled_at(exc, module):
    """The user's (filename, line) of the innermost statement numba was typing or lowering
    when `exc` was raised (read from its frames' `inst.loc` / `loc`), or None."""
    from numba.core import ir

    tb, found = exc.__traceback__, None
    while tb is not None:
        local = tb.tb_frame.f_locals
        for loc in (getattr(local.get("inst"), "loc", None), local.get("loc"),
                    getattr(local.get("self"), "loc", None)):
            if isinstance(loc, ir.Loc) and loc.line is not None:
                at = module.user_location(loc.filename, loc.line)
                if at is not None:
                    found = at
        tb = tb.tb_next
    return found


def _qualname(code):
    return getattr(code, "co_qualname", code.co_name)


_KNOWN_INTERNAL = (
    ("PropagateLiterals", "an isinstance test numba has to decide (its literal propagation, which prunes "
                          "type-dependent branches, fails on derivative code). s2s decides isinstance tests of "
                          "parameters per call (of the function you transform or jit, and of the functions it "
                          "passes them to); one of a value computed in the function is left to numba: test "
                          "the parameter it comes from instead"),
    ("resolve_flatten", "x.flatten() with an order (numba flattens in C order only)"),
    ("resolve_ravel", "x.ravel() with an order (numba's method takes none: write np.ravel(x, order=...))"),
    ("BooleanArrayIndexer", "a boolean mask with more than one dimension (numba indexes with 1-d masks only: "
                            "write x.ravel()[mask.ravel()] instead of x[mask])"),
)


def translate_internal(exc, module, fn_name, line_of):
    """A `CompilationError` for an exception numba's compiler raised internally (see
    `internal_error`), at the user's line it was compiling when known."""
    loc = _compiled_at(exc, module)
    frames = []
    tb = exc.__traceback__
    while tb is not None:
        frames.append(tb.tb_frame.f_code.co_qualname if hasattr(tb.tb_frame.f_code, "co_qualname")
                      else tb.tb_frame.f_code.co_name)
        tb = tb.tb_next
    hint = next((why for key, why in _KNOWN_INTERNAL if any(key in f for f in frames)), None)
    parts = [f"numba could not compile {fn_name!r} (s2s.jit, nopython mode): numba failed internally "
             f"({type(exc).__name__}{': ' + str(exc) if str(exc) else ''})."]
    if loc is not None:
        parts.append(f'  File "{loc[0]}", line {loc[1]}')
        text = line_of(*loc).strip()
        if text:
            parts.append(f"    {text}")
    if hint:
        parts.append(f"The likely cause: {hint}.")
    parts.append(
        f"The generated code: s2s.source({fn_name}). To run it as plain Python instead, set S2S_DISABLE_JIT=1."
    )
    filename, lineno = loc if loc is not None else (None, None)
    return CompilationError("\n".join(parts), filename=filename, lineno=lineno, backend_message=repr(exc))
