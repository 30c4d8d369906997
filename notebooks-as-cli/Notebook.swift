import ArgumentParser
import ZOCheck

extension ZOCheckCommand {
    /// Every claim family as a notebook: one command regenerates its report under reports/<name>/.
    struct Notebook: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Notebooks: each regenerates one report (report.md, report.html, PNG/SVG plots, CSV/JSON data).",
            discussion: "Run `zocheck notebook <name> --size tiny|ci|full`; reports go to reports/<name>/ unless --output-dir says otherwise.",
            subcommands: Notebooks.commands
        )
    }
}

/// The notebooks, in the order the summary report lists them.
public enum Notebooks {
    public static let all: [any ZONotebooks.Notebook.Type] = [VarianceVsDimension.self,
        GradientStructure.self, EstimatorQualityNotebook.self, FineTuneComparison.self]

    static let commands: [any ParsableCommand.Type] = [NotebookCommand<VarianceVsDimension>.self,
        NotebookCommand<GradientStructure>.self, NotebookCommand<EstimatorQualityNotebook>.self, NotebookCommand<FineTuneComparison>.self]
}
