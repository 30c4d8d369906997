import Foundation
import Testing
import ZOCheck
import ZONotebooks
import ZOReports

/// The restore-drift notebook at tiny size (seed 11) and the random-walk law of Proofs/pitfalls.md#inplace-drift-random-walk.
@Suite struct RestoreDriftTests {
    /// P(S_T ≠ 0) = 1 − C(2T,T)/4^T equals 1 − Σ_j T!/(j!² (T−2j)!) 4^{−2j} 2^{−(T−2j)} (j steps up, j down, the rest 0).
    @Test func changedFractionIsTheBinomialLaw() {
        #expect(abs(RestoreDrift.changedFraction(steps: 1) - 0.5) < 1e-15)
        for T in 1...30 {
            var zero = 0.0
            for j in 0...(T / 2) {
                let n = Double(T)
                let k = Double(j)
                let logMultinomial: Double = lgamma(n + 1) - 2 * lgamma(k + 1) - lgamma(n - 2 * k + 1)
                let logProbability: Double = 2 * k * log(0.25) + (n - 2 * k) * log(0.5)
                zero += exp(logMultinomial + logProbability)
            }
            #expect(abs(RestoreDrift.changedFraction(steps: T) - (1 - zero)) < 1e-12, "T = \(T)")
        }
    }

    @Test func tinyReportMatchesTheLibraryAndTheRandomWalkLaw() throws {
        let seed: UInt64 = 11
        let run = try Syn2NotebookRun(RestoreDrift.self, seed: seed)
        defer { run.remove() }
        for file in [
            "report.md", "report.html", "report.json", "data/drift.csv", "data/summary.json",
            "plots/unchanged_fraction.gp", "plots/rms_drift.gp",
        ] {
            #expect(run.exists(file), "missing \(file)")
        }
        let drift = try run.dataset("drift")
        // σ = 1, ε = 1e-3 is configuration 0; seed 0, in place, after T = 8 steps: recomputed through the library.
        let key = PRNGKey(seed: seed).fold(in: 0).fold(in: 0)
        let theta0 = try RestoreDrift.start(k: 32, sigma: 1, key: key.fold(in: 1))
        let states = try RestoreDrift.trajectory(
            theta0, epsilon: 1e-3, mode: .inPlace, steps: [8], key: key.fold(in: 2))
        let changed = Double(zip(states[0], theta0.values).filter { $0 != $1 }.count) / Double(theta0.values.count)
        let row = try #require(
            drift.rows.first { $0[2].text == "in-place" && $0[0].number == 1 && $0[3].number == 0 && $0[4].number == 8 }
        )
        #expect(drift.number(row, "changed") == changed)
        #expect(
            changed > 0.5 && changed < 0.95, "after 8 steps the model gives 1 − C(16,8)/4⁸ = 0.80; measured \(changed)")
        // The copy path never changes an entry.
        let copies = drift.rows.filter { $0[2].text == "copy" }
        #expect(
            !copies.isEmpty
                && copies.allSatisfy { drift.number($0, "changed") == 0 && drift.number($0, "max_rel") == 0 })
        let doc = try run.document()
        for id in ["INPLACE-RESTORE-DRIFT", "KEYED-REGENERATION"] {
            #expect(doc.report.verdicts.contains { $0.claim == id && $0.outcome == "pass" }, "\(id) must pass")
        }
        // The random-walk law at α = 0.001 on the in-binade entries (seed 11).
        let walk = doc.report.verdicts.filter { $0.claim.hasPrefix("INPLACE-DRIFT-RANDOM-WALK") }
        #expect(walk.count == 2 && walk.allSatisfy { $0.outcome == "pass" && $0.alpha == 0.001 })
        #expect(doc.report.headlines.contains { $0.name.hasPrefix("copy path") && $0.value == 0 })
    }
}
