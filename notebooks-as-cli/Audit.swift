import ArgumentParser
import Foundation
import ZOCheck

extension ZOCheckCommand {
    struct Audit: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                """
                Rerun checks under M fresh seeds: measured false-fail rates next to α, and power against planted \
                faults.
                """,
            discussion: """
                Calibration (default): each selected claim is rerun with M seeds derived from --seed (never the
                CI seed); for claims that hold, the fail fraction is the measured false-fail rate, printed with
                its Clopper–Pearson 95 % interval next to α, and the p-values' excess over uniform (one-sided DKW
                band at 0.01); for claims the suite refutes it is the power to refute (target ≥ 0.95).
                Use --alpha 0.05 to make the rates measurable at M = 200. The scale claims (each check runs the real
                transformer for ~10 s) are audited only when named with --id.
                Power (--power): each planted fault (\(PlantedFault.allCases.map(\.rawValue).joined(separator: ", ")))
                is run through the claims that must catch it; the fail fraction is the power at CI sizes (target ≥ 0.95). \
                The scale claims that catch faults (SCALE-MEZO-MOMENTS, SCALE-LOZO-SECOND-MOMENT, SCALE-SPARSE-MOMENTS: \
                the real model) run only when named by --id, e.g. `--power --id SCALE`.
                """
        )

        @Option(name: .customShort("m"), help: "Seeds per claim (M).") var runs: Int = 200
        @Flag(help: "Power mode: planted faults instead of calibration.") var power = false
        @Option(name: .long, help: "Only claims whose id contains this (repeatable; in --power mode too).")
        var id: [String] = []
        @Option(help: "Run every check at this α instead of its own (calibration).") var alpha: Double?
        @Option(help: "Sample sizes: ci or full.") var size: SizePreset = .ci
        @Option(help: "Parallel threads.") var jobs: Int = ProcessInfo.processInfo.activeProcessorCount
        @Option(help: "Write the rows as JSON here (atomic write).") var output: String?
        @OptionGroup var common: CommonOptions

        func validate() throws {
            try Bounds.check(runs, 1...100_000, "-m")
            try Bounds.check(jobs, 1...1024, "--jobs")
            if let alpha, !(alpha > 0 && alpha < 1) { throw ValidationError("--alpha must be in (0, 1)") }
            if power, alpha != nil {
                throw ValidationError("--alpha applies to calibration; drop it, or drop --power (faults run at each α)")
            }
            if power, !id.isEmpty, try Self.powerChecks(ids: id).isEmpty {
                throw ValidationError(
                    """
                    no planted fault is caught by a claim matching --id \(id); the claims that catch faults: \
                    \(try Self.powerChecks(ids: []).map(\.claim.id).joined(separator: ", "))
                    """
                )
            }
            try OutputPath.checkFile(output, "--output")
        }

        /// (fault, claim) pairs of power mode, restricted to claims whose id contains one of `ids`; the scale
        /// claims that catch faults (`caughtAtScaleBy`, the real model, ~20 s a check) only when `ids` is given.
        static func powerChecks(ids: [String]) throws -> [(fault: PlantedFault, claim: Claim)] {
            let catalog = try ZOCheckExtensions.catalog
            return PlantedFault.allCases.flatMap { fault in
                (fault.caughtBy + (ids.isEmpty ? [] : fault.caughtAtScaleBy)).compactMap { catalog.claim(id: $0) }
                    .filter { claim in ids.isEmpty || ids.contains { claim.id.lowercased().contains($0.lowercased()) } }
                    .map { (fault, $0) }
            }
        }

        func run() throws {
            var rows: [ZOCheck.Audit.Row] = []
            if power {
                for (fault, claim) in try Self.powerChecks(ids: id) {
                    FileHandle.standardError.write(Data("power: \(fault.rawValue) → \(claim.id)…\n".utf8))
                    rows.append(
                        ZOCheck.Audit.run(claim, runs: runs, root: common.seed, size: size, fault: fault, jobs: jobs))
                }
            } else {
                // The scale claims run the real model (~10 s a check): only when asked for by --id.
                let claims = try ZOCheckExtensions.catalog.select(ids: id).filter {
                    !id.isEmpty || $0.source.paper != .scale
                }
                guard !claims.isEmpty else { throw ValidationError("no claim matches --id \(id)") }
                for claim in claims {
                    FileHandle.standardError.write(Data("audit: \(claim.id) × \(runs)…\n".utf8))
                    rows.append(
                        ZOCheck.Audit.run(claim, runs: runs, root: common.seed, size: size, alpha: alpha, jobs: jobs))
                }
            }
            if let output { try TextTable.writeJSON(rows, to: output) }
            print("# \(CommandLine.arguments.joined(separator: " "))\n")
            print(
                TextTable.render(
                    header: power
                        ? ["fault", "claim", "M", "caught", "power", "95% CP", "≥ 0.95", "s"]
                        : [
                            "claim", "expected", "α", "M", "fails", "rate", "95% CP", "p excess/band", "consistent",
                            "s",
                        ],
                    rows: rows.map { r in
                        power
                            ? [
                                r.fault ?? "", r.claim, "\(r.runs)", "\(r.fails)", TextTable.fmt(r.rate, 3),
                                "[\(TextTable.fmt(r.lower95, 3)), \(TextTable.fmt(r.upper95, 3))]",
                                r.consistent ? "yes" : "NO", TextTable.fmt(r.seconds, 1),
                            ]
                            : [
                                r.claim, r.expectation.rawValue, TextTable.sci(r.alpha), "\(r.runs)", "\(r.fails)",
                                TextTable.sci(r.rate),
                                "[\(TextTable.sci(r.lower95)), \(TextTable.sci(r.upper95))]",
                                r.pValueExcess.map { "\(TextTable.fmt($0, 3))/\(TextTable.fmt(r.pValueBand ?? 0, 3))" }
                                    ?? "—",
                                r.consistent ? "yes" : "NO", TextTable.fmt(r.seconds, 1),
                            ]
                    }))
        }
    }
}
