"""The command line: `python -m s2s dump FILE.py:FUNC ...` and `python -m s2s info`.

`dump` imports FILE.py (by path, with its folder on `sys.path`), takes FUNC from it (a
dotted `Class.method` works), applies the transformations named by the flags, in the order
given, and prints the generated module: the same text `s2s.source(s2s.jit(f))` returns, a
plain Python module that runs with NumPy alone. `--jit` adds `import numba` and
`@numba.njit` on every generated function; `-o OUT.py` writes a standalone file (array
constants the function reads are written into it).

User errors (no such file or function, code s2s cannot transform) print a short message to
stderr and exit with status 2; there is no traceback to read.
"""
import argparse
import contextlib
import importlib.util
import inspect
import os
import sys

import numpy

from . import __version__
from .errors import S2SError
from .naming import NUMPY_ALIAS

EXIT_USAGE = 2

# A transformation flag of `dump` -> the function that applies it: (fn, options) -> fn.
# `options` is the parsed argparse namespace, so a flag's own options (--argnums, ...) reach
# it. Flags are applied in command-line order, innermost first: `--grad --vmap` is
# vmap(grad(f)). Add a transformation here, with its help text, and `dump` offers it:
#     "grad": ("differentiate (reverse mode)", lambda fn, o: api.grad(fn, argnums=o.argnums)),
def _grad(fn, options):
    from . import autodiff

    return autodiff.grad(fn, argnums=options.argnums)


def _value_and_grad(fn, options):
    from . import autodiff

    return autodiff.value_and_grad(fn, argnums=options.argnums)


def _jvp(fn, options):
    from .forward import JvpTwin

    return JvpTwin(fn, options.argnums)


def _vmap(fn, options):
    from . import batching

    return batching.vmap(fn, in_axes=options.in_axes, out_axes=options.out_axes)


def _jacobian(kind):
    def apply(fn, options):
        from . import jacobians

        return getattr(jacobians, kind)(fn, argnums=options.argnums)
    return apply


TRANSFORMS = {
    "grad": ("the gradient (reverse mode) w.r.t. the --argnums arguments", _grad),
    "value-and-grad": ("the value and the gradient, computed together", _value_and_grad),
    "jvp": ("the JVP twin (forward mode): f_jvp(tangents..., args...) -> (out, out tangent)", _jvp),
    "jacfwd": ("the Jacobian by forward mode (one JVP per input element)", _jacobian("jacfwd")),
    "jacrev": ("the Jacobian by reverse mode (one VJP per output element)", _jacobian("jacrev")),
    "hessian": ("the Hessian, jacfwd(jacrev(f))", _jacobian("hessian")),
    "vmap": ("the batched function (a loop over the batch) for --in-axes / --out-axes", _vmap),
}


def parse_axes(text):
    """`--in-axes 0,None` -> (0, None); `--in-axes 1` -> 1 (as JAX: an int, None or a tuple)."""
    parts = [p.strip() for p in text.split(",")]
    try:
        values = tuple(None if p == "None" else int(p) for p in parts if p)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected ints or None separated by commas, got {text!r}") from None
    return values[0] if len(values) == 1 and "," not in text else values


def parse_argnums(text):
    """`--argnums 0` -> 0; `--argnums 0,2` -> (0, 2) (as JAX: an int or a tuple)."""
    try:
        nums = tuple(int(p) for p in text.split(",") if p.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected integers separated by commas, got {text!r}") from None
    if not nums:
        raise argparse.ArgumentTypeError("expected at least one argument number")
    return nums[0] if len(nums) == 1 and "," not in text else nums


class CLIError(Exception):
    """A problem with what the user asked for; printed as one short message."""


# -- loading the user's function --------------------------------------------------------
def split_target(target):
    """'path/to/file.py:Class.method' -> ('path/to/file.py', 'Class.method')."""
    path, sep, name = target.rpartition(":")
    if not sep or not path or not name:
        raise CLIError(f"expected FILE.py:FUNC, got {target!r}")
    return path, name


def _module_name(path):
    stem = os.path.splitext(os.path.basename(path))[0]
    existing = sys.modules.get(stem)
    if existing is None or _same_file(getattr(existing, "__file__", None), path):
        return stem
    return f"_s2s_dump_{stem}"  # do not shadow an unrelated module of the same name


def _same_file(a, b):
    try:
        return a is not None and os.path.samefile(a, b)
    except OSError:
        return False


def load_module(path):
    """Import the Python file at `path` as a module named after its stem."""
    path = os.path.abspath(path)
    if not os.path.exists(path):
        raise CLIError(f"no such file: {path}")
    if not os.path.isfile(path):
        raise CLIError(f"not a file: {path}")
    name = _module_name(path)
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise CLIError(f"cannot import {path}: not a Python file")
    module = importlib.util.module_from_spec(spec)
    folder = os.path.dirname(path)
    if folder not in sys.path:
        sys.path.insert(0, folder)  # the file's own imports of its neighbours work
    sys.modules[name] = module
    try:
        # Whatever the module prints on import must not end up in the dumped source.
        with contextlib.redirect_stdout(sys.stderr):
            spec.loader.exec_module(module)
    except SyntaxError as exc:
        sys.modules.pop(name, None)
        raise CLIError(f"cannot import {path}: SyntaxError: {exc}") from None
    except Exception as exc:  # noqa: BLE001 -- any failure of the user's module
        sys.modules.pop(name, None)
        raise CLIError(f"cannot import {path}: {type(exc).__name__}: {exc}") from None
    return module


def find_function(module, dotted, path):
    obj = module
    for i, part in enumerate(dotted.split(".")):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            where = os.path.basename(path) if i == 0 else ".".join(dotted.split(".")[:i])
            msg = f"{where} has no attribute {part!r}"
            if i == 0:
                names = sorted(
                    n for n, v in vars(module).items()
                    if callable(v) and getattr(v, "__module__", None) == module.__name__ and not n.startswith("_")
                )
                msg = f"{where} has no function {dotted!r}"
                if names:
                    msg += "; it defines: " + ", ".join(names)
            raise CLIError(msg) from None
    if not callable(obj):
        raise CLIError(f"{dotted!r} in {os.path.basename(path)} is not a function ({type(obj).__name__})")
    return obj


# -- producing the source -----------------------------------------------------------------
def transform(fn, options):
    for name in options.transforms or ():
        _, apply = TRANSFORMS[name]
        try:
            fn = apply(fn, options)
        except (TypeError, ValueError) as exc:  # misuse, JAX-style: bad argnums, ...
            raise CLIError(f"--{name}: {type(exc).__name__}: {exc}") from None
    return fn


def generated_module(fn):
    """The `GeneratedModule` behind `s2s.source(s2s.jit(fn))` (its text, names, constants)."""
    from . import api

    own = getattr(fn, "generated", None)  # a transformation's own module (grad: the VJP, commented)
    return own() if own is not None and not isinstance(fn, api.JitFunction) else api.jit(fn).generated()


def jit_module(fn):
    """The module `s2s.jit(fn)` compiles (after jit's own passes: reductions along an axis and
    the like become runtime calls numba compiles), for `dump --jit`."""
    from . import api

    return (fn if isinstance(fn, api.JitFunction) else api.jit(fn)).generated()


def _insert_after_imports(lines, new):
    """Insert `new` lines after the generated module's header imports."""
    at = 0
    for i, line in enumerate(lines):
        if line.startswith(("import ", "from ")):
            at = i + 1
        elif at and line.strip() and not line.startswith("#"):
            break
    lines[at:at] = new


def add_numba(text, function_names):
    """`text` with `import numba` and `@numba.njit` on each generated top-level function
    (NumPy's error model, as jit compiles it: x / 0.0 is inf, not ZeroDivisionError)."""
    lines = text.splitlines()
    names = set(function_names)
    out = []
    for line in lines:
        if line.startswith("def "):
            name = line[4:].split("(", 1)[0].strip()
            if name in names:
                out.append('@numba.njit(error_model="numpy")')
        out.append(line)
    _insert_after_imports(out, ["import numba"])
    return "\n".join(out) + "\n"


def _dtype_expr(dtype):
    if dtype.fields is not None or dtype.subdtype is not None or dtype.kind not in "biufc":
        return None
    if not dtype.isnative:
        return None
    name = "bool_" if dtype.kind == "b" else dtype.name
    return f"{NUMPY_ALIAS}.{name}"


def _value_expr(v):
    if isinstance(v, list):
        return "[" + ", ".join(_value_expr(x) for x in v) + "]"
    if isinstance(v, complex):
        return f"complex({_value_expr(v.real)}, {_value_expr(v.imag)})"
    if isinstance(v, float) and (v != v or v in (float("inf"), float("-inf"))):
        return "float('nan')" if v != v else ("float('inf')" if v > 0 else "float('-inf')")
    return repr(v)


def array_literal(value):
    """`_np.array([...], dtype=_np.float64)` reproducing `value` exactly, or None."""
    dtype = _dtype_expr(value.dtype)
    if dtype is None:
        return None
    expr = f"{NUMPY_ALIAS}.array({_value_expr(value.tolist())}, dtype={dtype})"
    if value.size == 0 and value.ndim != 1:
        expr += f".reshape({value.shape!r})"
    return expr


def _runtime_names(module):
    """{name in the module: helper} for the injected s2s runtime helpers."""
    from .diff import runtime

    return {
        name: value for name, value in module.injected.items()
        if callable(value) and getattr(runtime, getattr(value, "__name__", ""), None) is value
    }


def runtime_text():
    """The runtime helpers as one self-contained piece of module source (a list of lines):
    s2s/diff/runtime.py and runtime_partials.py, then the numba overloads (runtime_numba*.py),
    registered when numba imports."""
    from .diff import runtime
    from .diff import runtime_containers, runtime_einsum, runtime_fft, runtime_layout, runtime_linalg, runtime_partials
    from .diff import runtime_bessel, runtime_jit, runtime_stats
    from .diff import runtime_numba, runtime_numba_einsum, runtime_numba_layout, runtime_numba_linalg, runtime_numba_shape
    from .diff import runtime_numba_axes, runtime_numba_lists, runtime_numba_norms, runtime_numba_numpy, runtime_numba_stacked
    from .diff import runtime_numba_bessel, runtime_numba_fft, runtime_numba_jit, runtime_numba_operands, runtime_numba_stats

    def without_imports(module):  # the lines between the two s2s-runtime-import markers go
        lines = inspect.getsource(module).splitlines()
        marks = [i for i, line in enumerate(lines) if "s2s-runtime-import" in line]
        return lines[: marks[0]] + lines[marks[-1] + 1:] if marks else lines

    src = inspect.getsource(runtime).splitlines()
    src = src[: next(i for i, line in enumerate(src) if "s2s-runtime-end" in line)]
    for module in (runtime_partials, runtime_einsum, runtime_layout, runtime_stats, runtime_linalg, runtime_containers,
                   runtime_fft, runtime_jit, runtime_bessel):
        # (their __all__ lists what s2s.diff.runtime re-exports; in the dumped module it would
        # hide the user's functions from `from generated import *`)
        src += ["_runtime_exports" + line[len("__all__"):] if line.startswith("__all__ =") else line
                for line in without_imports(module)]
    src += ["try:", "    import numba", "except ImportError:  # only the NumPy path then", "    numba = None",
            "if numba is not None:  # s2s/diff/runtime_numba*.py, verbatim"]
    for module in (runtime_numba, runtime_numba_shape, runtime_numba_einsum, runtime_numba_layout, runtime_numba_stats,
                   runtime_numba_linalg, runtime_numba_lists, runtime_numba_numpy, runtime_numba_axes,
                   runtime_numba_stacked, runtime_numba_norms, runtime_numba_jit, runtime_numba_bessel,
                   runtime_numba_operands, runtime_numba_fft):
        nb = without_imports(module)  # imports of the other runtime files
        src += ["    " + line if line.strip() else "" for line in nb]
    return src


def runtime_source(module, lines):
    """The helper definitions a derivative module calls, as lines to put in it: the
    runtime's own (self-contained) source, then `name = helper` where names differ."""
    helpers = _runtime_names(module)
    if not helpers:
        return []
    src = runtime_text()
    defined = {line.split("(")[0][4:] for line in src if line.startswith("def ")}
    clash = sorted(defined & set(module.function_names))
    if clash:
        raise CLIError(f"cannot write a standalone module: generated function {clash[0]!r} has the name of an s2s runtime helper")
    out = ["", "", "# ---- s2s runtime helpers (s2s/diff/runtime.py and runtime_numba.py) " + "-" * 20] + src
    out += ["# ---- end of the s2s runtime helpers " + "-" * 50, ""]
    out += [f"{name} = {helper.__name__}" for name, helper in sorted(helpers.items()) if name != helper.__name__]
    return out


def standalone(module, text):
    """`text` with each constant bound at load time written in as an array literal, and the
    runtime helpers derivative code calls copied in."""
    lines = text.splitlines()
    helpers = _runtime_names(module)
    for name in sorted(module.injected):
        value = module.injected[name]
        if name in helpers:
            for i, line in enumerate(lines):
                if line.startswith(f"# {name}: "):
                    del lines[i]
                    break
            continue
        expr = array_literal(value) if isinstance(value, numpy.ndarray) else None
        if expr is None:
            what = f"a {value.dtype} array" if isinstance(value, numpy.ndarray) else f"a {type(value).__name__}"
            raise CLIError(
                f"cannot write a standalone module: the function reads the global {name!r}, "
                f"{what}, which cannot be written into the file (only numeric NumPy arrays and "
                "literals can). Pass it as an argument instead, or use s2s.jit in-process."
            )
        assignment = f"{name} = {expr}"
        prefix = f"# {name}: "
        for i, line in enumerate(lines):
            if line.startswith(prefix):
                lines[i] = assignment
                break
        else:
            _insert_after_imports(lines, [assignment])
    _insert_after_imports(lines, runtime_source(module, lines))
    return "\n".join(lines) + "\n"


def add_cuda(text, function_names, kernel):
    """`text` with `from numba import cuda`, `@cuda.jit` on the kernel and
    `@cuda.jit(device=True)` on the functions it calls, and how the host launches it."""
    names = set(function_names)
    out = []
    for line in text.splitlines():
        if line.startswith("def "):
            name = line[4:].split("(", 1)[0].strip()
            if name in names:
                out.append("@cuda.jit" if name == kernel else "@cuda.jit(device=True)")
        out.append(line)
    _insert_after_imports(out, ["from numba import cuda"])
    out += ["", "",
            "# Launched by s2s (s2s/gpu.py) with a grid-stride loop over the batch:",
            f"#     {kernel}[blocks, 128](*arguments, *outputs[, tape_buf, tape_layout, tape_need])",
            "# blocks = min(ceil(n / 128), 16 * the device's multiprocessors); each output is a device array of",
            "# n scalars whose dtype numba's typing of the per-example function gives; arguments already on the",
            "# device are not copied. With tapes, tape_buf is a (rows, threads) float64 array whose layout",
            "# (tape_layout: offset and capacity per tape) grows when a launch reports (tape_need) it overflowed."]
    return "\n".join(out) + "\n"


def dump_source(fn, options):
    if options.device == "cuda":
        from .gpu import CudaJitFunction

        if options.output:
            raise CLIError("--device cuda: writing a standalone CUDA module (-o) is not supported yet; print it")
        try:
            spec = CudaJitFunction(transform(fn, options)).default_spec()
        except TypeError as exc:
            raise CLIError(f"--device cuda: {exc}") from None
        text = spec.module.source
        return add_cuda(text, spec.module.function_names, spec.kernel) if options.jit else text
    fn = transform(fn, options)
    module = jit_module(fn) if options.jit else generated_module(fn)
    text = module.source
    if options.jit:
        text = add_numba(text, module.function_names)
    if options.output:
        text = standalone(module, text)
    return text if text.endswith("\n") else text + "\n"


# -- commands -----------------------------------------------------------------------------
def cmd_dump(options):
    from .parse.pipeline import describe

    if options.pipeline:
        desc = describe()
        if options.target and not options.output:
            desc = "\n".join("# " + line for line in ["s2s pipeline:"] + desc.splitlines())
        print(desc)
        if not options.target:
            return 0
    elif not options.target:
        raise CLIError("dump: expected FILE.py:FUNC")
    path, name = split_target(options.target)
    fn = find_function(load_module(path), name, path)
    text = dump_source(fn, options)
    if options.output:
        try:
            with open(options.output, "w", encoding="utf-8") as fh:
                fh.write(text)
        except OSError as exc:
            raise CLIError(f"cannot write {options.output}: {exc.strerror or exc}") from None
        print(f"s2s: wrote {options.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def cmd_info(options):
    from .environment import print_environment_info

    print_environment_info()
    return 0


def build_parser():
    parser = argparse.ArgumentParser(
        prog="python -m s2s",
        description="s2s: inspect the source s2s generates, and the environment it runs in.",
    )
    parser.add_argument("--version", action="version", version=f"s2s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    dump = sub.add_parser(
        "dump",
        help="print the generated source of FILE.py:FUNC",
        description="Print (or write) the source s2s generates for FUNC in FILE.py: a plain "
        "Python module that needs NumPy only (and numba with --jit).",
    )
    dump.add_argument("target", nargs="?", metavar="FILE.py:FUNC",
                      help="the function, e.g. model.py:loss or model.py:Model.step")
    for name, (help_text, _) in TRANSFORMS.items():
        dump.add_argument(f"--{name}", dest="transforms", action="append_const", const=name, help=help_text)
    dump.add_argument("--argnums", type=parse_argnums, default=0, metavar="I[,J...]",
                      help="the positional arguments --grad/--jvp/--jac*/--hessian differentiate (default 0)")
    dump.add_argument("--in-axes", type=parse_axes, default=0, metavar="A[,B...]",
                      help="--vmap: the axis of each positional argument to map over (an int or None each; default 0)")
    dump.add_argument("--out-axes", type=parse_axes, default=0, metavar="A",
                      help="--vmap: where the batch axis goes in the output (default 0)")
    dump.add_argument("--jit", action="store_true",
                      help="add `import numba` and @numba.njit on every generated function")
    dump.add_argument("--device", choices=("cpu", "cuda"), default="cpu",
                      help="cuda: the CUDA kernel of a --vmap'ed (or elementwise) function, and how it is "
                      "launched (with --jit: the numba.cuda decorators)")
    dump.add_argument("-o", "--output", metavar="OUT.py",
                      help="write a standalone module to OUT.py instead of printing it")
    dump.add_argument("--pipeline", action="store_true",
                      help="print the normalization passes (as comments before the source if FUNC is given)")
    dump.set_defaults(handler=cmd_dump, transforms=[])

    info = sub.add_parser("info", help="versions, CPU, cache directory, CUDA availability")
    info.set_defaults(handler=cmd_info)
    return parser


def main(argv=None):
    """Run the command line; returns the exit status (0, or 2 for a user error)."""
    parser = build_parser()
    try:
        options = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help (0) or a usage error (2)
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    try:
        return options.handler(options)
    except CLIError as exc:
        print(f"s2s: error: {exc}", file=sys.stderr)
    except S2SError as exc:
        print(str(exc), file=sys.stderr)
    return EXIT_USAGE
