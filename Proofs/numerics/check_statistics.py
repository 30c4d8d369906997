#!/usr/bin/env python3
"""Numerical sanity checks for Proofs/statistics.md and Proofs/rates.md (and the sections of
estimators.md they extend). Not part of the Swift suite and not a proof: it recomputes the quoted
constants (quantiles, noncentralities, Gamma-function ratios) and runs small seeded Monte Carlo
checks. Needs numpy and scipy.

    python3 Proofs/numerics/check_statistics.py            # all sections (~1-2 min)
    python3 Proofs/numerics/check_statistics.py zosgd sub  # selected sections

Sections: design, mom, zosgd, bound, sparse, lozo, sub, cos, order.
Output of a full run: Proofs/numerics/output_statistics.txt.
"""
import math
import sys

import numpy as np
from scipy import stats
from scipy.special import gammaln

N = stats.norm


def section(name):
    return len(sys.argv) == 1 or name in sys.argv[1:]


def lam_star(d, alpha, power=0.95):
    """Noncentrality at which chi2_d(lambda) exceeds its level-alpha critical value w.p. `power`."""
    crit = stats.chi2.isf(alpha, d)
    lo, hi = 0.0, 1.0
    while stats.ncx2.sf(crit, d, hi) < power:
        hi *= 2
    for _ in range(100):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if stats.ncx2.sf(crit, d, mid) < power else (lo, mid)
    return hi


# ------------------------------------------------------------- statistics.md design functions
if section("design"):
    zb = N.ppf(0.95)
    for a in (2e-5, 1e-5):
        print(f"[design] alpha={a:g}: z_(a/2)={N.isf(a/2):.4f} z_a={N.isf(a):.4f} z_0.95={zb:.4f} "
              f"two-sided factor {N.isf(a/2)+zb:.4f}, one-sided {N.isf(a)+zb:.4f}")
    for d, a in ((1, 2e-5), (2, 2e-5), (8, 2e-5), (20, 1e-5)):
        print(f"[design] lambda*(d={d}, alpha={a:g}) = {lam_star(d, a):.3f}")
    # MEZO-UNBIASED directed part: alpha/2 = 1e-5 over K = 3 directions, n = 2000, sd along g = sqrt 2.
    K, n = 3, 2000
    print(f"[design] MEZO-UNBIASED directed: per-direction z = {N.isf(1e-5/K/2):.4f}, detectable "
          f"{(N.isf(1e-5/K/2)+zb)*math.sqrt(2)/math.sqrt(n):.4f} x |g| (sd along g = sqrt 2)")
    lam = lam_star(20, 1e-5)
    print(f"[design] MEZO-UNBIASED chi2 part: detectable Mahalanobis {math.sqrt(lam/n):.4f}; a scale error "
          f"kappa has Delta = |kappa-1|/sqrt2, so |kappa-1| >= {math.sqrt(2*lam/n):.4f} is detected")
    # Edgeworth: first-order relative error of a one-sided t tail, per unit skewness and 1/sqrt(n)
    z = N.isf(2e-5)
    print(f"[design] one-sided t tail at alpha=2e-5: relative Edgeworth term (2z^2+1)/6 * phi(z)/Q(z) = "
          f"{(2*z*z+1)/6*N.pdf(z)/N.sf(z):.2f} * skew/sqrt(n)  (phi/Q = {N.pdf(z)/N.sf(z):.3f})")
    # Student vs normal critical values at the CI sizes
    for n in (10, 12, 40, 60, 2000):
        print(f"[design] t_(n-1) vs z at alpha/2=1e-5, n={n}: {stats.t.isf(1e-5, n-1):.3f} vs {N.isf(1e-5):.3f}")
    print(f"[design] CP upper 95% with 0 fails in M=1000: {stats.beta.ppf(0.975, 1, 1000):.5f}; "
          f"one-sided DKW band at 0.01, M=1000: {math.sqrt(math.log(100)/2000):.4f}")

# ------------------------------------------------------------- median of means
if section("mom"):
    rng = np.random.default_rng(11)
    alpha = 1e-3
    k = math.ceil(8 * math.log(1 / alpha))
    n, sigma = 20 * k, 1.0
    m = n // k
    thr = 2 * sigma / math.sqrt(m)
    reps = 20000
    x = rng.standard_t(3, (reps, k, m)) / math.sqrt(3)          # variance 1, heavy tails
    mom = np.median(x.mean(axis=2), axis=1)
    print(f"[mom] k={k} m={m} threshold={thr:.4f}: false-fail {np.mean(np.abs(mom) > thr):.2e} (bound {alpha:g}); "
          f"power at 2*threshold {np.mean(np.abs(mom + 2*thr) > thr):.4f}")
    print(f"[mom] CI alpha=2e-5: k={math.ceil(8*math.log(5e4))}, detectable 4 sigma sqrt(k/n) = "
          f"{4*math.sqrt(math.ceil(8*math.log(5e4))):.2f} sigma/sqrt(n) vs t-test {N.isf(1e-5)+N.ppf(.95):.2f}")

# ------------------------------------------------------------- rates.md ZO-SGD-RATE
if section("zosgd"):
    rng = np.random.default_rng(2)

    def averages(d, T, reps):
        """Per-seed (1/T) sum_t |grad f_t|^2 on f = |x|^2/2, f0 = 1, eta = 1/(d+2): f_{t+1} = R_t f_t."""
        D, out = d + 2, []
        for c in range(0, reps, 1000):
            k = min(1000, reps - c)
            a = rng.chisquare(1, (k, T))
            b = rng.chisquare(d - 1, (k, T))
            R = 1 - 2 * a / D + a * (a + b) / D**2
            logf = np.concatenate([np.zeros((k, 1)), np.cumsum(np.log(R), axis=1)[:, :-1]], axis=1)
            out.append(2 * np.exp(logf).sum(axis=1) / T)
        return np.concatenate(out)

    for d in (8, 16, 32, 64):
        D = d + 2
        rho = (2 - 6 / D + 24 / D**2) / (2 * D - 3 + 6 / D - 24 / D**2)
        T = 48 * D
        q = 1 - 1 / D
        x = averages(d, T, 20000)
        print(f"[zosgd] d={d}: mean A / (2(d+2)(1-q^T)/T) = {x.mean()/(2*D*(1-q**T)/T):.4f};  rel. var {x.var()/x.mean()**2:.5f} "
              f"vs rho {rho:.5f};  E log A - log E A = {np.log(x).mean()-np.log(x.mean()):.5f} vs -rho/2 = {-rho/2:.5f}")
    reps, seeds = 3000, 5
    cells = [(d, k) for d in (8, 16, 32, 64) for k in (12, 24, 48)]
    Y = {c: averages(c[0], c[1] * (c[0] + 2), reps * seeds).reshape(reps, seeds) for c in cells}
    X = np.array([[1, math.log(d + 2), math.log(k * (d + 2))] for (d, k) in cells for _ in range(seeds)])
    XtXi = np.linalg.inv(X.T @ X)
    nobs, p = X.shape
    b1, b2, pv = [], [], []
    for r in range(reps):
        y = np.log(np.concatenate([Y[c][r] for c in cells]))
        beta = XtXi @ X.T @ y
        res = y - X @ beta
        C = (res @ res / (nobs - p)) * XtXi[1:, 1:]
        dl = beta[1:] - np.array([1.0, -1.0])
        pv.append(stats.f.sf(dl @ np.linalg.solve(C, dl) / 2, 2, nobs - p))
        b1.append(beta[1]); b2.append(beta[2])
    pv = np.array(pv)
    print(f"[zosgd] regression over {reps} replicates of the CI design: beta_log(d+2) {np.mean(b1):.4f} (sd {np.std(b1):.4f}), "
          f"beta_logT {np.mean(b2):.4f} (sd {np.std(b2):.4f})")
    print("[zosgd] F-test rejection rate at alpha = " +
          ", ".join(f"{a:g}: {np.mean(pv < a):.4f}" for a in (0.1, 0.05, 0.01, 0.001)))
    xs = np.log([10, 18, 34, 66])
    gap = []
    for D in (10, 18, 34, 66):
        gap.append(-(2 - 6 / D + 24 / D**2) / (2 * D - 3 + 6 / D - 24 / D**2) / 2)
    bias = np.polyfit(xs, gap, 1)[0]
    print(f"[zosgd] predicted bias of beta_log(d+2) (slope of -rho/2 on log(d+2)): {bias:.4f}")
    # beta1 = gamma1 - gamma2, beta2 = gamma2 with gamma1 (total log(d+2) effect) orthogonal to gamma2:
    # the Wald noncentrality of the bias (bias, 0) is bias^2 / Var(gamma1), Var(gamma1) = Var b1 - Var b2.
    v1 = np.var(b1) - np.var(b2)
    crit = stats.chi2.isf(2e-5, 2)
    for s_ in (5, 50):
        lam = bias**2 / (v1 * 5 / s_)
        print(f"[zosgd] {s_} seeds: noncentrality of the Jensen bias {lam:.3f}; chi2_2 approximation of the false-fail "
              f"rate at alpha = 2e-5: {stats.ncx2.sf(crit, 2, lam):.2e} ({stats.ncx2.sf(crit, 2, lam)/2e-5:.1f} x alpha)")

# ------------------------------------------------------------- rates.md ZO-SGD-BOUND
if section("bound"):
    rng = np.random.default_rng(5)
    d, T, S = 48, 1500, 200
    for name, h in (("identity", np.ones(d)), ("power law 1/i", 1 / np.arange(1, d + 1))):
        L = h.max()
        eta = 1 / ((d + 2) * L)
        ratios = []
        for s in range(S):
            x = rng.standard_normal(d)                      # theta - theta*
            f0 = 0.5 * np.sum(h * x * x)
            tot = 0.0
            for t in range(T):
                g = h * x
                tot += g @ g
                z = rng.standard_normal(d)
                x = x - eta * (g @ z) * z
            ratios.append(tot / T / (2 * (d + 2) * L * f0 / T))
        q = 1 - 1 / (d + 2)
        print(f"[bound] {name}: mean ratio to 2(d+2)L(f0-f*)/T = {np.mean(ratios):.4f} +- {np.std(ratios)/math.sqrt(S):.4f}"
              + (f" (exact 1 - q^T = {1-q**T:.6f})" if name == "identity" else ""))

# ------------------------------------------------------------- rates.md SPARSE-THEOREM-1
if section("sparse"):
    for dh in (1, 16, 100, 10**4):
        derived = 32 * (dh + 4)**2 / (7 * dh + 30)
        print(f"[sparse] d^={dh}: derived constant 32(d^+4)^2/(7d^+30) = {derived:.3f} = {derived/(dh+4):.4f} (d^+4) "
              f"vs paper 16 (d^+4): ratio {derived/(16*(dh+4)):.4f}")

# ------------------------------------------------------------- LOZO Rao-Blackwell
if section("lozo"):
    rng = np.random.default_rng(6)

    def rb(G, V, r):
        m = G.shape[0]
        GV = G @ V
        VtV = V.T @ V
        return (np.sum(GV * GV) * m * np.trace(VtV) + 2 * np.einsum("ia,ab,ib->", GV, VtV, GV)) / r**2 / np.sum(G * G)

    for (m, n, r) in ((2, 2, 2), (12, 8, 2)):
        G = rng.standard_normal((m, n))
        vals = np.array([rb(G, rng.standard_normal((n, r)), r) for _ in range(200000)])
        print(f"[lozo] m={m} n={n} r={r}: mean of E_U[|g|^2|V]/|G|^2 = {vals.mean():.4f} +- {vals.std()/math.sqrt(len(vals)):.4f} "
              f"(formula {m*n+2+2*(m+n+1)/r:.4f}, circulating {m*n+2*(m+n+2)/r:.4f}); sd {vals.std():.3f}")
    # direct check of the conditional formula against U sampled (one V)
    m, n, r = 3, 4, 2
    G = rng.standard_normal((m, n)); V = rng.standard_normal((n, r))
    U = rng.standard_normal((400000, m, r))
    c = np.einsum("ij,nij->n", G @ V, U)
    Z2 = np.einsum("nia,ab,nib->n", U, V.T @ V, U)
    print(f"[lozo] one V, U sampled: {np.mean(c*c*Z2)/r**2/np.sum(G*G):.4f} +- {np.std(c*c*Z2)/r**2/np.sum(G*G)/math.sqrt(400000):.4f} "
          f"vs formula {rb(G, V, r):.4f}")
    best = max(((2 - 2 / r) / (m * n + 2 + 2 * (m + n + 1) / r), m, n, r)
               for r in range(1, 41) for m in range(r, 41) for n in range(r, 41))
    print(f"[lozo] largest relative gap (2-2/r)/(mn+2+2(m+n+1)/r) over 1<=r<=m,n<=40: {best[0]:.5f} at m,n,r = {best[1:]}")

# ------------------------------------------------------------- SubZero relative variance, Gaussian bases
if section("sub"):
    rng = np.random.default_rng(4)
    m, n, r = 8, 6, 4
    G = rng.standard_normal((m, 2)) @ rng.standard_normal((2, n))

    def ratio(U, V):
        Pu, Pv, A = U.T @ U, V.T @ V, U.T @ G @ V
        return 2 + np.sum(A * A) * np.trace(Pu) * np.trace(Pv) / np.trace(A.T @ Pu @ A @ Pv)

    def haar(k):
        Q, R = np.linalg.qr(rng.standard_normal((k, r)))
        return Q * np.sign(np.diag(R))

    orth = [ratio(haar(m), haar(n)) for _ in range(2000)]
    gauss = np.array([ratio(rng.standard_normal((m, r)) / math.sqrt(m), rng.standard_normal((n, r)) / math.sqrt(n))
                      for _ in range(20000)]) / (r * r + 2)
    print(f"[sub] orthonormal bases: E|g|^2/|E[g|U,V]|^2 in [{min(orth):.10f}, {max(orth):.10f}] (r^2+2 = {r*r+2})")
    print(f"[sub] Gaussian bases (8x6, r=4): ratio/(r^2+2) mean {gauss.mean():.4f}, sd {gauss.std():.4f}, "
          f"5/50/95% {np.quantile(gauss, .05):.3f}/{np.median(gauss):.3f}/{np.quantile(gauss, .95):.3f}")
    # one block's per-sample sd under orthonormal bases: X = <a,z>^2 |z|^2/((k+2)|a|^2), k = r^2
    k = r * r
    z = rng.standard_normal((1_000_000, k))
    X = z[:, 0]**2 * (z**2).sum(1) / (k + 2)
    sd = X.std()
    crit = stats.chi2.isf(2e-5, 8)
    lam = np.array([np.sum(((rng.choice(gauss, 8) - 1) * math.sqrt(2500) / sd)**2) for _ in range(5000)])
    print(f"[sub] per-sample sd of the ratio {sd:.3f}; chi2_8 critical at 2e-5 = {crit:.2f}; median noncentrality under the "
          f"mutant {np.median(lam):.0f}; approx. power {np.mean(stats.ncx2.sf(crit, 8, lam)):.4f}")

# ------------------------------------------------------------- SubZero versus MeZO cosine
if section("cos"):
    rng = np.random.default_rng(3)

    def e(m, r):
        """E|U^T a| for a unit vector a and a uniform r-dim subspace of R^m: E sqrt(Beta(r/2,(m-r)/2))."""
        return math.exp(gammaln((r + 1) / 2) + gammaln(m / 2) - gammaln(r / 2) - gammaln((m + 1) / 2))

    def c(k):
        return e(k, 1)

    m, n, r = 24, 16, 2
    print(f"[cos] c_4 = {c(4):.6f} (4/(3 pi) = {4/(3*math.pi):.6f}); MeZO c_384 = {c(384):.6f}; "
          f"Jensen bound c_4 r/sqrt(mn) = {c(4)*r/math.sqrt(m*n):.6f}")
    print(f"[cos] rank-1 G, exact: E cos SubZero = c_4 e_24(2) e_16(2) = {c(4)*e(m,r)*e(n,r):.6f} "
          f"(ratio to MeZO {c(4)*e(m,r)*e(n,r)/c(m*n):.4f})")

    def haar(k, N):
        Q, R = np.linalg.qr(rng.standard_normal((N, k, r)))
        return Q * np.sign(np.diagonal(R, axis1=1, axis2=2))[:, None, :]

    Nf = 200000
    U, V = haar(m, Nf), haar(n, Nf)
    for s2 in (0, 0.1, 0.25, 0.5, 0.75, 0.9, 1):
        G = np.zeros((m, n)); G[0, 0], G[1, 1] = 1, s2
        G /= np.linalg.norm(G)
        v = c(r * r) * np.linalg.norm(np.einsum("nia,ij,njb->nab", U, G, V), axis=(1, 2))
        print(f"[cos] rank-2 G, sigma2/sigma1 = {s2}: E cos SubZero = {v.mean():.5f} +- {v.std()/math.sqrt(Nf):.5f} "
              f"(ratio to MeZO {v.mean()/c(m*n):.4f})")
    ratios = [(c(r * r) * e(mm, r) * e(nn, r) / c(mm * nn), mm, nn, r)
              for r in range(1, 31) for mm in range(r, 61) for nn in range(r, 61)]
    top = max(x[0] for x in ratios)
    worst = max(x for x in ratios if min(x[1], x[2]) >= 2 and not x[1] == x[2] == x[3])
    print(f"[cos] rank-1 G, 1<=r<=m,n<=60: max ratio SubZero/MeZO {top:.12f} (= 1 exactly when m = n = r or min(m,n) = r = 1); "
          f"otherwise max {worst[0]:.6f} at m,n,r = {worst[1:]}")
    for r in (1, 2, 4, 8, 64):
        ec = math.sqrt(2) * math.exp(gammaln((r + 1) / 2) - gammaln(r / 2))
        print(f"[cos] rank-1 G, m,n -> inf: ratio c_(r^2) (E chi_r)^2 sqrt(pi/2) at r={r}: {c(r*r)*ec*ec*math.sqrt(math.pi/2):.4f}")

# ------------------------------------------------------------- CENTRAL-COEFFICIENT-ORDER on CosineSum
if section("order"):
    rng = np.random.default_rng(7)
    d = 16
    eps = np.array([0.2, 0.1, 0.05, 0.025, 0.0125])
    ua = rng.random(2 * d)
    a = np.where(ua[d:] < 0.5, -1.0, 1.0) * (0.5 + ua[:d])
    b = 0.5 + 2.5 * rng.random(d)
    th = rng.standard_normal(d)
    g = -a * b * np.sin(b * th)
    f = lambda x: np.sum(a * np.cos(b * x), axis=-1)
    for scheme in ("central", "one-sided"):
        slopes = []
        for _ in range(4000):
            z = rng.standard_normal(d)
            err = []
            for e_ in eps:
                if scheme == "central":
                    cc = (f(th + e_ * z) - f(th - e_ * z)) / (2 * e_)
                else:
                    cc = (f(th + e_ * z) - f(th)) / e_
                err.append(max(abs(cc - g @ z), 1e-300))
            slopes.append(np.polyfit(np.log(eps), np.log(err), 1)[0])
        slopes = np.array(slopes)
        print(f"[order] {scheme}: mean per-direction slope {slopes.mean():.3f}, sd {slopes.std():.3f}, "
              f"5/50/95% {np.quantile(slopes,.05):.2f}/{np.median(slopes):.2f}/{np.quantile(slopes,.95):.2f}")
