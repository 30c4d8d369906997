import Foundation
import Testing
import ZOCore
import ZOFineTuning
import ZOModel
import ZOTestSupport

@Suite struct FineTuningCheckpointTests {
    /// The checkpoint round trip is exact: parameters, optimizer arrays (Double via I64 bits),
    /// integers, history and evaluations.
    @Test func roundTripIsExact() throws {
        let dir = try scratchDirectory("ft-roundtrip")
        for method in [FineTuneMethod.lozoM, .foAdam, .foSGD, .mezo] {
            var s = try TinyFineTune.session(method, steps: 3)
            try s.recordEvaluation()
            for _ in 0..<3 { try s.step() }
            let url = try FineTuneCheckpoint.write(s, to: dir.appendingPathComponent(method.rawValue))
            #expect(url.lastPathComponent == "step-00000003")
            let (state, values, optimizer) = try FineTuneCheckpoint.load(url, layout: s.parameters.layout)
            #expect(values.map(\.bitPattern) == s.parameters.values.map(\.bitPattern), "\(method)")
            #expect(optimizer == s.optimizerSnapshot, "\(method)")
            #expect(state.history == s.history && state.evaluations == s.evaluations && state.config == s.config)
            #expect(state.completedSteps == 3 && state.rootKey == PRNGKey(seed: s.config.seed))
            let hasArrays = FileManager.default.fileExists(
                atPath: url.appendingPathComponent("optimizer.safetensors").path)
            #expect(hasArrays == (method != .mezo), "\(method): ZO-SGD has no arrays to store")
        }
    }

    /// 2N steps uninterrupted = N steps, checkpoint, a fresh session restored from it, N more:
    /// bit-identical parameters, losses, optimizer state (every method; N = 3 crosses ν = F = 2).
    @Test func resumeIsBitIdenticalForEveryMethod() throws {
        let dir = try scratchDirectory("ft-resume")
        for method in FineTuneMethod.allCases {
            var whole = try TinyFineTune.session(method, steps: 6)
            for _ in 0..<6 { try whole.step() }
            var first = try TinyFineTune.session(method, steps: 6)
            for _ in 0..<3 { try first.step() }
            let url = try FineTuneCheckpoint.write(first, to: dir.appendingPathComponent(method.rawValue))
            var resumed = try TinyFineTune.session(method, steps: 6)  // a fresh state, as in a new process
            let (state, values, optimizer) = try FineTuneCheckpoint.load(url, layout: resumed.parameters.layout)
            try resumed.restore(state, parameters: values, optimizer: optimizer)
            for _ in 0..<3 { try resumed.step() }
            #expect(Trajectory(resumed).bitIdentical(to: Trajectory(whole)), "\(method)")
        }
    }

    /// A killed writer leaves a `.tmp-` directory: never picked, removed by the next write; a
    /// `step-N` directory without state.json is skipped; only the newest `keep` are kept.
    @Test func halfWrittenCheckpointsAreNeverPicked() throws {
        let dir = try scratchDirectory("ft-atomic")
        var s = try TinyFineTune.session(.foAdam, steps: 4)
        try s.step()
        let one = try FineTuneCheckpoint.write(s, to: dir)
        let fm = FileManager.default
        let temp = dir.appendingPathComponent(".tmp-step-00000009-999")
        try fm.createDirectory(at: temp, withIntermediateDirectories: true)
        try Data("{\"truncated".utf8).write(to: temp.appendingPathComponent("state.json"))
        try fm.createDirectory(at: dir.appendingPathComponent("step-00000008"), withIntermediateDirectories: true)
        try fm.createDirectory(at: dir.appendingPathComponent("step-x"), withIntermediateDirectories: true)
        #expect(try FineTuneCheckpoint.latest(in: dir) == one)
        for _ in 0..<3 {
            try s.step()
            try FineTuneCheckpoint.write(s, to: dir, keep: 2)
        }
        let names = Set(try fm.contentsOfDirectory(atPath: dir.path))
        #expect(!names.contains(temp.lastPathComponent))
        #expect(
            names.isSuperset(of: ["step-00000003", "step-00000004"]) && !names.contains("step-00000001")
                && !names.contains("step-00000002"))
        #expect(try FineTuneCheckpoint.latest(in: dir)?.lastPathComponent == "step-00000004")
    }

    @Test func badCheckpointsAreZOErrors() throws {
        let dir = try scratchDirectory("ft-bad")
        expectZOError("cannot list") { _ = try FineTuneCheckpoint.latest(in: dir.appendingPathComponent("missing")) }
        #expect(try FineTuneCheckpoint.latest(in: dir) == nil)
        var s = try TinyFineTune.session(.lozoM, steps: 2)
        try s.step()
        let url = try FineTuneCheckpoint.write(s, to: dir)
        let other = try ParameterLayout([("w", [3, 2])])
        expectZOError("the checkpoint holds") { _ = try FineTuneCheckpoint.load(url, layout: other) }
        // A session of another method (or config) refuses the state.
        var foreign = try TinyFineTune.session(.lozo, steps: 2)
        let (state, values, optimizer) = try FineTuneCheckpoint.load(url, layout: s.parameters.layout)
        expectZOError("another config") { try foreign.restore(state, parameters: values, optimizer: optimizer) }
        try Data("{}".utf8).write(to: url.appendingPathComponent("state.json"))
        expectZOError("is not a valid") { _ = try FineTuneCheckpoint.load(url, layout: s.parameters.layout) }
    }
}
