import Foundation
import ZOCore
import ZOFiles
import ZOModel

// Checkpoints of a fine-tuning run, written atomically and restored bit for bit.
//
// A checkpoint is a directory `<dir>/step-<8 digits>/` holding
//   parameters.safetensors  every parameter tensor under its layout name, F32 (exact: θ is Float);
//   optimizer.safetensors   the optimizer's Double arrays (`OptimizerSnapshot`), each stored as I64
//                           bit patterns (`Int64(bitPattern: x.bitPattern)`: exact; safetensors has
//                           no reader here for F64), metadata `encoding = f64-bits-as-i64`;
//                           absent when the optimizer has no arrays (ZO-SGD);
//   state.json              `FineTuneCheckpointState`: config, root key, completed steps, pass
//                           counts, loss history, evaluations, optimizer integers and array sizes.
// It is written under `<dir>/.tmp-step-…-<pid>/` and put in place by `AtomicDirectory.install`
// (rename(2), or one atomic exchange when a `step-N` of that name exists), so a process killed
// mid-write leaves only a `.tmp-` directory, which `latest(in:)` never picks and the next write
// removes once its pid is gone. A run holds `<dir>/.lock` (flock, `lock(_:)`) for its whole
// duration: a second run into the same directory fails at once with "in use by pid N". Resume
// checks every field of state.json and of optimizer.safetensors against the config and the
// layout (`validate`, FineTuningCheckpointValidation.swift). Not fsync'd: this protects against a
// killed process, not a power cut.

/// The JSON part of a checkpoint.
public struct FineTuneCheckpointState: Codable, Sendable, Equatable {
    public static let formatName = "zocheck-finetune-checkpoint/1"
    public var format = formatName
    public var config: FineTuneConfig
    /// PRNGKey(seed: config.seed), recorded for readers that do not know the key derivation.
    public var rootKey: PRNGKey
    public var completedSteps: Int
    public var forwardPasses: Int
    public var backwardPasses: Int
    public var history: [StepRecord]
    public var evaluations: [EvaluationRecord]
    public var optimizerIntegers: [String: Int]
    /// Name → length of every optimizer array (stored in optimizer.safetensors when non-empty).
    public var optimizerArrays: [String: Int]
    public var parameterCount: Int
    /// BLAS threads of the run that wrote it (bit-identity holds for the same count).
    public var threads: Int
}

public enum FineTuneCheckpoint {
    static let prefix = "step-", tempPrefix = ".tmp-"
    static let encoding = "f64-bits-as-i64"

    /// Takes the exclusive lock of a checkpoint directory (creating the directory unless `create`
    /// is false: then a missing directory is an error); hold the returned lock while the run
    /// writes or reads checkpoints there.
    public static func lock(_ directory: URL, create: Bool = true) throws(ZOError) -> DirectoryLock {
        var isDirectory: ObjCBool = false
        if !create,
            !FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory)
                || !isDirectory.boolValue
        {
            throw ZOError(
                "no checkpoint directory \(directory.path)", at: "FineTuneCheckpoint.lock",
                fix: "pass the --checkpoint-dir of an earlier run to --resume")
        }
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw ZOError(
                "cannot create the checkpoint directory \(directory.path): \(error.localizedDescription)",
                at: "FineTuneCheckpoint.lock", fix: "pass a writable --checkpoint-dir")
        }
        do {
            return try DirectoryLock.acquire(
                directory.appendingPathComponent(".lock"), what: "checkpoint directory \(directory.path)")
        } catch {
            throw ZOError(
                error.what, at: "FineTuneCheckpoint.lock(\(directory.path))",
                fix: "wait until that run finishes, or pass another --checkpoint-dir")
        }
    }

    /// `<directory>/step-<completed steps, 8 digits>`.
    public static func url(in directory: URL, completedSteps: Int) -> URL {
        directory.appendingPathComponent(prefix + String(format: "%08d", completedSteps), isDirectory: true)
    }

    /// Writes the session's state atomically; keeps the newest `keep` checkpoints, removes older
    /// ones and leftover temporary directories. Returns the checkpoint's URL.
    @discardableResult
    public static func write(_ session: FineTuneSession, to directory: URL, keep: Int = 2) throws(ZOError) -> URL {
        let at = "FineTuneCheckpoint.write"
        let fm = FileManager.default
        let final = url(in: directory, completedSteps: session.completedSteps)
        let temp = directory.appendingPathComponent(
            tempPrefix + final.lastPathComponent + "-\(ProcessInfo.processInfo.processIdentifier)")
        let snapshot = session.optimizerSnapshot
        do {
            try fm.createDirectory(at: directory, withIntermediateDirectories: true)
            try? fm.removeItem(at: temp)
            try fm.createDirectory(at: temp, withIntermediateDirectories: false)
        } catch {
            throw ZOError(
                "cannot create \(temp.path): \(error.localizedDescription)", at: at,
                fix: "pass a writable --checkpoint-dir")
        }
        let layout = session.parameters.layout
        let tensors = layout.tensors.map {
            SafeTensor(name: $0.name, shape: $0.shape, floats: Array(session.parameters.values[$0.range]))
        }
        try SafeTensorWriter.write(
            tensors, metadata: ["completed_steps": "\(session.completedSteps)"],
            to: temp.appendingPathComponent("parameters.safetensors"))
        let arrays = snapshot.arrays.filter { !$0.value.isEmpty }.sorted { $0.key < $1.key }.map { name, values in
            SafeTensor(name: name, shape: [values.count], int64s: values.map { Int64(bitPattern: $0.bitPattern) })
        }
        if !arrays.isEmpty {
            try SafeTensorWriter.write(
                arrays, metadata: ["encoding": encoding], to: temp.appendingPathComponent("optimizer.safetensors"))
        }
        let state = FineTuneCheckpointState(
            config: session.config, rootKey: session.config.keys.root, completedSteps: session.completedSteps,
            forwardPasses: session.forwardPasses, backwardPasses: session.backwardPasses, history: session.history,
            evaluations: session.evaluations, optimizerIntegers: snapshot.integers,
            optimizerArrays: snapshot.arrays.mapValues(\.count), parameterCount: layout.count,
            threads: BLASThreads.current)
        try RunFiles.writeJSON(state, to: temp.appendingPathComponent("state.json"))
        do { try AtomicDirectory.install(temp, at: final) } catch {
            try? fm.removeItem(at: temp)
            throw ZOError(
                "cannot move \(temp.path) to \(final.path): \(error.what)", at: at,
                fix: "check the checkpoint directory's permissions and free space")
        }
        prune(directory, keep: keep)
        return final
    }

    /// Removes all but the newest `keep` checkpoints and the temporary directories of processes
    /// that are gone (a live writer's `.tmp-` directory is never touched).
    static func prune(_ directory: URL, keep: Int) {
        let fm = FileManager.default
        AtomicDirectory.removeStale(in: directory, prefix: tempPrefix, underLock: false)
        let names = (try? fm.contentsOfDirectory(atPath: directory.path)) ?? []
        // Only complete checkpoints count (and go); a foreign `step-N` without state.json is left alone.
        let steps = names.compactMap(step(ofName:)).sorted()
            .filter {
                fm.fileExists(atPath: url(in: directory, completedSteps: $0).appendingPathComponent("state.json").path)
            }
        for s in steps.dropLast(max(keep, 1)) { try? fm.removeItem(at: url(in: directory, completedSteps: s)) }
    }

    /// The completed-step count of a directory named `step-<digits>`, else nil.
    static func step(ofName name: String) -> Int? {
        guard name.hasPrefix(prefix) else { return nil }
        let digits = name.dropFirst(prefix.count)
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else { return nil }
        return Int(digits)
    }

    /// The newest complete checkpoint in `directory` (a `step-N` directory with a state.json);
    /// temporary directories are never considered. nil when there is none.
    public static func latest(in directory: URL) throws(ZOError) -> URL? {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: directory.path) else {
            throw ZOError(
                "cannot list checkpoint directory \(directory.path)", at: "FineTuneCheckpoint.latest",
                fix: "pass the --checkpoint-dir of an earlier run to --resume")
        }
        let steps = names.compactMap(step(ofName:)).sorted(by: >)
        return steps.map { url(in: directory, completedSteps: $0) }
            .first { fm.fileExists(atPath: $0.appendingPathComponent("state.json").path) }
    }

    /// Reads a checkpoint's state.json and checks every field that does not need the model
    /// (`decodeState`); at most `maxStateBytes`.
    public static func readState(_ checkpoint: URL) throws(ZOError) -> FineTuneCheckpointState {
        let url = checkpoint.appendingPathComponent("state.json")
        let at = "FineTuneCheckpoint.readState(\(checkpoint.lastPathComponent))"
        let size = (try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? NSNumber
        guard let size, size.intValue <= maxStateBytes else {
            throw ZOError(
                size == nil
                    ? "cannot read \(url.path)"
                    : "\(url.path) has \(size!.intValue) bytes, above the \(maxStateBytes)-byte limit of a state file",
                at: at, fix: "the checkpoint is damaged; resume from an earlier one")
        }
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ZOError("cannot read \(url.path)", at: at, fix: "check the checkpoint directory's permissions")
        }
        return try decodeState(data, source: url.path)
    }

    /// Reads a checkpoint directory: state, parameter values (in `layout` order, every tensor checked
    /// by name, shape and dtype, every value finite) and the optimizer snapshot (names and counts
    /// checked against the config's optimizer and the layout, every value finite).
    public static func load(_ checkpoint: URL, layout: ParameterLayout) throws(ZOError)
        -> (state: FineTuneCheckpointState, parameters: [Float], optimizer: OptimizerSnapshot)
    {
        let at = "FineTuneCheckpoint.load(\(checkpoint.lastPathComponent))"
        let state = try readState(checkpoint)
        try validate(state, layout: layout, at: at)
        let file = try SafeTensorFile(contentsOf: checkpoint.appendingPathComponent("parameters.safetensors"))
        var values = [Float](repeating: 0, count: layout.count)
        for spec in layout.tensors {
            let info = try file.info(spec.name)
            guard info.shape == spec.shape, info.dtype == .f32 else {
                throw ZOError(
                    "tensor '\(spec.name)' is \(info.dtype.rawValue) \(info.shape), expected F32 \(spec.shape)", at: at,
                    fix: "resume from a checkpoint written by `zocheck finetune`")
            }
            try values.withUnsafeMutableBufferPointer {
                (all: inout UnsafeMutableBufferPointer<Float>) throws(ZOError) in
                try file.floats(spec.name, into: UnsafeMutableBufferPointer(rebasing: all[spec.range]))
            }
        }
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            let name = layout.tensors.first { $0.range.contains(bad) }?.name ?? "?"
            throw ZOError(
                "parameter \(bad) (in '\(name)') is \(values[bad]): the run diverged or the file is damaged", at: at,
                fix: "resume from an earlier checkpoint (and lower --lr if the run diverged)")
        }
        let stored = state.optimizerArrays.filter { $0.value > 0 }
        let optimizerFile =
            stored.isEmpty
            ? nil : try SafeTensorFile(contentsOf: checkpoint.appendingPathComponent("optimizer.safetensors"))
        let snapshot = try readOptimizer(optimizerFile, state: state, at: at)
        return (state, values, snapshot)
    }

    /// The optimizer snapshot from optimizer.safetensors: exactly the arrays state.json lists with a
    /// count > 0, each of that length, I64 bit patterns of finite Doubles.
    static func readOptimizer(_ file: SafeTensorFile?, state: FineTuneCheckpointState, at: String) throws(ZOError)
        -> OptimizerSnapshot
    {
        let fix = "the checkpoint is damaged; resume from an earlier one"
        var snapshot = OptimizerSnapshot(integers: state.optimizerIntegers)
        let stored = Set(state.optimizerArrays.filter { $0.value > 0 }.keys)
        if let file {
            guard file.metadata["encoding"] == encoding else {
                throw ZOError("optimizer.safetensors has an unknown encoding", at: at, fix: fix)
            }
            guard Set(file.names) == stored else {
                throw ZOError(
                    """
                    optimizer.safetensors holds \(file.names.sorted()), state.json lists \(stored.sorted())
                    """,
                    at: at, fix: fix)
            }
        }
        for (name, count) in state.optimizerArrays {
            guard count > 0, let file else {
                snapshot.arrays[name] = []
                continue
            }
            let info = try file.info(name)
            guard info.dtype == .i64, info.shape == [count] else {
                throw ZOError(
                    "optimizer array '\(name)' is \(info.dtype.rawValue) \(info.shape), expected I64 [\(count)]",
                    at: at, fix: fix)
            }
            let values = try file.int64s(name).map { Double(bitPattern: UInt64(bitPattern: $0)) }
            guard values.allSatisfy(\.isFinite) else {
                throw ZOError(
                    "optimizer array '\(name)' holds non-finite values: the run diverged or the file is damaged",
                    at: at, fix: "resume from an earlier checkpoint")
            }
            snapshot.arrays[name] = values
        }
        return snapshot
    }
}
