#!/usr/bin/env python3
# Fits the polynomial coefficients of FastMath.onePlusErf (Sources/ZOModel/Layers/FastMath.swift)
# and prints them with their float32 errors. Needs numpy and mpmath (e.g. in the fixture venv).
import numpy as np
from mpmath import mp, erf, erfc, log, mpf
mp.dps = 40
# Region A: erf(x) = x + x*P(x^2), |x| <= A
A = 0.9375
xs = np.cos(np.linspace(0, np.pi, 4000)) * 0.5 * A + 0.5 * A  # Chebyshev-like nodes on [0, A]
xs = xs[xs > 1e-4]
s = xs**2
target = np.array([float(erf(mpf(x)) / mpf(x) - 1) for x in xs])
# weight for relative error of erf: error in P times x / erf(x) ~ const
deg = 6
V = np.vstack([s**k for k in range(deg)]).T
w = np.array([float(mpf(x) / erf(mpf(x))) for x in xs])
coef, *_ = np.linalg.lstsq(V * w[:, None], target * w, rcond=None)
pa = np.float32(coef)
# evaluate in float32 Horner
def evalA(x):
    x = np.float32(x); s = np.float32(x*x)
    r = pa[-1]
    for c in pa[-2::-1]:
        r = np.float32(r * s + c)
    return np.float32(r * x + x)
errA = max(abs(float(evalA(x)) - float(erf(mpf(float(np.float32(x)))))) for x in np.linspace(0, A, 20001))
print("A coef", [repr(float(c)) for c in pa], "max abs err", errA)
# Region B: erfc(t) = exp(Q(t)), Q fitted unweighted (relative accuracy of erfc), Chebyshev basis
A, B = 0.9375, 4.0
ts = np.cos(np.linspace(0, np.pi, 6000)) * 0.5 * (B - A) + 0.5 * (B + A)
target = np.array([float(log(erfc(mpf(t)))) for t in ts])
grid = np.linspace(A, B, 20001)
ref = [erfc(mpf(float(np.float32(t)))) for t in grid]
for degB in [8]:
    # Chebyshev basis for conditioning, then convert to monomials in double
    u = (2 * ts - (A + B)) / (B - A)
    cheb = np.polynomial.chebyshev.chebfit(u, target, degB)
    # convert to monomial in t
    p_u = np.polynomial.chebyshev.cheb2poly(cheb)  # in u
    # u = a t + b
    a = 2 / (B - A); b = -(A + B) / (B - A)
    P = np.polynomial.Polynomial(p_u)
    Pt = P(np.polynomial.Polynomial([b, a]))
    pb = np.float32(Pt.coef)
    def ev(t):
        t = np.float32(t); r = pb[-1]
        for c in pb[-2::-1]: r = np.float32(r * t + c)
        return r
    rel = max(abs(float(np.exp(np.float64(ev(t)))) / float(r) - 1) for t, r in zip(grid, ref))
    absErf = max(abs(float(np.exp(np.float64(ev(t)))) - float(r)) for t, r in zip(grid, ref))
    print(degB, "rel", rel, "abs", absErf, [repr(float(c)) for c in pb])
