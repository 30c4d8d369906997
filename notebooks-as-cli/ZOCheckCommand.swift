import ArgumentParser

/// The `zocheck` command: configuration only; each subcommand lives in its own file.
public struct ZOCheckCommand: ParsableCommand {
    public init() {}

    public static let configuration = CommandConfiguration(
        commandName: "zocheck",
        abstract: "Verify the theory of zeroth-order fine-tuning estimators (MeZO, LOZO, SubZero, Sparse MeZO).",
        discussion: """
            Every number printed comes from a computation in the ZOCheck library and is reproducible
            from the command line and seed it prints.
            """,
        subcommands: [
            Compare.self, Claims.self, Audit.self, Model.self, Bench.self, Scale.self, FineTune.self, Notebook.self,
            Verify.self,
        ]
    )
}
