import ArgumentParser
import ZOCheck

extension ZOCheckCommand {
    struct Compare: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Compare estimators on a synthetic problem (placeholder until ZOProblems lands).")
        func run() throws { throw ValidationError("not yet available") }
    }
}
