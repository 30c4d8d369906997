#!/usr/bin/env python3
"""Numerical sanity checks for the derivations in Proofs/*.md.

Not part of the Swift test suite and not a proof: it recomputes the constants quoted in the
Markdown files (exact sums, exhaustive Float emulations, symbolic identities) and runs small
Monte Carlo checks of the moment formulas. Needs numpy, scipy, mpmath, sympy.

    python3 Proofs/numerics/check.py            # all sections (~2-4 min, ~2 GB RAM)
    python3 Proofs/numerics/check.py lozo sub   # selected sections

Sections: philox, bm, kernels, lozo, sub, cos, onesided, lozom, drift, sparse, coeffs.
Every random generator below is seeded, so the output is reproducible.
"""
import math
import sys

import numpy as np

f32 = np.float32


def section(name):
    return len(sys.argv) == 1 or name in sys.argv[1:]


# ---------------------------------------------------------------- rng.md PHILOX-KAT
def philox(c, k):
    """Philox4x32-10, transcribed from Sources/ZOCore/Keys/Philox.swift."""
    m0, m1, w0, w1 = 0xD2511F53, 0xCD9E8D57, 0x9E3779B9, 0xBB67AE85
    c, k = list(c), list(k)
    for r in range(10):
        if r > 0:
            k = [(k[0] + w0) & 0xFFFFFFFF, (k[1] + w1) & 0xFFFFFFFF]
        p0, p1 = m0 * c[0], m1 * c[2]
        c = [((p1 >> 32) ^ c[1] ^ k[0]) & 0xFFFFFFFF, p1 & 0xFFFFFFFF,
             ((p0 >> 32) ^ c[3] ^ k[1]) & 0xFFFFFFFF, p0 & 0xFFFFFFFF]
    return c


if section("philox"):
    kat = [((0, 0, 0, 0), (0, 0), (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)),
           ((0xFFFFFFFF,) * 4, (0xFFFFFFFF,) * 2, (0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD)),
           ((0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344), (0xA4093822, 0x299F31D0),
            (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1))]
    for c, k, want in kat:
        assert tuple(philox(c, k)) == want, (c, k)
    print("[philox] Random123 kat_vectors (philox4x32 10): 3/3 match")

# ---------------------------------------------------------------- rng.md BM-*
if section("bm"):
    from mpmath import mp, mpf, erfc, sqrt, log, exp, pi, loggamma, diff, zeta
    mp.dps = 30
    for bits in (24, 53):
        rmax = sqrt(2 * bits * log(2))
        print(f"[bm] {bits}-bit: rho_max={float(rmax):.6f}  1-D mass beyond={float(erfc(rmax / sqrt(2))):.3e}"
              f"  2-D mass={2.0 ** -bits:.3e}")
    t = sqrt(48 * log(2))
    phi_t, q_t = exp(-t * t / 2) / sqrt(2 * pi), erfc(t / sqrt(2)) / 2
    print(f"[bm] 1-D tail-only deficits: E z^2 {float(2 * (t * phi_t + q_t)):.3e}"
          f"  E z^4 {float(2 * ((t ** 3 + 3 * t) * phi_t + 3 * q_t)):.3e}")
    N = 2 ** 24
    l = np.log(np.arange(1, N + 1, dtype=np.float64) / N)
    s1, s2 = -math.fsum(l) / N, math.fsum(l * l) / N
    z2pp = diff(zeta, 0, 2)
    L = log(mpf(N))
    print(f"[bm] float: E z^2 = 1 - {1 - s1:.5e}  (Stirling {float(log(2 * pi * N) / (2 * N)):.5e});"
          f"  E z^4 = 3 - {3 - 1.5 * s2:.5e}  (asymptotic {float(1.5 * (L * L / 2 + L * log(2 * pi) - z2pp) / N):.5e})")
    print(f"[bm] zeta''(0) = {float(z2pp):.6f};  pair Cov(z_a^2, z_b^2) = {s2 / 2 - s1 * s1:.3e}")
    Nd = mpf(2) ** 53
    print(f"[bm] double: E z^2 = 1 - {float(log(2 * pi * Nd) / (2 * Nd)):.3e}")
    del l

# ---------------------------------------------------------------- rng.md LOG01 / SINCOS / GAUSS-FLOAT
if section("kernels"):
    s = (math.sqrt(2) - 1) / (math.sqrt(2) + 1)
    tail = 2 * sum(s ** (2 * k + 1) / (2 * k + 1) for k in range(5, 80))
    print(f"[kernels] s_max={s:.6f} atanh tail={tail:.4e} bound={2 * s ** 11 / (11 * (1 - s * s)):.4e}"
          f" relative<={s ** 10 / (11 * (1 - s * s)):.3e}")
    x = math.pi / 4
    print(f"[kernels] Taylor remainders: sin {x ** 11 / math.factorial(11):.3e}  cos {x ** 10 / math.factorial(10):.3e}")
    k = np.arange(2 ** 24, dtype=np.uint32)
    # log01, same operation order as VectorMath.log01 (IEEE single, no FMA)
    u = (k.astype(f32) + f32(1)) * f32(1.0 / 16777216.0)
    bits = u.view(np.uint32)
    e = (bits >> 23).astype(np.int32) - 127
    m = ((bits & 0x007FFFFF) | 0x3F800000).view(f32)
    big = m > f32(1.41421356)
    m = np.where(big, m * f32(0.5), m).astype(f32)
    e = np.where(big, e + 1, e)
    sv = (m - f32(1)) / (m + f32(1))
    s2 = sv * sv
    p = f32(1 / 9)
    for cst in (1 / 7, 1 / 5, 1 / 3, 1.0):
        p = p * s2 + f32(cst)
    ln = e.astype(f32) * f32(0.693147180559945309) + f32(2) * sv * p
    ref = np.log(u.astype(np.float64))
    nz = ref != 0
    err = np.abs(ln.astype(np.float64) - ref)
    ulp = np.spacing(np.abs(ref[nz]).astype(f32)).astype(np.float64)
    rho = np.sqrt(f32(-2) * ln).astype(np.float64)
    rref = np.sqrt(-2 * ref)
    e_rho = np.max(np.abs(rho[rref > 0] / rref[rref > 0] - 1))
    print(f"[kernels] log01 exhaustive: max {np.max(err[nz] / ulp):.2f} ulp, rel {np.max(err[nz] / np.abs(ref[nz])):.3e};"
          f" rho rel {e_rho:.3e}")
    # sinCosTurn
    q = (k + np.uint32(1 << 21)) >> np.uint32(22)
    rem = k.astype(np.int32) - (q << np.uint32(22)).astype(np.int32)
    phi = rem.astype(f32) * f32(math.pi / 2 / (1 << 22))
    p2 = phi * phi
    sp = f32(1 / 362880.0)
    for cst in (-1 / 5040.0, 1 / 120.0, -1 / 6.0, 1.0):
        sp = sp * p2 + f32(cst)
    sn = phi * sp
    cp = f32(1 / 40320.0)
    for cst in (-1 / 720.0, 1 / 24.0, -0.5):
        cp = cp * p2 + f32(cst)
    cs = cp * p2 + f32(1)
    swap = (q & 1) != 0
    cc, ss = np.where(swap, sn, cs), np.where(swap, cs, sn)
    cosf = np.where(((q + 1) & 2) != 0, -cc, cc).astype(np.float64)
    sinf = np.where((q & 2) != 0, -ss, ss).astype(np.float64)
    ang = 2 * np.pi * k.astype(np.float64) / 2 ** 24
    e_c = max(np.max(np.abs(cosf - np.cos(ang))), np.max(np.abs(sinf - np.sin(ang))))
    print(f"[kernels] sincos exhaustive: max abs err {e_c:.3e} = {e_c * 2 ** 24:.2f} u;"
          f" sum cos={cosf.sum():.1e} sum sin={sinf.sum():.1e}")
    print(f"[kernels] computed moments: E cos^2-1/2={np.mean(cosf ** 2) - 0.5:.2e}, E rho^2/2 = 1-{1 - np.mean(rho ** 2) / 2:.4e}")
    bound = e_rho + e_c + e_rho * e_c + 2 ** -24 * (1 + e_rho) * (1 + e_c)
    print(f"[kernels] |z_f - z| <= {bound:.3e} * rho <= {bound * math.sqrt(48 * math.log(2)):.3e}")
    del k, u, bits, e, m, sv, s2, p, ln, ref, rho, rref, q, rem, phi, p2, sp, sn, cp, cs, cosf, sinf, ang


def haar(rng, m, r, fix=True):
    qm, rm = np.linalg.qr(rng.standard_normal((m, r)))
    return qm * np.sign(np.diag(rm)) if fix else qm


def operators(G):
    m, n = G.shape
    g = G.reshape(-1)
    A = np.kron(np.eye(m), G.T @ G)          # delta_ik (G^T G)_jl, row-major vec
    B = np.kron(G @ G.T, np.eye(n))          # (G G^T)_ik delta_jl
    S = np.einsum("il,kj->ijkl", G, G).reshape(m * n, m * n)
    return g, A, B, S


def subzero_c(m, n, r):
    d = r * r * (m - 1) * (m + 2) * (n - 1) * (n + 2)
    c1 = m * n * (m * n * r * r + 2 * m * n + (m + n + 3) * r * r - 4 * (m + n + 1) * r + 4) / d
    c2 = m * n * (2 * m * n * r + m * n - (m + n + 1) * r * r - 2 * (m + n) + 4 * r) / d
    return c1, c2


# ---------------------------------------------------------------- estimators.md LOZO-*
if section("lozo"):
    rng = np.random.default_rng(7)
    m, n, r = 12, 8, 2
    G = rng.standard_normal((m, n))
    G2 = (G ** 2).sum()
    T = 2_000_000
    V = rng.standard_normal((T, n, r))
    GV = np.einsum("ij,bjk->bik", G, V)
    GVV = np.einsum("ij,bjl->bil", G, np.einsum("bjk,blk->bjl", V, V))
    x = (m * (V ** 2).sum((1, 2)) * (GV ** 2).sum((1, 2)) + 2 * (GVV ** 2).sum((1, 2))) / r ** 2 / G2
    print(f"[lozo] E|g|^2/|G|^2 (U exact, V MC): {x.mean():.3f} +- {x.std() / math.sqrt(T):.3f};"
          f" formula {m * n + 2 + 2 * (m + n + 1) / r}; wrong formula {m * n + 2 * (m + n + 2) / r}")
    del V, GV, GVV, x
    g, A, B, S = operators(G)
    M = G2 * np.eye(m * n) + 2 * np.outer(g, g) + (2 / r) * (A + B + S)
    acc = np.zeros((m * n, m * n))
    tot = 0
    for _ in range(20):
        U = rng.standard_normal((20000, m, r))
        Vb = rng.standard_normal((20000, n, r))
        Z = np.einsum("bik,bjk->bij", U, Vb)
        gh = (np.einsum("ij,bij->b", G, Z)[:, None, None] * Z / r).reshape(20000, -1)
        acc += gh.T @ gh
        tot += 20000
    acc /= tot
    print(f"[lozo] matrix formula vs MC: max rel entry err {np.abs(acc - M).max() / np.abs(M).max():.3f};"
          f" min eig(A+B+S) = {np.linalg.eigvalsh(A + B + S).min():.3f}")

# ---------------------------------------------------------------- estimators.md SUBZERO-*
if section("sub"):
    import sympy as sp
    ms, ns, rs = sp.symbols("m n r", positive=True)

    def ab(mm):
        beta = rs * (mm - rs) / (mm * (mm - 1) * (mm + 2))
        return rs ** 2 / mm ** 2 - 2 * beta / mm, beta

    (am, bm), (an, bn) = ab(ms), ab(ns)
    s4 = (ms * ns / rs ** 2) ** 2
    c1, c2 = s4 * (am * an + 2 * bm * bn), s4 * (am * bn + bm * an + bm * bn)
    e1 = sp.simplify(c1 * ms * ns * (ms * ns + 2) + 2 * c2 * ms * ns * (ms + ns + 1) - s4 * rs ** 2 * (rs ** 2 + 2))
    e2 = sp.simplify(c1 * ms * ns * (ms + ns + 1) + c2 * ms * ns * (ms * ns + ms + ns + 3) - s4 * rs ** 2 * (2 * rs + 1))
    tr = sp.simplify(c1 * (ms * ns + 2) + 2 * c2 * (ms + ns + 1) - ms * ns * (1 + 2 / rs ** 2))
    print(f"[sub] symbolic: Haar-projection route == bi-invariance route: {e1 == 0 and e2 == 0}; trace identity: {tr == 0}")
    rng = np.random.default_rng(1)
    m, n, r = 12, 8, 2
    G = rng.standard_normal((m, n))
    G2 = (G ** 2).sum()
    Hh = rng.standard_normal((m * n, m * n))
    H = Hh @ Hh.T / (m * n)
    g, A, B, S = operators(G)
    c1n, c2n = subzero_c(m, n, r)
    M = c1n * (G2 * np.eye(m * n) + 2 * np.outer(g, g)) + 2 * c2n * (A + B + S)
    print(f"[sub] formula: E|g|^2/|G|^2 = {np.trace(M) / G2:.3f} (mn(1+2/r^2) = {m * n * (1 + 2 / r ** 2)}),"
          f" tr(H M) = {np.trace(H @ M):.1f}")
    s = math.sqrt(m * n) / r
    for fix in (True, False):
        # Z0 integrated exactly given (U, V): E[g g^T | U, V] = s^4 (|A|^2 kron(P, Q) + 2 vec(PGQ) vec(PGQ)^T)
        acc = np.zeros((m * n, m * n))
        T = 20_000
        traces = np.empty(T)
        for t in range(T):
            U, V = haar(rng, m, r, fix), haar(rng, n, r, fix)
            P, Q = U @ U.T, V @ V.T
            v = (P @ G @ Q).reshape(-1)
            a2 = ((U.T @ G @ V) ** 2).sum()
            acc += a2 * np.kron(P, Q) + 2 * np.outer(v, v)
            traces[t] = s ** 4 * (r * r + 2) * a2 / G2
        acc *= s ** 4 / T
        print(f"[sub] MC over frames, Z0 exact (sign fix={fix}): E|g|^2/|G|^2 = {traces.mean():.2f}"
              f" +- {traces.std() / math.sqrt(T):.2f},"
              f" tr(H M) = {np.trace(H @ acc):.0f}, max rel entry err {np.abs(acc - M).max() / np.abs(M).max():.3f}")
    U, V = haar(rng, m, r), haar(rng, n, r)
    Z = s * np.einsum("ia,bac,jc->bij", U, rng.standard_normal((400_000, r, r)), V)
    gh = np.einsum("ij,bij->b", G, Z)[:, None, None] * Z
    mu = (m * n / r ** 2) * U @ U.T @ G @ V @ V.T
    var = ((gh - gh.mean(0)) ** 2).sum((1, 2)).mean()
    print(f"[sub] fixed U,V: Var/|mean|^2 = {var / (mu ** 2).sum():.3f} (r^2+1 = {r * r + 1})")
    P = np.array([(lambda Q: Q @ Q.T)(haar(rng, m, r)) for _ in range(100_000)])
    E = np.einsum("bij,bkl->ijkl", P, P) / len(P)
    am_, bm_ = r * (m * r + r - 2) / (m * (m - 1) * (m + 2)), r * (m - r) / (m * (m - 1) * (m + 2))
    d = np.eye(m)
    pred = am_ * np.einsum("ij,kl->ijkl", d, d) + bm_ * (np.einsum("ik,jl->ijkl", d, d) + np.einsum("il,jk->ijkl", d, d))
    print(f"[sub] E[P_ij P_kl]: max abs err {np.abs(E - pred).max():.1e} (alpha={am_:.5f}, beta={bm_:.5f})")

# ---------------------------------------------------------------- cosine claims
if section("cos"):
    from scipy.special import gammaln
    cd = lambda k: math.exp(gammaln(k / 2) - gammaln((k + 1) / 2)) / math.sqrt(math.pi)
    rng = np.random.default_rng(5)
    m, n, r = 12, 8, 2
    G = np.outer(rng.standard_normal(m), rng.standard_normal(n)) + 0.1 * rng.standard_normal((m, n))
    g = G.reshape(-1)
    z = rng.standard_normal((400_000, m * n))
    print(f"[cos] MeZO E cos = {np.mean(np.abs(z @ g) / np.linalg.norm(z, axis=1)) / np.linalg.norm(g):.5f}, c_d = {cd(m * n):.5f}")
    vals = []
    for _ in range(50_000):
        U, V = haar(rng, m, r), haar(rng, n, r)
        A = U.T @ G @ V
        Z0 = rng.standard_normal((r, r))
        vals.append(abs((A * Z0).sum()) / np.linalg.norm(Z0) / np.linalg.norm(G))
    print(f"[cos] SubZero E cos = {np.mean(vals):.4f} +- {np.std(vals) / math.sqrt(len(vals)):.4f};"
          f" bound c_(r^2) r/sqrt(mn) = {cd(r * r) * r / math.sqrt(m * n):.4f}")
    print("[cos] limit ratio SubZero bound / MeZO:",
          ", ".join(f"r={k}: {cd(k * k) * k * math.sqrt(math.pi / 2):.3f}" for k in (1, 2, 4, 8)))

# ---------------------------------------------------------------- one-sided
if section("onesided"):
    rng = np.random.default_rng(3)
    d = 6
    A = rng.standard_normal((d, d))
    H = A @ A.T
    z = rng.standard_normal((2_000_000, d))
    q = np.einsum("bi,ij,bj->b", z, H, z)
    x = q ** 2 * (z ** 2).sum(1)
    print(f"[onesided] E[(zHz)^2|z|^2] = {x.mean():.1f} +- {x.std() / math.sqrt(len(x)):.1f};"
          f" formula {(d + 4) * (np.trace(H) ** 2 + 2 * (H * H).sum()):.1f}")
    M = np.einsum("b,bi,bj->ij", q ** 2, z, z) / len(z)
    Mf = (np.trace(H) ** 2 + 2 * np.trace(H @ H)) * np.eye(d) + 4 * np.trace(H) * H + 8 * H @ H
    print(f"[onesided] matrix formula: max rel err {np.abs(M - Mf).max() / np.abs(Mf).max():.3f}")
    g = rng.standard_normal(d)
    gh = (z @ g)[:, None] * z
    Mg = gh.T @ gh / len(z)
    print(f"[onesided] tr(H E gg^T) = {np.trace(H @ Mg):.2f}; |g|^2 trH + 2 gHg = {g @ g * np.trace(H) + 2 * g @ H @ g:.2f};"
          f" (brief's |g|^2 trH + gHg = {g @ g * np.trace(H) + g @ H @ g:.2f})")

# ---------------------------------------------------------------- LOZO-M transfer
if section("lozom"):
    rng = np.random.default_rng(5)
    n, r = 20, 3
    mrow = rng.standard_normal(n)
    V = rng.standard_normal((200_000, n, r))
    a = np.einsum("i,bij->bj", mrow, np.einsum("bik,bjk->bij", V, V)) / n
    P = np.linalg.solve(np.einsum("bki,bkj->bij", V, V), np.transpose(V, (0, 2, 1)))
    b = np.einsum("i,bik,bkj->bj", mrow, V, P)
    nm = mrow @ mrow
    print(f"[lozom] E|M VV^T/n|^2 = {(a ** 2).sum(1).mean():.3f} (r(n+r+1)/n^2 |M|^2 = {r * (n + r + 1) / n ** 2 * nm:.3f});"
          f" E|diff to projection|^2 = {((a - b) ** 2).sum(1).mean():.3f} (r(r+1)/n^2 |M|^2 = {r * (r + 1) / n ** 2 * nm:.3f})")

# ---------------------------------------------------------------- pitfalls.md INPLACE-*
if section("drift"):
    rng = np.random.default_rng(3)
    for dt, name in ((np.float32, "fp32"), (np.float16, "fp16")):
        for sd in (0.02, 0.05, 1.0):
            th = (rng.standard_normal(1_000_000) * sd).astype(dt)
            dl = (dt(1e-3) * rng.standard_normal(1_000_000).astype(dt)).astype(dt)
            x1 = (th + dl).astype(dt)
            x2 = (x1 - dt(2) * dl).astype(dt)
            x3 = (x2 + dl).astype(dt)
            print(f"[drift] {name} sigma={sd}: fraction drifted {np.mean(x3 != th):.3f}")
    t = rng.uniform(-100, 100, 1_000_000)
    print(f"[drift] same-binade model, uniform phi: {np.mean(2 * np.round(t) - np.round(2 * t) != 0):.3f}")

# ---------------------------------------------------------------- pitfalls.md SPARSE-MASK-PERTURBED
if section("sparse"):
    from scipy.optimize import brentq
    from scipy.stats import norm
    rng = np.random.default_rng(0)
    n, sig, eps, dens = 1_000_000, 0.02, 1e-3, 0.2
    th, z = rng.standard_normal(n) * sig, rng.standard_normal(n)
    k = int(round(dens * n))

    def mask(x):
        idx = np.lexsort((np.arange(n), np.abs(x)))[:k]
        out = np.zeros(n, bool)
        out[idx] = True
        return out

    m0 = mask(th)
    m1 = mask(th + eps * m0 * z)
    m2 = mask(th + eps * (m0.astype(float) - 2 * m1) * z)
    restored = th + eps * (m0.astype(float) - 2 * m1 + m2) * z
    tau = brentq(lambda t: t * (1 + norm.cdf(-t)) - norm.pdf(t), 0.01, 1)
    h = sig * norm.ppf(0.5 + dens / 2)
    f = 2 * norm.pdf(h / sig) / sig
    print(f"[sparse] tau* = {tau:.4f}; flips predicted {2 * tau * f * eps:.4f}, simulated {np.mean(m0 != m1):.4f};"
          f" not restored {np.mean(np.abs(restored - th) > 1e-12):.4f}")

# ---------------------------------------------------------------- SubZero coefficients (exact rationals)
if section("coeffs"):
    from fractions import Fraction as Fr
    bad1, bad2 = [], []
    for m in range(2, 120):
        for n in range(2, 120):
            for r in range(1, min(m, n) + 1):
                d = r * r * (m - 1) * (m + 2) * (n - 1) * (n + 2)
                c1 = Fr(m * n * (m * n * r * r + 2 * m * n + (m + n + 3) * r * r - 4 * (m + n + 1) * r + 4), d)
                c2 = Fr(m * n * (2 * m * n * r + m * n - (m + n + 1) * r * r - 2 * (m + n) + 4 * r), d)
                if c1 < 1:
                    bad1.append((m, n, r))
                if c2 < 0:
                    bad2.append((m, n, r))
    print(f"[coeffs] 2<=m,n<120: c2<0 in {len(bad2)} cases; c1<1 in {len(bad1)} cases,"
          f" min r/min(m,n) among them = {min(b[2] / min(b[0], b[1]) for b in bad1):.3f}; e.g. {bad1[:3]}")
