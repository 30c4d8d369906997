import ArgumentParser
import Foundation
import ZOCheck
import ZOReports

extension ClaimSource.Paper: ExpressibleByArgument {}
extension SizePreset: ExpressibleByArgument {}

extension ZOCheckCommand {
    struct Claims: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List and run the claim catalog; print a verdict table and write JSON.",
            discussion: """
                Each claim has an id, a source (paper and theorem/lemma/figure), a precise statement, its
                derivation in Proofs/, and a check with a stated false-fail rate α (0 for exact checks).
                A claim that holds must PASS; a refuted claim (a wrong formula, a planted bug such as the
                reference-faithful LOZO) must FAIL — the 'agrees' column says whether the suite's verdict
                matches. Sources: \(ClaimSource.Paper.allCases.map(\.rawValue).joined(separator: ", ")).
                """
        )

        @Flag(help: "Only list the claims (id, source, statement, proof).") var list = false
        @Option(name: .long, help: "Only claims whose id contains this (repeatable).") var id: [String] = []
        @Option(name: .long, help: "Only claims from this source (repeatable).") var source: [ClaimSource.Paper] = []
        @Option(help: "Sample sizes: ci or full (10×).") var size: SizePreset = .ci
        @Option(help: "Run every check at this α instead of its own.") var alpha: Double?
        @Option(help: "Write the results as JSON here (atomic write).") var output: String?
        @Option(
            help: """
                Encoder threads for the scale claims (their matrix products are bit-reproducible for a fixed \
                count and may differ in the last bits between counts); recorded in the output.
                """)
        var threads: Int = 2
        @OptionGroup var common: CommonOptions

        func validate() throws {
            if let alpha, !(alpha > 0 && alpha < 1) { throw ValidationError("--alpha must be in (0, 1)") }
            try Bounds.check(threads, 1...1024, "--threads")
            try OutputPath.checkFile(output, "--output")
        }

        func run() throws {
            let claims = try ZOCheckExtensions.catalog.select(ids: id, sources: source)
            guard !claims.isEmpty else {
                throw ValidationError(
                    "no claim matches --id \(id) --source \(source.map(\.rawValue)); run `zocheck claims --list`")
            }
            if list {
                for c in claims {
                    print(
                        """
                        \(c.id)  [\(c.source.paper.rawValue): \(c.source.location)]  α=\(TextTable.sci(c.alpha))  \
                        \(c.expectation.rawValue)\n    \(c.statement)\n    proof: \(c.proof)
                        """
                    )
                }
                return
            }
            try BLASThreads.set(threads)
            let provenance = Provenance.capture(seed: common.seed, threads: threads)
            var results: [ClaimResult] = []
            for (k, claim) in claims.enumerated() {
                FileHandle.standardError.write(Data("[\(k + 1)/\(claims.count)] \(claim.id)…\n".utf8))
                results.append(Catalog.run(claim, context: ClaimContext(seed: common.seed, size: size, alpha: alpha)))
            }
            if let output {
                try TextTable.writeJSON(
                    ClaimsReport(
                        command: CommandLine.arguments.joined(separator: " "), seed: common.seed,
                        blasThreads: threads, commit: provenance.commit, commitDirty: provenance.commitDirty,
                        machine: provenance.machine, results: results),
                    to: output)
            }
            if common.format == .json {
                let encoder = JSONEncoder()
                encoder.nonConformingFloatEncodingStrategy = .convertToString(
                    positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: try encoder.encode(results), as: UTF8.self))
                return
            }
            print(
                """
                # \(CommandLine.arguments.joined(separator: " "))
                # seed \(common.seed), sizes \(size.rawValue), encoder threads \(threads), commit \(provenance.commit)\
                \(provenance.commitDirty ? " (with uncommitted changes)" : "")\n
                """)
            print(Self.table(results))
            let disagreements = results.filter { !$0.agrees }
            print(
                """
                \n\(results.count - disagreements.count)/\(results.count) verdicts agree with the catalog; \
                \(Catalog.accounting(results))
                """
            )
            if !disagreements.isEmpty { throw ExitCode(1) }
        }

        static func table(_ results: [ClaimResult]) -> String {
            TextTable.render(
                header: [
                    "claim", "source", "statistic", "p-value", "n", "α", "detectable effect", "verdict", "expected",
                    "agrees", "s",
                ],
                rows: results.map { r in
                    [
                        r.id, r.source.paper.rawValue, TextTable.sci(r.verdict.statistic),
                        TextTable.sci(r.verdict.pValue), "\(r.verdict.n)",
                        TextTable.sci(r.verdict.alpha),
                        "\(TextTable.sci(r.verdict.detectableEffect)) \(r.verdict.effectUnit)",
                        r.verdict.outcome.rawValue.uppercased(), r.expectation.rawValue, r.agrees ? "yes" : "NO",
                        TextTable.fmt(r.seconds, 2),
                    ]
                })
        }
    }

    /// `claims --output`: the command, seed and what else decides the bits (encoder threads, commit,
    /// machine), then the results.
    struct ClaimsReport: Codable {
        let command: String
        let seed: UInt64
        let blasThreads: Int
        let commit: String
        let commitDirty: Bool
        let machine: Provenance.Machine
        let results: [ClaimResult]
    }
}
