import Foundation
import ZOCore
import ZOModel

// Peak resident memory of inference and of each fine-tuning method, measured side by side.
//
// Each mode runs in its own process (`measureInChildProcesses` starts the current executable once
// per mode), because VmHWM is a per-process high-water mark. Inside a process, `measure` loads the
// model and the data, records VmRSS, resets VmHWM to it (/proc/self/clear_refs), builds the mode's
// state (optimizer moments included) and runs a few steps; VmHWM then is the peak of the mode, and
// peak − (RSS after load) is what the mode adds to holding the model and the tokenized data.

/// What is measured: inference (forward passes of training minibatches, no gradient) or a method.
public enum MemoryMode: String, CaseIterable, Codable, Sendable {
    case inference
    case mezo, lozo
    case lozoM = "lozo-m"
    case subzero
    case sparseMeZO = "sparse-mezo"
    case foSGD = "fo-sgd"
    case foAdam = "fo-adam"

    public var method: FineTuneMethod? { FineTuneMethod(rawValue: rawValue) }
}

/// One mode's memory, from its own process.
public struct MemoryMeasurement: Codable, Sendable, Equatable {
    public var mode: MemoryMode
    public var layers: Int
    public var batchSize: Int
    public var maxLength: Int
    public var steps: Int
    public var parameterCount: Int
    /// Resident memory after loading the model and tokenizing the data (VmHWM just after the reset, else VmRSS).
    public var residentAfterLoadBytes: Int
    /// VmHWM at the end: the peak of the mode (model and data included) when `peakWasReset`,
    /// else the process's peak since start (loading included).
    public var peakBytes: Int
    /// peak − resident after load.
    public var peakIncrementBytes: Int
    public var peakWasReset: Bool
    /// VmHWM just before the reset (loading's own peak: the mapped checkpoint is resident while it is copied).
    public var loadPeakBytes: Int

    public init(
        mode: MemoryMode, layers: Int, batchSize: Int, maxLength: Int, steps: Int, parameterCount: Int,
        residentAfterLoadBytes: Int, peakBytes: Int, peakIncrementBytes: Int, peakWasReset: Bool, loadPeakBytes: Int
    ) {
        self.mode = mode
        self.layers = layers
        self.batchSize = batchSize
        self.maxLength = maxLength
        self.steps = steps
        self.parameterCount = parameterCount
        self.residentAfterLoadBytes = residentAfterLoadBytes
        self.peakBytes = peakBytes
        self.peakIncrementBytes = peakIncrementBytes
        self.peakWasReset = peakWasReset
        self.loadPeakBytes = loadPeakBytes
    }
}

public enum FineTuneMemory {
    /// Measures `mode` in this process: `steps` training steps (or `steps` minibatch forward passes for
    /// inference) with `config`'s sizes and hyper-parameters. No evaluations, no checkpoints.
    public static func measure(
        _ mode: MemoryMode, config: FineTuneConfig, steps: Int = 2,
        cache: AssetCache = .standard
    ) throws -> MemoryMeasurement {
        var config = config
        config.method = mode.method ?? .mezo
        config.steps = steps
        try config.validate()
        try BLASThreads.set(config.threads)
        let data = try FineTuneData.load(cache: cache, maxLength: config.maxLength)
        // Optional so that the session holds the only reference to θ: a second holder would make the
        // first update copy the whole buffer (copy-on-write) and count it against the method.
        var start: FineTuneStart? = try FineTuneStart.make(config, cache: cache)
        let parameterCount = start?.parameters.count ?? 0
        let loadPeak = ProcessMemory.peakResidentBytes ?? 0
        let reset = ProcessMemory.resetPeak()
        // The baseline is VmHWM right after the reset (= VmRSS at the reset), not a VmRSS read before it:
        // the high-water mark only rises until the next reset, so peak ≥ baseline even when other threads
        // of the process free pages in between (a test process).
        let afterLoad = (reset ? ProcessMemory.peakResidentBytes : nil) ?? ProcessMemory.residentBytes ?? 0
        if mode == .inference, let model = start {
            let objective = try SentenceClassificationObjective(
                encoder: model.encoder, data: data.train, chunkSize: config.batchSize)
            for t in 0..<steps {
                _ = try objective.loss(
                    model.parameters, batch: .minibatch(key: config.keys.minibatch(step: t), size: config.batchSize))
            }
        } else if start != nil {
            var session = try FineTuneSession(config: config, data: data, start: take(&start))
            for _ in 0..<steps { try session.step() }
        }
        // Both reads observe the resident size inside the interval, so the peak is at least each. Linux
        // keeps RSS in per-CPU batched counters (≥ 6.2) and updates the high-water mark lazily, so a
        // later VmHWM can read a few dozen pages below the VmHWM read after the reset (seen in test
        // processes whose other threads free memory meanwhile): take the larger observation.
        let peak = max(ProcessMemory.peakResidentBytes ?? 0, afterLoad)
        return MemoryMeasurement(
            mode: mode, layers: config.layers, batchSize: config.batchSize, maxLength: config.maxLength,
            steps: steps, parameterCount: parameterCount, residentAfterLoadBytes: afterLoad,
            peakBytes: peak, peakIncrementBytes: peak - afterLoad, peakWasReset: reset, loadPeakBytes: loadPeak)
    }

    /// Moves the value out, leaving nil (the caller's reference is gone before the value is used).
    static func take(_ start: inout FineTuneStart?) throws(ZOError) -> FineTuneStart {
        guard let value = start else {
            throw ZOError("internal: no start model", at: "FineTuneMemory.measure", fix: "report this bug")
        }
        start = nil
        return value
    }

    /// The running executable (/proc/self/exe, else argv[0]).
    public static var currentExecutable: URL {
        let proc = URL(fileURLWithPath: "/proc/self/exe")
        if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: proc.path) {
            return URL(fileURLWithPath: target)
        }
        return URL(fileURLWithPath: CommandLine.arguments[0])
    }

    /// Runs `executable arguments(mode)` once per mode, one at a time; each child must print a
    /// `MemoryMeasurement` as JSON as its last line of standard output.
    public static func measureInChildProcesses(
        _ modes: [MemoryMode], executable: URL = currentExecutable,
        arguments: (MemoryMode) -> [String],
        progress: (MemoryMode) -> Void = { _ in }
    ) throws -> [MemoryMeasurement] {
        var out: [MemoryMeasurement] = []
        for mode in modes {
            progress(mode)
            let args = arguments(mode)
            let text = try runChild(executable, args)
            guard let line = text.split(separator: "\n").last(where: { $0.hasPrefix("{") }),
                let m = try? RunFiles.decoder().decode(MemoryMeasurement.self, from: Data(line.utf8))
            else {
                throw ZOError(
                    "the child `\(executable.lastPathComponent) \(args.joined(separator: " "))` printed no measurement",
                    at: "FineTuneMemory.measureInChildProcesses", fix: "run that command by hand to see its error")
            }
            out.append(m)
        }
        return out
    }

    public static func runChild(_ executable: URL, _ args: [String]) throws -> String {
        let process = Process()
        process.executableURL = executable
        process.arguments = args
        let pipe = Pipe()
        process.standardOutput = pipe
        do { try process.run() } catch {
            throw ZOError(
                "cannot start \(executable.path): \(error.localizedDescription)", at: "FineTuneMemory.runChild",
                fix: "pass the path of the zocheck executable")
        }
        // Read before waiting: a child that fills the pipe would otherwise block forever.
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ZOError(
                """
                `\(executable.lastPathComponent) \(args.joined(separator: " "))` exited with status \
                \(process.terminationStatus)
                """,
                at: "FineTuneMemory.runChild", fix: "run that command by hand to see its error")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
