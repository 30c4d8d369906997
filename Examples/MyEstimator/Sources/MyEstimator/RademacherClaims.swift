import ZOCheck

/// This package's claim, in the catalog of `my-zocheck claims` and `audit` beside ZOCheck's own.
public enum RademacherClaims {
    /// E‖ĝ‖² = d‖∇f‖² for Rademacher perturbations (‖z‖² = d exactly), through the claim template.
    public static let secondMoment = Claim(
        id: "RADEMACHER-SECOND-MOMENT",
        source: ClaimSource(paper: .own, location: "Examples/MyEstimator: ‖z‖² = d for ±1 entries"),
        statement: "On WeightedBowl at θ = 0, the Rademacher two-point estimate has E‖ĝ‖² = d‖∇f‖² (not d + 2).",
        proof: "Examples/MyEstimator/README.md#second-moment", alpha: 2e-5
    ) { context in
        let problem = try WeightedBowl()
        let d = Double(problem.layout.count)
        return try ClaimTemplates.secondMoment(
            ZOEstimator(RademacherPerturbation(), epsilon: ZODefaults.epsilon), on: problem,
            at: Parameters(zeros: problem.layout), draws: context.draws(8000), alpha: context.alpha(2e-5),
            seed: context.seed
        ) { g in d * g.reduce(0) { $0 + $1 * $1 } }
    }
}
