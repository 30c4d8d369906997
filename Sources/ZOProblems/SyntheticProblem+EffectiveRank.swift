import ZOCore

extension SyntheticProblem {
    /// r_H = tr H / ‖H‖₂ = Σλ / max λ for a constant PSD Hessian (nil without a spectrum or when H = 0).
    /// MeZO's Theorem 1 replaces the dimension d by r_H in ZO-SGD's slowdown; 1 ≤ r_H ≤ d.
    public var hessianEffectiveRank: Double? {
        guard let spectrum = hessianSpectrum, let top = spectrum.max(), top > 0 else { return nil }
        return spectrum.reduce(0, +) / top
    }
}
