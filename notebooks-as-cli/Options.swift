import ArgumentParser
import Foundation
import ZOCheck

/// Options shared by every notebook-style subcommand.
struct CommonOptions: ParsableArguments {
    @Option(help: "Root seed; every random draw derives from PRNGKey(seed:).")
    var seed: UInt64 = ZODefaults.seed

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    var key: PRNGKey { PRNGKey(seed: seed) }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text
    case json
}

extension FineTuneMethod: ExpressibleByArgument {}
extension ModelInitialization: ExpressibleByArgument {}
extension MemoryMode: ExpressibleByArgument {}

/// The model and hyper-parameter options of `zocheck finetune` and its subcommands. Every option
/// is optional: what is not given comes from the method's defaults (`FineTuneConfig.defaults`).
struct FineTuneOptions: ParsableArguments {
    @Option(help: "Encoder layers run and trained, K (1…6).") var layers: Int?
    @Option(help: "Training steps.") var steps: Int?
    @Option(help: "Minibatch size (default 16).") var batchSize: Int?
    @Option(
        name: .customLong("lr"),
        help:
            """
            Learning rate (default per method, measured on 2 layers: mezo 3e-4, lozo, lozo-m, subzero, \
            sparse-mezo 1e-3, fo-sgd 3e-2, fo-adam 1e-4).
            """
    )
    var learningRate: Double?
    @Option(help: "ε of the central difference (ZO; default 1e-3).") var epsilon: Double?
    @Option(help: "Rank r of LOZO/LOZO-M/SubZero (1 or 2; default 2).") var rank: Int?
    @Option(help: "LOZO's lazy interval ν (default 50).") var nu: Int?
    @Option(help: "SubZero's refresh interval F (default 100).") var refresh: Int?
    @Option(help: "Sparse MeZO's sparsity s (default 0.8).") var sparsity: Double?
    @Option(help: "LOZO-M's momentum β (default 0.9).") var momentum: Double?
    @Option(help: "Weight decay λ on matrices (default 0).") var weightDecay: Double?
    @Option(help: "Root seed (default \(ZODefaults.seed)).") var seed: UInt64?
    @Option(help: "Longest token sequence (default 64).") var maxLength: Int?
    @Option(help: "OpenBLAS threads (default 2; results are bit-reproducible for a fixed count).") var threads: Int?
    @Option(help: "Evaluate dev and test every N steps (default 0: before and after only).") var evalEvery: Int?
    @Option(help: "Evaluate on N examples of each split, spread evenly over it (default: the full split).")
    var evalLimit: Int?
    @Option(name: .customLong("init"), help: "Encoder weights: pretrained or random (BERT init).") var initialization:
        ModelInitialization?

    /// True when any option that changes a run's trajectory was given.
    var givesTrajectoryOptions: Bool {
        let given: [Any?] = [
            layers, batchSize, learningRate, epsilon, rank, nu, refresh, sparsity, momentum, weightDecay,
            seed, maxLength, threads, evalEvery, evalLimit, initialization,
        ]
        return given.contains { $0 != nil }
    }

    /// The method's defaults with the given options applied.
    func config(_ method: FineTuneMethod) -> FineTuneConfig {
        var c = FineTuneConfig.defaults(for: method)
        if let layers { c.layers = layers }
        if let steps { c.steps = steps }
        if let batchSize { c.batchSize = batchSize }
        if let learningRate { c.learningRate = learningRate }
        if let epsilon { c.epsilon = epsilon }
        if let rank { c.rank = rank }
        if let nu { c.lazyInterval = nu }
        if let refresh { c.refreshInterval = refresh }
        if let sparsity { c.sparsity = sparsity }
        if let momentum { c.momentum = momentum }
        if let weightDecay { c.weightDecay = weightDecay }
        if let seed { c.seed = seed }
        if let maxLength { c.maxLength = maxLength }
        if let threads { c.threads = threads }
        if let evalEvery { c.evalEvery = evalEvery }
        if let evalLimit { c.evalLimit = evalLimit }
        if let initialization { c.initialization = initialization }
        return c
    }

    /// Throws a ValidationError with the config's own message when the values are out of range.
    func validate(_ method: FineTuneMethod) throws {
        do { try config(method).validate() } catch { throw ValidationError(error.description) }
    }
}

/// Upper and lower bounds of numeric options, checked in `validate()` (exit 64) so that no value
/// reaches an allocation or a size product unchecked; the message gives the valid range.
enum Bounds {
    static func check<T: Comparable>(_ value: T, _ range: ClosedRange<T>, _ option: String, fix: String? = nil)
        throws
    {
        guard range.contains(value) else {
            throw ValidationError(
                "\(option) must be in \(range.lowerBound)…\(range.upperBound) (got \(value)); "
                    + (fix ?? "pass a value in that range"))
        }
    }

    static func check<T: Comparable>(_ value: T?, _ range: ClosedRange<T>, _ option: String, fix: String? = nil) throws
    {
        if let value { try check(value, range, option, fix: fix) }
    }

    /// A finite ε (or step) in (0, upper].
    static func positive(_ value: Double, _ option: String, upper: Double = 1) throws {
        guard value.isFinite, value > 0, value <= upper else {
            throw ValidationError("\(option) must be a finite number in (0, \(upper)] (got \(value))")
        }
    }
}

/// Output paths checked before any work, so that a long computation never ends in "cannot write".
enum OutputPath {
    /// A file the command will write (atomically, creating missing parent directories): it must not
    /// be a directory, and its nearest existing ancestor must be a writable directory.
    static func checkFile(_ path: String?, _ option: String) throws {
        guard let path else { return }
        guard !path.isEmpty else { throw ValidationError("\(option) must not be empty") }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard !isDirectory.boolValue else {
                throw ValidationError("\(option) \(path) is a directory; pass a file path such as \(path)/out.json")
            }
        }
        try checkAncestor(URL(fileURLWithPath: path).deletingLastPathComponent(), option, path)
    }

    /// A directory the command will create or write into.
    static func checkDirectory(_ path: String?, _ option: String) throws {
        guard let path else { return }
        guard !path.isEmpty else { throw ValidationError("\(option) must not be empty") }
        try checkAncestor(URL(fileURLWithPath: path), option, path)
    }

    private static func checkAncestor(_ start: URL, _ option: String, _ path: String) throws {
        var dir = start.standardizedFileURL
        let fm = FileManager.default
        while true {
            var isDirectory: ObjCBool = false
            if fm.fileExists(atPath: dir.path, isDirectory: &isDirectory) {
                guard isDirectory.boolValue else {
                    throw ValidationError(
                        "\(option) \(path): \(dir.path) is a file, not a directory; pass another path")
                }
                guard fm.isWritableFile(atPath: dir.path) else {
                    throw ValidationError(
                        "\(option) \(path): the directory \(dir.path) is not writable; pass a writable path")
                }
                return
            }
            let parent = dir.deletingLastPathComponent()
            if parent.path == dir.path { return }
            dir = parent
        }
    }
}
