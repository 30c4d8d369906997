import Foundation
import ZOCheck
import ZOReports

/// The audit as a notebook: measured false-fail rates of the holding statistical claims next to α,
/// p-value uniformity, and the power of the checks against every planted fault.
public enum Calibration: Notebook {
    public static let name = "calibration"
    public static let title = "Calibration of the statistical checks: false-fail rates, p-value uniformity and power"
    public static let abstract =
        """
        False-fail rate of each holding claim with Clopper–Pearson intervals next to α, p-value ECDFs with the \
        DKW band, power against planted faults.
        """
    public static let discussion = """
        Each selected claim is rerun M times with the audit's seeds (Audit.seed(root: --seed, claim, run), never \
        the CI seed) at the claims' CI sample sizes, every check at α = 0.05 instead of its own (small) α so that a \
        false-fail rate is measurable with M runs, as `zocheck audit --alpha 0.05` does. For a claim that holds, \
        the fail fraction is the measured false-fail rate: shown with its Clopper–Pearson 95 % interval next to \
        α; the verdict per claim is the exact one-sided binomial test of rate ≤ α, Holm-adjusted over the claims \
        at audit level 0.01. The p-values of a calibrated check are uniform (or conservative): their empirical CDF \
        is plotted against the diagonal with the two-sided DKW 95 % band, and the DKWM uniformity test enters \
        the verdict's details. Power: each planted fault (PlantedFault) is run through the claims that must catch it \
        at the claims' own α; the caught fraction is the power, with its Clopper–Pearson interval, against the \
        target 0.95 (verdict: one-sided binomial test of power ≥ 0.95 at 0.01). The transformer (scale) claims \
        are not audited here. Sizes: tiny 3 fast claims × 12 runs, one fault × 6 runs; ci every holding statistical claim × 20 \
        runs, every fault × 16 runs; full every holding statistical claim and every fault × 200 runs (M = 200). \
        Holding statistical claims registered by a researcher's executable (`ZOCheckCLI.main`) are calibrated at \
        every size.
        """
    public static let claims = Catalog.standard.claims.filter {
        $0.alpha > 0 && $0.expectation == .holds && $0.source.paper != .scale
    }.map(\.id)
    /// The α every calibration run uses, and the audit's own level for its verdicts.
    public static let calibrationAlpha = 0.05
    public static let auditLevel = 0.01

    /// The fast claims of the tiny and ci presets (a few seconds for 12 runs of the tiny ones).
    static let tinyClaims = ["MEZO-UNBIASED", "LOZO-UPDATE-UNBIASED", "CENTRAL-COEFFICIENT-ORDER"]
    /// Claims whose p-value ECDFs are drawn (when selected), ZO-SGD-RATE among them: Proofs/rates.md expects it mildly anti-conservative.
    static let ecdfClaims = ["MEZO-UNBIASED", "MEZO-SECOND-MOMENT", "ZO-SGD-RATE", "SUBZERO-RELATIVE-VARIANCE"]

    /// The claims of a size preset, followed at every size by the holding statistical claims a
    /// researcher's executable registers (`ZOCheckExtensions`).
    public static func selectedClaims(_ size: NotebookSize) throws -> [Claim] {
        let catalog = try ZOCheckExtensions.catalog
        let registered = ZOCheckExtensions.current.claims.filter { $0.alpha > 0 && $0.expectation == .holds }
        let ids = size.pick(tiny: tinyClaims, ci: claims, full: claims) + registered.map(\.id)
        return try ids.map { id in
            guard let c = catalog.claim(id: id) else {
                throw ZOError(
                    "claim \(id) is not in the catalog", at: "Calibration", fix: "update the notebook's claim list")
            }
            return c
        }
    }

    public static func run(_ ctx: NotebookContext) throws -> Report {
        let selected = try selectedClaims(ctx.size)
        let runs = ctx.size.pick(tiny: 12, ci: 20, full: 200)
        let faults = ctx.size.pick(
            tiny: [PlantedFault.droppedHalf], ci: PlantedFault.allCases, full: PlantedFault.allCases)
        let powerRuns = ctx.size.pick(tiny: 6, ci: 16, full: 200)
        let jobs = ProcessInfo.processInfo.activeProcessorCount
        let powerPairs = faults.flatMap { f in f.caughtBy.compactMap { Catalog.standard.claim(id: $0) }.map { (f, $0) }
        }
        let total = selected.count * runs + powerPairs.count * powerRuns
        var done = 0
        var calibration: [(Audit.Row, [Verdict])] = []
        for claim in selected {
            let before = done
            let counter = Counter()
            let began = NB.now
            let vs = Audit.verdicts(claim, runs: runs, root: ctx.seed, size: .ci, alpha: calibrationAlpha, jobs: jobs) {
                _ in
                ctx.progress.update("calibration \(claim.id)", done: before + counter.next(), total: total)
            }
            calibration.append(
                (Audit.row(claim, verdicts: vs, alpha: calibrationAlpha, seconds: NB.seconds(since: began)), vs))
            done += runs
        }
        var power: [Audit.Row] = []
        for (fault, claim) in powerPairs {
            let before = done
            let counter = Counter()
            let began = NB.now
            let vs = Audit.verdicts(claim, runs: powerRuns, root: ctx.seed, size: .ci, fault: fault, jobs: jobs) { _ in
                ctx.progress.update("power \(fault.rawValue)", done: before + counter.next(), total: total)
            }
            power.append(Audit.row(claim, verdicts: vs, fault: fault, seconds: NB.seconds(since: began)))
            done += powerRuns
        }
        return CalibrationReport.build(calibration: calibration, power: power, root: ctx.seed)
    }

    /// A thread-safe counter for progress from `concurrentPerform`.
    final class Counter: @unchecked Sendable {
        private var n = 0
        private let lock = NSLock()
        func next() -> Int {
            lock.lock()
            defer { lock.unlock() }
            n += 1
            return n
        }
    }
}
