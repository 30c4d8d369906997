import Foundation
import Testing
import ZOCore
import ZOFineTuning
import ZOModel
import ZOTestSupport

/// Resume trusts nothing in a checkpoint (issue 15): every field of state.json and of the optimizer
/// file is checked against the config and the layout, and a checkpoint directory has one writer.
@Suite struct FineTuningResumeValidationTests {
    /// A 3-step LOZO-M checkpoint (momenta and bases stored) with one evaluation.
    static func checkpoint(_ name: String, method: FineTuneMethod = .lozoM) throws -> (URL, ParameterLayout) {
        let dir = try scratchDirectory(name)
        var s = try TinyFineTune.session(method, steps: 4)
        try s.recordEvaluation()
        for _ in 0..<3 { try s.step() }
        return (try FineTuneCheckpoint.write(s, to: dir), s.parameters.layout)
    }

    /// Edits state.json as JSON and expects `load` to fail naming `fragment`.
    static func expectRefused(
        _ fragment: String, method: FineTuneMethod = .lozoM, sourceLocation: SourceLocation = #_sourceLocation,
        _ edit: (inout [String: Any]) -> Void
    ) throws {
        let (url, layout) = try checkpoint("ft-validate-\(abs(fragment.hashValue))", method: method)
        let file = url.appendingPathComponent("state.json")
        var state = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
        edit(&state)
        try JSONSerialization.data(withJSONObject: state).write(to: file)
        expectZOError(fragment, sourceLocation: sourceLocation) { _ = try FineTuneCheckpoint.load(url, layout: layout) }
    }

    static func edit(_ state: inout [String: Any], _ key: String, _ change: (inout [String: Any]) -> Void) {
        var inner = state[key] as? [String: Any] ?? [:]
        change(&inner)
        state[key] = inner
    }

    static func editList(_ state: inout [String: Any], _ key: String, _ k: Int, _ change: (inout [String: Any]) -> Void)
    {
        var list = state[key] as? [[String: Any]] ?? []
        change(&list[k])
        state[key] = list
    }

    /// The optimizer's arrays: a count ≤ 0 used to end in SIGILL inside LOZOMomentum.update.
    @Test func optimizerArrayCountsAreChecked() throws {
        try Self.expectRefused("optimizer array 'basis.0' has 0 values") {
            Self.edit(&$0, "optimizerArrays") { $0["basis.0"] = 0 }
        }
        try Self.expectRefused("optimizer array 'momentum.0' has -5 values") {
            Self.edit(&$0, "optimizerArrays") { $0["momentum.0"] = -5 }
        }
        try Self.expectRefused("are not those of lozo-m") { Self.edit(&$0, "optimizerArrays") { $0["velocity"] = 3 } }
        try Self.expectRefused("are not those of fo-adam", method: .foAdam) {
            Self.edit(&$0, "optimizerArrays") { $0["secondMoment"] = nil }
        }
        try Self.expectRefused("optimizer integers") { Self.edit(&$0, "optimizerIntegers") { $0["lastStep"] = 7 } }
        try Self.expectRefused("optimizer integers", method: .foAdam) {
            Self.edit(&$0, "optimizerIntegers") { $0["step"] = 0 }
        }
    }

    /// completedSteps against the history and the config; the history and evaluations step by step.
    @Test func historyAndCountersAreChecked() throws {
        try Self.expectRefused("the loss history has 3 steps but completedSteps is 2") { $0["completedSteps"] = 2 }
        try Self.expectRefused("completedSteps 9 is outside 0…4") { $0["completedSteps"] = 9 }
        try Self.expectRefused("the loss of step 1 is nan") { Self.editList(&$0, "history", 1) { $0["loss"] = "nan" } }
        try Self.expectRefused("history entry 2 is step 5") { Self.editList(&$0, "history", 2) { $0["step"] = 5 } }
        try Self.expectRefused("differ from the history's last") { $0["forwardPasses"] = 999 }
        try Self.expectRefused("evaluation 0 records 5 forward passes") {
            Self.editList(&$0, "evaluations", 0) { $0["forwardPasses"] = 5 }
        }
        try Self.expectRefused("rootKey is not") { Self.edit(&$0, "rootKey") { $0["words"] = [1, 2] } }
        try Self.expectRefused("threads 0 is outside 1…1024") { $0["threads"] = 0 }
        try Self.expectRefused("its config is out of range") { Self.edit(&$0, "config") { $0["rank"] = 0 } }
        try Self.expectRefused("is not a valid checkpoint state") { $0["history"] = "none" }
    }

    /// Non-finite values in the parameter or optimizer file: a diverged run or a damaged file.
    @Test func nonFiniteValuesAreRefused() throws {
        let (url, layout) = try Self.checkpoint("ft-validate-nan")
        let optimizer = try SafeTensorFile(contentsOf: url.appendingPathComponent("optimizer.safetensors"))
        let arrays = try optimizer.names.sorted().map { name in
            var bits = try optimizer.int64s(name)
            if name == "momentum.0" { bits[0] = Int64(bitPattern: Double.nan.bitPattern) }
            return SafeTensor(name: name, shape: [bits.count], int64s: bits)
        }
        try SafeTensorWriter.write(
            arrays, metadata: optimizer.metadata, to: url.appendingPathComponent("optimizer.safetensors"))
        expectZOError("optimizer array 'momentum.0' holds non-finite values") {
            _ = try FineTuneCheckpoint.load(url, layout: layout)
        }
        let params = try SafeTensorFile(contentsOf: url.appendingPathComponent("parameters.safetensors"))
        let tensors = try layout.tensors.map { spec in
            var v = try params.floats(spec.name)
            if spec.name == layout.tensors[1].name { v[0] = .infinity }
            return SafeTensor(name: spec.name, shape: spec.shape, floats: v)
        }
        try SafeTensorWriter.write(tensors, metadata: [:], to: url.appendingPathComponent("parameters.safetensors"))
        expectZOError("the run diverged or the file is damaged") {
            _ = try FineTuneCheckpoint.load(url, layout: layout)
        }
    }

    /// A second run into a locked checkpoint directory stops before loading anything, naming the pid.
    @Test func aCheckpointDirectoryHasOneWriter() throws {
        let dir = try scratchDirectory("ft-lock")
        let lock = try FineTuneCheckpoint.lock(dir)
        defer { lock.release() }
        expectZOError("is in use by pid \(ProcessInfo.processInfo.processIdentifier)") {
            _ = try FineTuneCheckpoint.lock(dir)
        }
        var options = FineTuneRunOptions()
        options.checkpointDirectory = dir
        options.progress = false
        expectZOError("in use by pid") {
            _ = try FineTuneRunner.run(TinyFineTune.config(.mezo), options: options, data: TinyFineTune.data())
        }
        expectZOError("in use by pid") { _ = try FineTuneRunner.resume(from: dir, options: options) }
        expectZOError("no checkpoint directory") {
            _ = try FineTuneRunner.resume(from: dir.appendingPathComponent("missing"), options: options)
        }
    }

    /// A writer's own `.tmp-` directory survives another writer's prune; a dead pid's is removed.
    @Test func pruneRemovesOnlyDeadWritersTemporaryDirectories() throws {
        let dir = try scratchDirectory("ft-prune")
        let live = dir.appendingPathComponent(".tmp-step-00000007-1")  // pid 1 is alive
        try FileManager.default.createDirectory(at: live, withIntermediateDirectories: true)
        var s = try TinyFineTune.session(.mezo, steps: 2)
        try s.step()
        try FineTuneCheckpoint.write(s, to: dir)
        #expect(FileManager.default.fileExists(atPath: live.path))
        // Rewriting an existing step replaces it atomically (one exchange), the old copy removed.
        try FineTuneCheckpoint.write(s, to: dir)
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        #expect(names == [".tmp-step-00000007-1", "step-00000001"])
    }
}
