import ArgumentParser
import ZOCheck

/// Options shared by every notebook-style subcommand.
struct CommonOptions: ParsableArguments {
    @Option(help: "Root seed; every random draw derives from PRNGKey(seed:).")
    var seed: UInt64 = 20_261_122

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    var key: PRNGKey { PRNGKey(seed: seed) }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text
    case json
}
