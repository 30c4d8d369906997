import ArgumentParser
import Foundation
import ZOCheck

extension ZOCheckCommand {
    /// Fine-tuning all-MiniLM-L6-v2 on VADER movie-review sentiment: a group whose default
    /// subcommand is the run itself (`zocheck finetune --method mezo …`).
    struct FineTune: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "finetune",
            abstract: "Fine-tune all-MiniLM-L6-v2 (first K layers + a 2-way head) on VADER movie-review sentiment.",
            discussion: """
                Methods: mezo, lozo, lozo-m, subzero, sparse-mezo (zeroth order: ZOCore's ZOEstimator with the \
                same distributions as the synthetic checks, low-rank perturbations fused into the forward pass), \
                fo-sgd, fo-adam (backpropagation). Data: the VADER movie-review sentences, labels = sign of the \
                human score, the split of `SentimentDataset` (train ≈ 80 %, dev ≈ 10 %, test ≈ 10 %). \
                Everything random derives from --seed; a run is bit-reproducible for a fixed --threads. \
                Subcommands: run (default), curves (loss versus forward passes, methods × seeds), memory (peak RSS).
                """,
            subcommands: [Run.self, Curves.self, Memory.self],
            defaultSubcommand: Run.self
        )
    }
}

extension ZOCheckCommand.FineTune {
    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "One fine-tuning run: progress on stderr, a summary on stdout, a JSON run record with --output.",
            discussion: """
                Evaluates dev and test (loss, accuracy; full splits unless --eval-limit) before training, every \
                --eval-every steps and at the end. With --checkpoint-dir and --checkpoint-every N, writes \
                DIR/step-<N>/ (parameters.safetensors, optimizer.safetensors, state.json) atomically every N steps; \
                --resume DIR continues bit-identically from the newest complete checkpoint there (its own config; \
                only --steps may change). The run record (--output) holds the command line, seed, config, machine, \
                per-step losses, forward passes and times, the evaluations and the peak RSS (VmHWM).
                """
        )

        @Option(help: "mezo, lozo, lozo-m, subzero, sparse-mezo, fo-sgd or fo-adam.") var method: FineTuneMethod?
        @OptionGroup var options: FineTuneOptions
        @Option(help: "Write checkpoints into this directory.") var checkpointDir: String?
        @Option(help: "Checkpoint every N steps (and at the end); needs --checkpoint-dir.") var checkpointEvery: Int?
        @Option(help: "Resume from the newest complete checkpoint in this directory.") var resume: String?
        @Option(help: "Write the JSON run record here (atomic write).") var output: String?
        @Flag(help: "No progress bar.") var quiet = false
        @OptionGroup var assets: AssetOptions

        func validate() throws {
            if resume != nil {
                guard method == nil, !options.givesTrajectoryOptions, checkpointEvery == nil else {
                    throw ValidationError(
                        """
                        --resume continues the checkpoint's own run: drop --method, --checkpoint-every and the \
                        hyper-parameter options (only --steps may change)
                        """
                    )
                }
            } else {
                guard let method else {
                    throw ValidationError(
                        "--method is required (mezo, lozo, lozo-m, subzero, sparse-mezo, fo-sgd, fo-adam)")
                }
                try options.validate(method)
            }
            try Bounds.check(checkpointEvery, 1...FineTuneConfig.maxSteps, "--checkpoint-every")
            if checkpointEvery != nil, checkpointDir == nil {
                throw ValidationError("--checkpoint-every needs --checkpoint-dir DIR")
            }
            try Bounds.check(options.steps, 0...FineTuneConfig.maxSteps, "--steps")
            if let resume {
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: resume, isDirectory: &isDirectory), isDirectory.boolValue
                else {
                    throw ValidationError(
                        "--resume \(resume) is not a directory; pass the --checkpoint-dir of an earlier run")
                }
            }
            try OutputPath.checkDirectory(checkpointDir, "--checkpoint-dir")
            try OutputPath.checkFile(output, "--output")
        }

        func run() throws {
            var runOptions = FineTuneRunOptions()
            runOptions.cache = assets.assetCache
            runOptions.checkpointDirectory = checkpointDir.map { URL(fileURLWithPath: $0, isDirectory: true) }
            runOptions.progress = !quiet
            let record: FineTuneRecord
            if let resume {
                record = try FineTuneRunner.resume(
                    from: URL(fileURLWithPath: resume, isDirectory: true), steps: options.steps, options: runOptions)
            } else if let method {
                var config = options.config(method)
                config.checkpointEvery = checkpointEvery ?? 0
                record = try FineTuneRunner.run(config, options: runOptions)
            } else {
                throw ValidationError("--method is required")
            }
            if let output { try RunFiles.writeJSON(record, to: URL(fileURLWithPath: output)) }
            print(Self.summary(record))
        }

        static func summary(_ r: FineTuneRecord) -> String {
            let c = r.config
            var lines = [
                "# \(r.command.joined(separator: " "))",
                """
                # \(c.method.rawValue), \(c.initialization.rawValue), K = \(c.layers) layers, \(r.parameterCount) \
                parameters, seed \(r.seed), \(c.threads) threads
                """,
                "",
            ]
            let rows = r.evaluations.map { e in
                [
                    "\(e.completedSteps)", "\(e.forwardPasses)", TextTable.fmt(e.dev.loss, 4),
                    TextTable.fmt(e.dev.accuracy, 4),
                    TextTable.fmt(e.test.loss, 4), TextTable.fmt(e.test.accuracy, 4),
                ]
            }
            lines.append(
                TextTable.render(
                    header: ["steps", "forward passes", "dev loss", "dev acc", "test loss", "test acc"], rows: rows))
            lines.append("")
            lines.append(
                """
                s/step: mean \(TextTable.fmt(r.meanSecondsPerStep, 3)), median \
                \(TextTable.fmt(r.medianSecondsPerStep, 3)); 
                """
                    + """
                    peak RSS \
                    \(r.peakRSSBytes.map { TextTable.fmt(Double($0) / 1_048_576, 1) + " MiB" } ?? "unknown"); 
                    """
                    + "total \(TextTable.fmt(r.totalSeconds, 1)) s")
            return lines.joined(separator: "\n")
        }
    }
}
