"""VJP and JVP rules of the scipy.linalg functions s2s differentiates through their own
primal (the others have NumPy stand-ins, parse/stand_in_linalg.py): sqrtm and
solve_sylvester, loaded with scipy.special's rules (rules.load_scipy_rules).

X = solve_sylvester(A, B, Q) solves A X + X B = Q; perturbed, A dX + dX B = dQ - dA X - X dB,
another Sylvester equation; its transpose gives the VJP: Q-bar = solve_sylvester(A^T, B^T, X-bar),
A-bar = -Q-bar X^T, B-bar = -X^T Q-bar. X = sqrtm(A) satisfies X X = A: dX solves
X dX + dX X = dA, and A-bar = solve_sylvester(X^T, X^T, X-bar). The templates call
solve_sylvester, whose rules these are: derivatives of any order. The primal square root is
scipy's (the principal one; it needs no eigenvalue on the closed negative real axis for a
real result). Python path only: numba has neither function (jit names them).
"""
import numpy as np
import scipy.linalg as sla

from ..registry import JVP_RULES, VJP_RULES
from ..runtime import transpose_last

solve_sylvester = sla.solve_sylvester  # (templates name the functions with rules they call)


@VJP_RULES.register(sla.solve_sylvester)
def solve_sylvester_rule(g, ans, a, b, q):
    gq = solve_sylvester(transpose_last(a), transpose_last(b), g)
    return -(gq @ transpose_last(ans)), -(transpose_last(ans) @ gq), gq


@JVP_RULES.register(sla.solve_sylvester)
def solve_sylvester_jvp(ans, a, b, q, da, db, dq):
    return solve_sylvester(a, b, dq - da @ ans - ans @ db)


@VJP_RULES.register(sla.sqrtm)
def sqrtm_rule(g, ans, A, disp=True, blocksize=64):
    t = transpose_last(ans)
    return solve_sylvester(t, t, g)


@JVP_RULES.register(sla.sqrtm)
def sqrtm_jvp(ans, A, dA, disp=True, blocksize=64):
    return solve_sylvester(ans, ans, dA)
