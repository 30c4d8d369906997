import Testing
import ZOCore
import ZOStats

/// Shared pieces of the size/power simulations: keyed draws and rejection-rate checks. A rate check
/// compares a count of rejections in R replicates with a Clopper–Pearson interval at confidence
/// 1 − 1e-6, so each check itself false-fails with probability ≤ 1e-6.
enum Simulation {
    static let confidence = 1 - 1e-6

    static func gaussians(_ n: Int, _ key: PRNGKey) -> [Double] { RandomFill.gaussian(Double.self, count: n, key: key) }
    static func uniforms(_ n: Int, _ key: PRNGKey) -> [Double] { RandomFill.uniform(Double.self, count: n, key: key) }

    /// Successes of n Bernoulli(q) trials drawn from one key.
    static func binomial(_ n: Int, _ q: Double, _ key: PRNGKey) -> Int { uniforms(n, key).filter { $0 < q }.count }

    /// The rejection fraction is consistent with `rate` (two-sided CP interval).
    static func expectRate(
        _ rejections: Int, _ reps: Int, consistentWith rate: Double, _ label: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let (lo, hi) = Multiplicity.clopperPearson(successes: rejections, trials: reps, confidence: confidence)
        #expect(
            lo <= rate && rate <= hi, "\(label): \(rejections)/\(reps) rejections; CP [\(lo), \(hi)] excludes \(rate)",
            sourceLocation: sourceLocation)
    }

    /// The rejection fraction is not significantly above `rate` (a conservative test's size).
    static func expectRate(
        _ rejections: Int, _ reps: Int, atMost rate: Double, _ label: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let (lo, _) = Multiplicity.clopperPearson(successes: rejections, trials: reps, confidence: confidence)
        #expect(
            lo <= rate, "\(label): \(rejections)/\(reps) rejections; CP lower \(lo) above \(rate)",
            sourceLocation: sourceLocation)
    }

    /// The rejection fraction is not significantly below `rate` (a design that guarantees at least its power).
    static func expectRate(
        _ rejections: Int, _ reps: Int, atLeast rate: Double, _ label: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let (_, hi) = Multiplicity.clopperPearson(successes: rejections, trials: reps, confidence: confidence)
        #expect(
            hi >= rate, "\(label): \(rejections)/\(reps) rejections; CP upper \(hi) below \(rate)",
            sourceLocation: sourceLocation)
    }
}
