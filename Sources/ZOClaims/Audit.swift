import Dispatch
import Foundation
import ZOCore
import ZOStats

/// Audit and power: rerun checks under M fresh seeds and measure how often they fail.
/// - Calibration: for a claim that holds, the fail fraction is the measured false-fail rate, to be
///   compared with α (Clopper–Pearson 95 % interval); the p-values must not be anti-conservative
///   (one-sided DKW band on their empirical CDF).
/// - Power: with a planted fault, the fail fraction is the power of the check against that fault.
public enum Audit {
    public struct Row: Codable, Sendable {
        public let claim: String
        /// `refuted` rows measure the power to refute, like fault rows.
        public let expectation: Expectation
        public let fault: String?
        public let alpha: Double
        public let runs: Int
        public let fails: Int
        public let inconclusive: Int
        public let rate: Double
        public let lower95: Double
        public let upper95: Double
        /// For calibration rows: sup_x (Fₙ(x) − x) of the p-values and the one-sided DKW band at 0.01.
        public let pValueExcess: Double?
        public let pValueBand: Double?
        public let seconds: Double

        /// Calibration: α lies at or above the interval's lower end. Power (a fault, or a claim the suite
        /// refutes): the rate is ≥ 0.95.
        public var consistent: Bool {
            if fault != nil || expectation == .refuted { return rate >= 0.95 }
            return lower95 <= max(alpha, 0) + 1e-15 && (pValueExcess ?? 0) <= (pValueBand ?? 1)
        }
    }

    /// The seed of run i of a claim: a hash of (root, claim id, i), never the CI seed.
    public static func seed(root: UInt64, claim: String, run: Int) -> UInt64 {
        var key = PRNGKey(seed: root)
        for byte in claim.utf8 { key = key.fold(in: UInt64(byte)) }
        let w = key.fold(in: run).words
        return UInt64(w[0]) << 32 | UInt64(w[1])
    }

    /// Runs `runs` seeds of `claim` (in parallel over `jobs` threads) and summarises the outcomes.
    public static func run(
        _ claim: Claim, runs: Int, root: UInt64, size: SizePreset = .ci, alpha: Double? = nil,
        fault: PlantedFault? = nil, jobs: Int = ProcessInfo.processInfo.activeProcessorCount,
        progress: (@Sendable (Int) -> Void)? = nil
    ) -> Row {
        let start = DispatchTime.now().uptimeNanoseconds
        let results = verdicts(
            claim, runs: runs, root: root, size: size, alpha: alpha, fault: fault, jobs: jobs, progress: progress)
        return row(
            claim, verdicts: results, alpha: alpha, fault: fault,
            seconds: Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9)
    }

    /// The verdicts of runs 0..<runs of `claim` (run i with seed `seed(root:claim:run: i)`), in run order:
    /// what `run` summarises, for callers that also need the p-values.
    public static func verdicts(
        _ claim: Claim, runs: Int, root: UInt64, size: SizePreset = .ci, alpha: Double? = nil,
        fault: PlantedFault? = nil, jobs: Int = ProcessInfo.processInfo.activeProcessorCount,
        progress: (@Sendable (Int) -> Void)? = nil
    ) -> [Verdict] {
        let results = Results(count: runs)
        let chunks = max(1, min(jobs, runs))
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            var i = chunk
            while i < runs {
                let context = ClaimContext(
                    seed: seed(root: root, claim: claim.id + (fault?.rawValue ?? ""), run: i),
                    size: size, alpha: alpha, fault: fault)
                results.set(i, Catalog.run(claim, context: context).verdict)
                progress?(i)
                i += chunks
            }
        }
        return results.all
    }

    /// The audit row of a claim from its runs' verdicts.
    public static func row(
        _ claim: Claim, verdicts: [Verdict], alpha: Double? = nil, fault: PlantedFault? = nil, seconds: Double = 0
    ) -> Row {
        let runs = verdicts.count
        let fails = verdicts.filter { $0.outcome == .fail }.count
        let inconclusive = verdicts.filter { $0.outcome == .inconclusive }.count
        let (lo, hi) = Multiplicity.clopperPearson(successes: fails, trials: runs)
        let a = alpha ?? claim.alpha
        var excess: Double? = nil
        var band: Double? = nil
        if fault == nil, a > 0, claim.expectation == .holds {
            let ps = verdicts.map(\.pValue)
            excess = Multiplicity.pValueExcess(ps)
            band = Multiplicity.dkwOneSidedBand(n: max(ps.filter(\.isFinite).count, 1), alpha: 0.01)
        }
        return Row(
            claim: claim.id, expectation: claim.expectation, fault: fault?.rawValue, alpha: a, runs: runs, fails: fails,
            inconclusive: inconclusive,
            rate: runs > 0 ? Double(fails) / Double(runs) : .nan, lower95: lo, upper95: hi, pValueExcess: excess,
            pValueBand: band,
            seconds: seconds)
    }

    /// Power rows: every planted fault against each claim that must catch it.
    public static func power(
        _ catalog: Catalog = .synthetic, runs: Int, root: UInt64, size: SizePreset = .ci,
        faults: [PlantedFault] = PlantedFault.allCases,
        jobs: Int = ProcessInfo.processInfo.activeProcessorCount
    ) -> [Row] {
        faults.flatMap { fault in
            fault.caughtBy.compactMap { catalog.claim(id: $0) }.map {
                run($0, runs: runs, root: root, size: size, fault: fault, jobs: jobs)
            }
        }
    }

    /// Thread-safe result slots for `concurrentPerform`.
    final class Results: @unchecked Sendable {
        private var slots: [Verdict?]
        private let lock = NSLock()
        init(count: Int) { slots = Array(repeating: nil, count: count) }
        func set(_ i: Int, _ v: Verdict) {
            lock.lock()
            slots[i] = v
            lock.unlock()
        }
        var all: [Verdict] {
            lock.lock()
            defer { lock.unlock() }
            return slots.compactMap { $0 }
        }
    }
}
