"""stats rules (s2s/diff/rules/stats.py) against finite differences, in Python and, where
NumPy-under-numba has the function and the variant, in numba. The JVP rules are checked
over the same CASES table by tests/diff/test_jvp_rules.py."""
import numpy as np
import pytest
from vjp_check import check_vjp

from s2s.diff import runtime as rt

TRAPEZOID = getattr(np, "trapezoid", None) or np.trapz


def _r(*shapes):
    return lambda rng: tuple(rng.uniform(-1, 1, s) if s else float(rng.uniform(-1, 1)) for s in shapes)


def case(key, make, options=None, numba=False, name=None, skip=None):
    marks = [pytest.mark.skip(reason=skip)] if skip else []
    return pytest.param(key, make, options or {}, numba, id=name, marks=marks)


def _with(*parts):
    """Inputs from `parts`: a shape (random floats), or a callable rng -> value (ints, None)."""
    return lambda rng: tuple(p(rng) if callable(p) else (rng.uniform(-1, 1, p) if p else float(rng.uniform(-1, 1)))
                             for p in parts)


def _fixed(*values):
    return lambda rng: tuple(np.array(v, dtype=float) if isinstance(v, list) else v for v in values)


def _nan(shape, where):
    def make(rng):
        x = rng.uniform(-1, 1, shape)
        x[where] = np.nan
        return (x,)
    return make


def _ints(shape):  # read for its shape only (not perturbed: integers)
    return lambda rng: np.zeros(shape, dtype=int)


def _const(v):
    return lambda rng: v


def _pos(*shapes):  # positive, away from ties (weights)
    return lambda rng: tuple(rng.uniform(0.5, 1.5, s) for s in shapes)


ZEROS1 = [[0.5, 0.0, -1.5, 2.0, 0.7]]
ZEROS2 = [[0.5, 0.0, -1.5, 0.0, 0.7], [1.0, 2.0, 0.0, -1.0, 3.0]]

CASES = [
    # cumprod: exact with zeros
    case(np.cumprod, _r((5,)), name="cumprod"),
    case(np.cumprod, _r((3, 4)), name="cumprod-flat"),
    case(np.cumprod, _r((3, 4)), {"axis": 0}, numba=True, name="cumprod-axis0"),
    case(np.cumprod, _r((2, 3, 4)), {"axis": -1}, name="cumprod-last"),
    case(np.cumprod, _r((2, 3, 4)), {"axis": 1}, numba=True, name="cumprod-axis1"),
    case(np.cumprod, _fixed(ZEROS1), name="cumprod-one-zero"),
    case(np.cumprod, _fixed(ZEROS2), {"axis": 1}, name="cumprod-zeros-axis"),
    case(np.cumprod, _fixed(ZEROS2), numba=True, name="cumprod-zeros-flat"),
    # NumPy 2's cumulative_sum (include_initial), nancumsum, nancumprod (NaN entries get zero)
    case(np.cumulative_sum, _r((5,)), name="cumulative_sum"),
    case(np.cumulative_sum, _r((3, 4)), {"axis": 0, "include_initial": True}, name="cumulative_sum-initial"),
    case(np.cumulative_sum, _r((2, 3, 4)), {"axis": -1}, name="cumulative_sum-last"),
    case(np.nancumsum, _nan((6,), [1, 4]), name="nancumsum"),
    case(np.nancumsum, _nan((3, 4), (0, 2)), name="nancumsum-flat"),
    case(np.nancumsum, _nan((3, 4), (1, 1)), {"axis": 1}, name="nancumsum-axis"),
    case(np.nancumprod, _nan((5,), [2]), name="nancumprod"),
    case(np.nancumprod, _nan((3, 4), (2, 3)), {"axis": 0}, name="nancumprod-axis0"),
    case(np.nancumprod, _fixed([[0.5, np.nan, 0.0, 2.0, -0.7]]), name="nancumprod-nan-and-zero"),
    # diff
    case(np.diff, _r((6,)), name="diff"),
    case(np.diff, _r((6,)), {"n": 2}, True, name="diff-n2"),
    case(np.diff, _r((3, 5)), {"n": 3}, name="diff-2d-n3"),
    case(np.diff, _r((4, 3)), {"axis": 0}, name="diff-axis0"),
    case(np.diff, _r((2, 4, 3)), {"n": 2, "axis": 1}, name="diff-3d-axis1"),
    case(np.diff, _r((4,)), {"n": 0}, name="diff-n0"),
    case(np.ediff1d, _r((6,)), name="ediff1d"),
    case(np.ediff1d, _r((3, 4)), name="ediff1d-flattens"),
    case(np.ediff1d, _r((5,)), {"to_begin": 0.5, "to_end": -1.0}, name="ediff1d-ends"),
    case(np.ediff1d, _r((2, 2)), {"to_end": np.array([1.0, 2.0])}, name="ediff1d-end-array"),
    # bincount: counts (integers: no derivative), weights summed per bin (repeated bins, an empty bin, minlength beyond the last)
    case(np.bincount, _with(lambda rng: np.array([0, 2, 2, 3, 0, 2])), {"minlength": 5}, name="bincount-counts"),
    case(np.bincount, _with(lambda rng: np.array([0, 2, 2, 3, 0, 2]), (6,)), numba=True, name="bincount-weights"),
    case(np.bincount, _with(lambda rng: np.array([1, 1, 0]), (3,)), {"minlength": 5}, numba=True,
         name="bincount-minlength"),
    # average
    case(np.average, _r((5,)), name="average"),
    case(np.average, _r((3, 4)), {"axis": 1}, name="average-axis"),
    case(np.average, _r((3, 4)), {"axis": 0, "keepdims": True}, name="average-keepdims"),
    case(np.average, _with((5,), _const(None), lambda rng: rng.uniform(0.5, 1.5, 5)), numba=True,
         name="average-weights"),
    case(np.average, _with((3, 4), _const(1), lambda rng: rng.uniform(0.5, 1.5, (3, 4))), name="average-weights-axis"),
    case(np.average, _with((3, 4), _const(0), lambda rng: rng.uniform(0.5, 1.5, (3, 4))), {"keepdims": True},
         name="average-weights-keepdims"),
    case(np.average, _with((3, 4), _const(None), lambda rng: rng.uniform(0.5, 1.5, (3, 4))),
         name="average-weights-flat"),
    # ptp
    case(np.ptp, _r((6,)), numba=True, name="ptp"),
    case(np.ptp, _r((3, 4)), {"axis": 1}, name="ptp-axis"),
    case(np.ptp, _r((3, 4)), {"axis": 0, "keepdims": True}, name="ptp-keepdims"),
    # NaN-aware reductions (NaN entries get zero)
    case(np.nansum, _nan((6,), [1, 4]), name="nansum"),
    case(np.nansum, _nan((3, 4), (0, 2)), {"axis": 1}, name="nansum-axis"),
    case(np.nansum, _nan((3, 4), (1, 1)), {"axis": 0, "keepdims": True}, name="nansum-keepdims"),
    case(np.nanmean, _nan((6,), [2]), numba=True, name="nanmean"),
    case(np.nanmean, _nan((3, 4), (2, 0)), {"axis": 1}, name="nanmean-axis"),
    case(np.nanmax, _nan((6,), [0]), name="nanmax"),
    case(np.nanmax, _nan((3, 4), (1, 3)), {"axis": 1}, name="nanmax-axis"),
    case(np.nanmin, _nan((6,), [5]), name="nanmin"),
    case(np.nanmin, _nan((3, 4), (0, 0)), {"axis": 0, "keepdims": True}, name="nanmin-keepdims"),
    case(np.nanprod, _nan((5,), [3]), numba=True, name="nanprod"),
    case(np.nanprod, _nan((3, 4), (1, 2)), {"axis": 1}, name="nanprod-axis"),
    case(np.nanvar, _nan((6,), [2, 3]), name="nanvar"),
    case(np.nanvar, _nan((3, 4), (0, 1)), {"axis": 1, "ddof": 1}, name="nanvar-axis-ddof"),
    case(np.nanvar, _nan((3, 4), (2, 2)), {"axis": 0, "keepdims": True}, name="nanvar-keepdims"),
    case(np.nanstd, _nan((6,), [0]), name="nanstd"),
    case(np.nanstd, _nan((3, 4), (1, 3)), {"axis": -1, "keepdims": True}, name="nanstd-keepdims"),
    case(np.nanstd, _nan((2, 3, 4), (1, 2, 0)), {"axis": 1, "ddof": 1}, name="nanstd-3d"),
    # order statistics ('linear')
    case(np.median, _r((5,)), name="median-odd"),
    case(np.median, _r((6,)), numba=True, name="median-even"),
    case(np.median, _r((3, 4)), name="median-flat"),
    case(np.median, _r((3, 4)), {"axis": 1}, name="median-axis"),
    case(np.median, _r((3, 5)), {"axis": 0, "keepdims": True}, name="median-keepdims"),
    case(np.median, _r((2, 3, 4)), {"axis": -1}, name="median-3d"),
    case(np.median, _r((2, 3, 4)), {"axis": (0, 2)}, name="median-two-axes"),
    case(np.median, _r((2, 3, 4)), {"axis": (2, 0), "keepdims": True}, name="median-two-axes-keepdims"),
    case(np.percentile, _with((7,), _const(30)), name="percentile"),
    case(np.percentile, _with((7,), _const(np.array([10, 50, 90]))), name="percentile-array"),
    case(np.percentile, _with((7,), _const(np.array([10.5, 50.5, 90.5]))), numba=True, name="percentile-q"),
    case(np.percentile, _with((3, 4), _const(37.0)), {"axis": 0}, name="percentile-q-axis"),
    case(np.percentile, _with((3, 4), _const(40)), {"axis": 1}, name="percentile-axis"),
    case(np.percentile, _with((3, 4), _const(np.array([25, 75]))), {"axis": 0}, name="percentile-array-axis"),
    case(np.percentile, _with((3, 4), _const(np.array([25, 75]))), name="percentile-array-flat"),
    case(np.percentile, _with((3, 4), _const(np.array([25, 75]))), {"axis": 1, "keepdims": True},
         name="percentile-keepdims"),
    case(np.quantile, _with((6,), _const(1)), name="quantile-max"),
    case(np.quantile, _with((3, 4), _const(np.array([0, 1]))), {"axis": 1}, name="quantile-axis"),
    case(np.quantile, _with((7,), _const(0.3)), name="quantile-q"),
    case(np.quantile, _with((2, 3, 4), _const(np.array([0.3, 0.8]))), {"axis": (0, 2)}, name="quantile-two-axes"),
    case(np.quantile, _with((3, 4), _const(np.array([0.23, 0.61]))), {"axis": 1, "keepdims": True},
         name="quantile-q-keepdims"),
    case(np.quantile, _with((3, 4), _const(np.array([0.23, 0.61]))), name="quantile-q-flat"),
    # covariances (a single variable: NumPy's result is 0-d)
    case(np.cov, _r((6,)), name="cov-1d"),
    case(np.cov, _r((3, 5)), name="cov"),
    case(np.cov, _r((5, 3)), {"rowvar": False, "bias": True}, name="cov-rowvar-bias"),
    case(np.cov, _r((3, 5)), {"ddof": 2}, name="cov-ddof"),
    case(np.cov, _r((2, 5), (5,)), numba=True, name="cov-y"),
    case(np.cov, _r((5, 2), (5, 3)), {"rowvar": False}, name="cov-y-rowvar"),
    case(np.corrcoef, _r((6,)), name="corrcoef-1d"),
    case(np.corrcoef, _r((3, 5)), numba=True, name="corrcoef"),
    case(np.corrcoef, _r((5, 3)), {"rowvar": False}, name="corrcoef-rowvar"),
    case(np.corrcoef, _r((5,), (5,)), name="corrcoef-y"),
    case(np.corrcoef, _r((5, 2), (5,)), {"rowvar": False}, name="corrcoef-y-rowvar"),
    # trapezoid
    case(TRAPEZOID, _r((6,)), numba=True, name="trapezoid"),
    case(TRAPEZOID, _r((3, 5)), {"dx": 0.5}, name="trapezoid-dx"),
    case(TRAPEZOID, _r((4, 3)), {"axis": 0}, name="trapezoid-axis0"),
    case(TRAPEZOID, _r((6,), (6,)), numba=True, name="trapezoid-x"),
    case(TRAPEZOID, _r((3, 5), (3, 5)), name="trapezoid-x-2d"),
    case(TRAPEZOID, _r((4, 3), (4, 3)), {"axis": 0}, name="trapezoid-x-axis0"),
    # products
    case(np.vdot, _r((4,), (4,)), numba=True, name="vdot"),
    case(np.vdot, _r((3, 4), (2, 6)), name="vdot-2d"),
    case(np.cross, _r((3,), (3,)), name="cross"),
    case(np.cross, _r((4, 3), (4, 3)), numba=True, name="cross-stack"),
    case(np.cross, _r((4, 3), (3,)), name="cross-broadcast"),
    case(np.cross, _r((4, 2), (3,)), numba=True, name="cross-2-and-3"),
    case(np.cross, _r((2,), (4, 2)), name="cross-2-vectors"),
    case(np.kron, _r((3,), (4,)), name="kron-1d"),
    case(np.kron, _r((2, 3), (3, 2)), numba=True, name="kron-2d"),
    case(np.kron, _r((2, 3), (4,)), name="kron-mixed"),
    case(np.convolve, _r((5,), (3,)), name="convolve"),
    case(np.convolve, _r((3,), (5,)), {"mode": "same"}, True, name="convolve-same"),
    case(np.convolve, _r((4,), (6,)), {"mode": "same"}, name="convolve-same-even"),
    case(np.convolve, _r((6,), (3,)), {"mode": "valid"}, name="convolve-valid"),
    case(np.correlate, _r((5,), (3,)), name="correlate"),
    case(np.correlate, _r((4,), (6,)), {"mode": "same"}, True, name="correlate-same"),
    case(np.correlate, _r((3,), (5,)), {"mode": "full"}, name="correlate-full"),
    # the helpers (shape-only arguments as integer arrays: not perturbed)
    case(rt.undiff, _with((4,), _ints(6)), {"n": 2}, True, name="undiff"),
    case(rt.undiff, _with((3, 3), _ints((4, 3))), {"axis": 0}, name="undiff-axis0"),
    case(rt.diff_along, _r((5,)), {"n": 2}, name="diff_along"),
    case(rt.pair_sum, _r((5,)), name="pair_sum"),
    case(rt.pair_sum, _r((4, 3)), {"axis": 0}, name="pair_sum-axis0"),
    case(rt.unpair_sum, _with((4,), _ints(5)), name="unpair_sum"),
    case(rt.convolve_vjp1, _with((7,), _ints(5), (3,)), name="convolve_vjp1"),
    case(rt.convolve_vjp2, _with((6,), (3,), _ints(6)), {"mode": "same"}, name="convolve_vjp2"),
    case(rt.correlate_vjp1, _with((6,), _ints(4), (6,)), {"mode": "same"}, name="correlate_vjp1"),
    case(rt.correlate_vjp2, _with((3,), (5,), _ints(3)), numba=True, name="correlate_vjp2"),
    case(rt.kron_vjp1, _with((2, 6), _ints((2, 3)), (1, 2)), name="kron_vjp1"),
    case(rt.kron_vjp2, _with((6,), (3,), _ints(2)), numba=True, name="kron_vjp2"),
    case(rt.cross_vjp1, _with((4, 3), _ints((4, 2)), (3,)), numba=True, name="cross_vjp1"),
    case(rt.cross_vjp2, _with((4,), (2,), _ints((4, 2))), name="cross_vjp2-2-vectors"),
    case(rt.cumprod_vjp, _with((5,), (5,)), name="cumprod_vjp"),
    case(rt.cumprod_vjp, _with((12,), (3, 4)), name="cumprod_vjp-flat"),
    case(rt.cumprod_vjp, _with((3, 4), (3, 4)), {"axis": 0}, name="cumprod_vjp-axis0"),
    case(rt.cumprod_vjp, _fixed([0.3, -1.0, 2.0, 0.5, 1.5], ZEROS1[0]), numba=True, name="cumprod_vjp-zero"),
    case(rt.cumprod_jac, _r((4,)), numba=True, name="cumprod_jac"),
    case(rt.unediff1d, _with((8,), _ints((2, 3))), {"to_end": 1.0, "to_begin": np.zeros(2)}, name="unediff1d"),
    case(rt.ediff1d_lin, _r((2, 3)), {"to_begin": 0.5}, name="ediff1d_lin"),
    case(rt.uncumulative_sum, _with((4, 4), _ints((3, 4))), {"axis": 0, "include_initial": True},
         name="uncumulative_sum"),
    case(rt.obs_rows, _r((5, 3)), {"rowvar": False}, name="obs_rows"),
    case(rt.unobs_rows, _with((3, 5), _ints((5, 3))), {"rowvar": False}, name="unobs_rows"),
    case(rt.as_square, _with((), _ints((1, 4))), name="as_square"),
    case(rt.cumprod_jac, _fixed(ZEROS2), {"axis": 1}, name="cumprod_jac-zeros"),
]


@pytest.mark.parametrize("key, make, options, use_numba", CASES)
def test_stats_rule(key, make, options, use_numba, request):
    inputs = make(np.random.default_rng(len(request.node.name)))
    check_vjp(key, inputs, options, name=request.node.name, use_numba=use_numba)
