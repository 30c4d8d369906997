import ArgumentParser
import ZOCheck

extension ZOCheckCommand {
    /// Every claim family as a notebook: one command regenerates its report under reports/<name>/.
    struct Notebook: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Notebooks: each regenerates one report (report.md, report.html, PNG/SVG plots, CSV/JSON data).",
            discussion:
                """
                Run `zocheck notebook <name> --size tiny|ci|full`; reports go to reports/<name>/ unless \
                --output-dir says otherwise.
                """,
            subcommands: Notebooks.commands
        )
    }
}

/// The notebooks, in the order the summary report lists them.
public enum Notebooks {
    public static var all: [any ZONotebooks.Notebook.Type] {
        [
            VarianceVsDimension.self, BiasVsEpsilon.self, RankSweep.self, LazySampling.self,
            ConvergenceRates.self, RestoreDrift.self, Calibration.self,
            GradientStructure.self, EstimatorQualityNotebook.self, FineTuneComparison.self,
        ]
    }

    static let commands: [any ParsableCommand.Type] = [
        NotebookCommand<VarianceVsDimension>.self, NotebookCommand<BiasVsEpsilon>.self, NotebookCommand<RankSweep>.self,
        NotebookCommand<LazySampling>.self, NotebookCommand<ConvergenceRates>.self, NotebookCommand<RestoreDrift>.self,
        NotebookCommand<Calibration>.self, NotebookCommand<GradientStructure>.self,
        NotebookCommand<EstimatorQualityNotebook>.self,
        NotebookCommand<FineTuneComparison>.self,
    ]
}

extension Notebooks {
    /// The --help text of `zocheck verify` and of every notebook, by command path, at a fixed width
    /// (the help-text snapshots of the test suite).
    public static func helpTexts(columns: Int = 100) -> [String: String] {
        var texts = [
            "verify": ZOCheckCommand.helpMessage(for: ZOCheckCommand.Verify.self, columns: columns),
            "notebook": ZOCheckCommand.helpMessage(for: ZOCheckCommand.Notebook.self, columns: columns),
        ]
        for command in commands {
            texts["notebook " + (command.configuration.commandName ?? "?")] = ZOCheckCommand.helpMessage(
                for: command, columns: columns)
        }
        return texts
    }
}
