"""Parallel loops run in order in transformed code: `prange(...)` -> `range(...)`.

Before:                                   After:
    def f(x):                                 def f(x):
        for i in prange(x.shape[0]):              for i in range(x.shape[0]):
            x[i] = x[i] * 2                           x[i] = x[i] * 2

numba runs a `prange` loop's iterations on its threads only in the function `jit` compiles
(`s2s.jit(f)` with such a loop in f's body). Everything built on the transformations
(derivatives, batching, kernels) runs the loop in order: their adjoint loops accumulate
into shared arrays, which parallel iterations would race on, and a function called from
a parallel loop must not start threads of its own (numba's thread pools do not nest).
"""
import gast

from ..parse.base import FunctionPass, located, prange_call


class SequentialLoops(FunctionPass):
    name = "sequential"
    description = "prange(...) loops -> range(...) (derivatives and batched code run them in order)"

    def visit_For(self, node):
        self.generic_visit(node)
        if prange_call(node.iter, self.ctx.program):
            node.iter.func = located(gast.Name(id="range", ctx=gast.Load(), annotation=None, type_comment=None),
                                     node.iter.func)
        return node
