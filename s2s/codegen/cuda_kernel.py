"""The CUDA kernel of a batched function: one thread per example, a grid-stride loop.

    def f_kernel(x, y, o0):              # vmap(f, in_axes=(0, None)); f returns a scalar
        t = thread_index()
        stride = thread_count()
        n = o0.shape[0]
        b = t
        while b < n:
            r = f(x[b], y)               # f and its helpers: numba.cuda device functions
            o0[b] = r
            b = b + stride

It is loop batching (`s2s/vectorize/loop.py`) with the loop spread over the grid: every
example runs f's own code, so per-example `if`/`while`/`break`, helper calls and `math`
functions work in the kernel. The outputs are preallocated by the host (a kernel cannot
allocate): their dtypes come from numba's typing of f on the CPU for example 0's argument
types, so per-example outputs must be scalars (or pytrees of scalars). Reverse-mode tapes
become slices of a per-thread buffer (`kernel_tapes.py`).

An *elementwise* function (`jit(f, device="cuda")` on a plain function) is the same kernel
over the flattened, broadcast arguments; `check_elementwise` refuses bodies that are not
elementwise (reductions, indexing, shapes) instead of computing something else per element.
"""
import copy

import gast
import numpy as np

from ..diff.pytrees import Structures, container_text, leaves, subscript_text
from ..naming import LocalNames
from ..parse.base import clone, located, walk
from ..parse.pipeline import build_program
from .module import GeneratedModule


class KernelSpec:
    """What the host needs to launch a generated kernel."""

    def __init__(self, module, kernel, entry, out_struct, out_paths, tapes, typing_module, arena=False,
                 kernel_local=None):
        self.arena = arena              # do the device functions compute arrays (on an arena)?
        self.module = module            # the kernel's GeneratedModule
        self.kernel = kernel            # the kernel's name in it
        self.kernel_local = kernel_local  # the kernel with a local-memory arena, when there is an arena
        self.entry = entry              # the per-example function's name
        self.out_struct = out_struct    # pytree structure of f's output
        self.out_paths = out_paths      # its leaves, in the kernel's output-argument order
        self.tapes = tapes              # [(function, tape, arity)] in buffer order
        self.typing_module = typing_module  # the same program for CPU numba (typing only)


def _program(fn, static=None):
    from ..diff.program import _diff_passes

    program = build_program(fn, static=static or None)
    _diff_passes(program)
    return program


def build_kernel(fn, in_axes, arg_structs, elementwise=False, ranks=None, static=None):
    """KernelSpec for the batched `fn` (its parameters named in `static` bound to those
    values, as jit's static arguments: the other lists leave them out).

    `in_axes[i]`: {leaf path: axis or None} of positional argument i (normalized, as
    loop.py takes them); `arg_structs[i]`: its pytree structure (None for an array);
    `ranks[i]`: the rank of argument i in one example, where known.
    """
    from ..diff.runtime import zeros_like  # noqa: F401 -- registers the runtime's numba overloads
    from . import cuda_arrays, cuda_runtime
    from .kernel_arrays import KernelArrays
    from .kernel_tapes import KernelTapes

    from .numba_reductions import rewrite_axis_reductions

    typing_program = _program(fn, static)
    rewrite_axis_reductions(typing_program)  # numba's CPU typing has no axis for np.mean & co.
    typing_module = GeneratedModule(typing_program, title="CPU typing of a CUDA kernel")
    program = _program(fn, static)
    if typing_module.recursive:
        ctx = program.entry
        raise ctx.error(ctx.tree, "a CUDA kernel cannot call a recursive function (numba.cuda compiles no "
                        "recursion); rewrite the recursion as a loop", "recursion")
    if elementwise:
        check_elementwise(program)
    entry = program.entry
    params = [a.id for a in entry.tree.args.posonlyargs + entry.tree.args.args]
    struct_of = {p: s for p, s in zip(params, arg_structs) if s}
    out_struct = Structures(entry.tree, program, struct_of).returns(entry, struct_of)
    rt = lambda name: program.constant(getattr(cuda_runtime, name), name)  # noqa: E731
    entry_args = clone(entry.tree.args)  # before the tape buffers join them
    lowering = KernelTapes(program, rt("tape_store"), rt("tape_load")).run()
    arrays = KernelArrays(program, None, {p: r for p, r in zip(params, ranks or ()) if r is not None}).run()
    for fctx in program.functions:
        scalar_math(fctx)

    out_paths = list(leaves(out_struct))
    N = LocalNames(params)
    t, stride, n, b, r = N["t"], N["stride"], N["n"], N["b"], N["r"]
    outs = [N[f"o{k}"] for k in range(len(out_paths))]
    buffers = [N[a] for a in ("tape_buf", "tape_layout", "tape_need")] if entry.name in lowering.threaded else []
    arena = [N[a] for a in ("arena_buf", "arena_state")] if arrays.used else []

    def example_args():
        args = []
        for i, p in enumerate(params):
            axes = in_axes[i] if i < len(in_axes) else {(): None}
            args.append(container_text(arg_structs[i], lambda path: subscript_text(p, path) if axes.get(path) is None
                                       else f"{subscript_text(p, path)}[{', '.join([':'] * axes[path] + [b])}]"))
        if buffers:
            args += [f"{buffers[0]}[:, {t}]", buffers[1], buffers[2]]
        if arena:
            args += [f"{arena[0]}[{t}]", f"{arena[1]}[{t}]"]
        return ", ".join(args)

    lines = [
        "def _():",
        f"    {t} = {rt('thread_index')}()",
        f"    {stride} = {rt('thread_count')}()",
        f"    {n} = {outs[0]}.shape[0]",
        f"    {b} = {t}",
        f"    while {b} < {n}:",
    ]
    if arena:  # the example's arrays start from an empty arena
        lines.append(f"        {arena[1]}[{t}, 0] = 0")
    lines.append(f"        {r} = {entry.name}({example_args()}){'[0]' if arena else ''}")
    for o, path in zip(outs, out_paths):
        if arena:
            lines.append(f"        {program.constant(cuda_arrays.k_store, 'k_store')}({o}, {b}, {subscript_text(r, path)})")
        else:
            lines.append(f"        {o}[{b}] = {subscript_text(r, path)}")
    lines.append(f"        {b} = {b} + {stride}")
    name = program.namer.fresh(f"{entry.name}_kernel")
    lines[0] = f"def {name}():"
    _add_kernel(program, entry, entry_args, lines, outs + buffers + arena)
    local = None
    if arena:
        # The same kernel with each thread's arena a local array of ARENA_CAPACITY values
        # (a constant: one compilation per capacity). The GPU interleaves local memory across
        # a warp's threads, so their arrays' elements are read and written together, where
        # rows of a global arena are 32 scattered accesses per warp.
        local = program.namer.fresh(f"{entry.name}_kernel_local")
        a_local = N["arena_l"]
        lines = [line.replace(f"{arena[0]}[{t}]", a_local) for line in lines]
        lines[0] = f"def {local}():"
        lines.insert(4, f"    {a_local} = {CUDA_GLOBAL}.local.array({ARENA_CAPACITY}, {FLOAT64_GLOBAL})")
        _add_kernel(program, entry, entry_args, lines, outs + buffers + arena[1:])
    module = GeneratedModule(program, title="CUDA kernel")
    return KernelSpec(module, name, entry.name, out_struct, out_paths, lowering.tapes, typing_module, arrays.used,
                      local)


# The globals the local-arena kernel reads, bound when the host loads it (gpu.py).
CUDA_GLOBAL, FLOAT64_GLOBAL, ARENA_CAPACITY = "cuda_module", "float64_type", "ARENA_CAPACITY"


def _add_kernel(program, entry, entry_args, lines, extra_params):
    tree = gast.parse("\n".join(lines) + "\n").body[0]
    tree.args = clone(entry_args)
    tree.args.defaults = []
    tree.args.args += [gast.Name(id=a, ctx=gast.Param(), annotation=None, type_comment=None)
                       for a in extra_params]
    for node in walk(tree):
        located(node, entry.tree)
    ctx = copy.copy(entry)
    ctx.tree, ctx.name = tree, lines[0][4:-3]
    program.functions.append(ctx)


# -- elementwise bodies -----------------------------------------------------------------
_SCALAR_BUILTINS = frozenset({"abs", "min", "max", "float", "int", "bool", "round", "complex", "pow"})


def check_elementwise(program):
    """Refuse a body that would compute something else per element than on whole arrays:
    calls other than NumPy ufuncs, `math` functions, scalar builtins and the program's own
    functions; subscripts and attributes of values."""
    funcs = {ctx.name for ctx in program.functions}
    for ctx in program.functions:
        for node in walk(ctx.tree):
            bad = None
            if isinstance(node, gast.Call):
                bad = _non_elementwise_call(node.func, program, funcs)
            elif isinstance(node, gast.Subscript):
                bad = "indexing"
            elif isinstance(node, gast.Attribute) and not _is_module_attr(node):
                bad = f"attribute .{node.attr}"
            if bad:
                raise ctx.error(node, f"jit(device='cuda') runs this function element by element over its array "
                                f"arguments, and {bad} is not elementwise; batch it with vmap instead "
                                f"(jit(vmap(f), device='cuda') runs f once per example)", bad)


def _is_module_attr(node):
    from ..naming import MATH_ALIAS, NUMPY_ALIAS

    return isinstance(node.value, gast.Name) and node.value.id in (NUMPY_ALIAS, MATH_ALIAS)


def _non_elementwise_call(func, program, funcs):
    import math

    if isinstance(func, gast.Name):
        if func.id in funcs or func.id in _SCALAR_BUILTINS:
            return None
        value = program.constants.get(func.id)
        if value is not None and (isinstance(value, np.ufunc) or getattr(value, "__module__", None) == "math"):
            return None
        return f"the call of {func.id}"
    if isinstance(func, gast.Attribute) and _is_module_attr(func):
        from ..naming import MATH_ALIAS

        target = getattr(math if func.value.id == MATH_ALIAS else np, func.attr, None)
        if func.value.id == MATH_ALIAS or isinstance(target, np.ufunc):
            return None
        return f"np.{func.attr}"
    return "this call"


# -- NumPy ufuncs on scalars ------------------------------------------------------------
# numba.cuda implements these NumPy ufuncs in device code; the others below become their
# `math` (or builtin) equivalents, which is exact for the scalars kernels compute with.
CUDA_UFUNCS = frozenset("""arccos arccosh arcsin arcsinh arctan arctan2 arctanh bitwise_and bitwise_or
bitwise_xor conjugate cos cosh deg2rad degrees divide equal fmax fmin greater greater_equal hypot invert isnan
left_shift less less_equal log log10 log2 logical_and logical_not logical_or logical_xor maximum minimum not_equal
rad2deg radians right_shift sin sinh tan tanh""".split())
_AS_MATH = {"exp": "exp", "expm1": "expm1", "log1p": "log1p", "sqrt": "sqrt", "floor": "floor", "ceil": "ceil",
            "trunc": "trunc", "isfinite": "isfinite", "isinf": "isinf", "fabs": "fabs", "power": "pow",
            "copysign": "copysign", "fmod": "fmod", "exp2": None, "absolute": None, "abs": None, "square": None,
            "add": None, "subtract": None, "multiply": None, "true_divide": None, "negative": None}
_AS_OPERATOR = {"add": gast.Add, "subtract": gast.Sub, "multiply": gast.Mult, "true_divide": gast.Div}


def scalar_math(ctx):
    """Rewrite NumPy ufunc calls numba.cuda lacks into `math`/operator form (in place);
    refuse the other NumPy functions by name, at the user's line."""
    from ..naming import MATH_ALIAS, NUMPY_ALIAS

    class Rewrite(gast.NodeTransformer):
        def visit_Call(self, node):
            self.generic_visit(node)
            f = node.func
            if isinstance(f, gast.Name) and len(node.args) == 1 and _is_runtime(ctx.program.constants.get(f.id),
                                                                                  "abs_direction"):
                # abs's derivative direction of a scalar: the device sign
                from . import cuda_runtime

                helper = ctx.program.constant(cuda_runtime.sign, "sign")
                return located(gast.Call(func=load_name(helper), args=node.args, keywords=[]), node)
            if not (isinstance(f, gast.Attribute) and isinstance(f.value, gast.Name) and f.value.id == NUMPY_ALIAS):
                return node
            name, args = f.attr, node.args
            if name in ("real", "conj", "conjugate") and len(args) == 1 and not node.keywords:
                # kernels compute with real scalars: the real part, the conjugate of a real, is itself
                attr = "real" if name == "real" else "conjugate"
                value = gast.Attribute(value=args[0], attr=attr, ctx=gast.Load())
                return located(value if name == "real" else gast.Call(func=value, args=[], keywords=[]), node)
            if name in CUDA_UFUNCS or node.keywords:
                return node
            if name in _AS_OPERATOR and len(args) == 2:
                return located(gast.BinOp(left=args[0], op=_AS_OPERATOR[name](), right=args[1]), node)
            if name in ("absolute", "abs") and len(args) == 1:
                return located(gast.Call(func=load_name("abs"), args=args, keywords=[]), node)
            if name == "square" and len(args) == 1:
                return located(gast.BinOp(left=args[0], op=gast.Mult(), right=clone(args[0])), node)
            if name == "negative" and len(args) == 1:
                return located(gast.UnaryOp(op=gast.USub(), operand=args[0]), node)
            if name == "exp2" and len(args) == 1:
                return located(gast.BinOp(left=gast.Constant(value=2.0, kind=None), op=gast.Pow(), right=args[0]), node)
            if name in ("dot", "sum", "mean", "max", "min", "amax", "amin") and len(args) == (2 if name == "dot" else 1):
                from . import cuda_runtime

                helper = f"reduce_{name.lstrip('a') if name.startswith('am') else name}"
                helper = ctx.program.constant(getattr(cuda_runtime, helper), helper)
                return located(gast.Call(func=load_name(helper), args=args, keywords=[]), node)
            if name in ("sign", "heaviside", "size", "ndim") and len(args) == (2 if name == "heaviside" else 1):
                from . import cuda_runtime

                helper = ctx.program.constant(getattr(cuda_runtime, name), name)
                return located(gast.Call(func=load_name(helper), args=args, keywords=[]), node)
            if _AS_MATH.get(name):
                node.func = gast.Attribute(value=load_name(MATH_ALIAS), attr=_AS_MATH[name], ctx=gast.Load())
                return node
            target = getattr(np, name, None)
            if isinstance(target, type) and issubclass(target, np.generic):
                return node  # a scalar type conversion: np.float64(x)
            if isinstance(target, np.ufunc):
                raise ctx.error(node, f"np.{name} is not available in CUDA kernels (numba.cuda implements no device "
                                f"version of it)", f"np.{name}")
            raise ctx.error(node, f"np.{name} cannot run in a CUDA kernel: kernels cannot allocate arrays, and each "
                            f"thread computes with scalars; write it as a loop over the example's elements",
                            f"np.{name}")

    ctx.tree = Rewrite().visit(ctx.tree)


def _is_runtime(value, name):
    """True when `value` is the s2s runtime helper `name`."""
    from ..diff import runtime

    return value is not None and value is getattr(runtime, name, None)


def load_name(name):
    return gast.Name(id=name, ctx=gast.Load(), annotation=None, type_comment=None)
