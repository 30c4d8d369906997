import Foundation
import ZOCore
import ZOModel

// Resume trusts nothing in a checkpoint: every field of state.json is checked against the config it
// carries (and that config against its own ranges), the history against completedSteps, the pass
// counters against the history, the optimizer's integers and array sizes against the method and the
// model layout. A damaged or hand-edited checkpoint is a ZOError that names the field, never a trap
// in the optimizer (an empty LOZO-M basis used to index out of range) nor a silently wrong run.

extension FineTuneCheckpoint {
    /// The largest state.json read (≈ 150 bytes per step: 10⁶ steps stay far below it).
    public static let maxStateBytes = 512 << 20

    /// Decodes state.json bytes and checks every field that does not depend on the model
    /// (`validateFields`). The fuzz target FuzzCheckpointState drives this function.
    public static func decodeState(_ data: Data, source: String = "state.json") throws(ZOError)
        -> FineTuneCheckpointState
    {
        let at = "FineTuneCheckpoint.decodeState(\(source))"
        guard data.count <= maxStateBytes else {
            throw ZOError(
                "\(source) has \(data.count) bytes, above the \(maxStateBytes)-byte limit", at: at,
                fix: "the checkpoint is damaged; resume from an earlier one")
        }
        let state: FineTuneCheckpointState
        do { state = try RunFiles.decoder().decode(FineTuneCheckpointState.self, from: data) } catch {
            throw ZOError(
                "\(source) is not a valid checkpoint state: \(RunFiles.describe(error))", at: at,
                fix: "the checkpoint is damaged; resume from an earlier one")
        }
        guard state.format == FineTuneCheckpointState.formatName else {
            throw ZOError(
                "unknown checkpoint format '\(state.format)'", at: at,
                fix: "resume with the zocheck version that wrote it")
        }
        try validateFields(state, at: at)
        return state
    }

    /// The model-independent checks: the config's ranges, the root key, completedSteps against the
    /// config and the history, the history and the evaluations step by step, the optimizer integers.
    public static func validateFields(_ s: FineTuneCheckpointState, at: String) throws(ZOError) {
        let fix = "the checkpoint is damaged; resume from an earlier one"
        func require(_ ok: Bool, _ what: @autoclosure () -> String) throws(ZOError) {
            if !ok { throw ZOError(what(), at: at, fix: fix) }
        }
        do { try s.config.validate() } catch {
            throw ZOError("its config is out of range: \(error.what)", at: at, fix: fix)
        }
        try require(s.rootKey == PRNGKey(seed: s.config.seed), "rootKey is not PRNGKey(seed: \(s.config.seed))")
        try require(
            (0...s.config.steps).contains(s.completedSteps),
            "completedSteps \(s.completedSteps) is outside 0…\(s.config.steps) (the config's steps)")
        try require(
            s.history.count == s.completedSteps,
            "the loss history has \(s.history.count) steps but completedSteps is \(s.completedSteps)")
        try require((1...1024).contains(s.threads), "threads \(s.threads) is outside 1…1024")
        try require(s.parameterCount >= 1, "parameterCount \(s.parameterCount) must be ≥ 1")
        var (forward, backward) = (0, 0)
        for (k, r) in s.history.enumerated() {
            try require(r.step == k, "history entry \(k) is step \(r.step)")
            try require(r.loss.isFinite, "the loss of step \(k) is \(r.loss) (training stops at a non-finite loss)")
            try require(r.seconds.isFinite && r.seconds >= 0, "the time of step \(k) is \(r.seconds) s")
            try require(
                r.forwardPasses > forward && r.backwardPasses >= backward,
                "the pass counters of step \(k) (\(r.forwardPasses), \(r.backwardPasses)) do not increase")
            try require(
                s.config.method.isZerothOrder ? r.backwardPasses == 0 : r.backwardPasses > backward,
                "step \(k) records \(r.backwardPasses) backward passes for \(s.config.method.rawValue)")
            (forward, backward) = (r.forwardPasses, r.backwardPasses)
        }
        try require(
            s.forwardPasses == forward && s.backwardPasses == backward,
            "forwardPasses/backwardPasses (\(s.forwardPasses), \(s.backwardPasses)) differ from the history's last")
        var previous = -1
        for (k, e) in s.evaluations.enumerated() {
            try require(
                e.completedSteps > previous && e.completedSteps <= s.completedSteps,
                "evaluation \(k) is at step \(e.completedSteps), out of order or after completedSteps")
            let passes = e.completedSteps == 0 ? 0 : s.history[e.completedSteps - 1].forwardPasses
            try require(e.forwardPasses == passes, "evaluation \(k) records \(e.forwardPasses) forward passes")
            for split in [e.dev, e.test] {
                try require(
                    split.examples >= 1 && (0...split.examples).contains(split.correct) && split.loss.isFinite
                        && split.loss >= 0 && (0...1).contains(split.accuracy) && (0...1).contains(split.majorityRate),
                    "evaluation \(k) has an impossible \(split.split) record")
            }
            try require(e.seconds.isFinite && e.seconds >= 0, "the time of evaluation \(k) is \(e.seconds) s")
            previous = e.completedSteps
        }
        try require(
            s.optimizerIntegers == expectedIntegers(s.config.method, completedSteps: s.completedSteps),
            """
            optimizer integers \(s.optimizerIntegers) do not match \(s.config.method.rawValue) after \
            \(s.completedSteps) steps
            """)
    }

    /// What each optimizer counts: Adam its updates, LOZO-M the index of its last step.
    static func expectedIntegers(_ method: FineTuneMethod, completedSteps c: Int) -> [String: Int] {
        switch method {
        case .foAdam: ["step": c]
        case .lozoM: c > 0 ? ["lastStep": c - 1] : [:]
        default: [:]
        }
    }

    /// The layout-dependent checks: parameterCount, and the optimizer arrays against what the
    /// config's optimizer keeps (`expectedArrays`): the same names, each of the size it must have.
    /// Nothing is allocated here (a fuzz target runs it on the full model's layout).
    public static func validate(_ s: FineTuneCheckpointState, layout: ParameterLayout, at: String) throws(ZOError) {
        guard layout.count == s.parameterCount else {
            throw ZOError(
                "the checkpoint holds \(s.parameterCount) parameters, the model \(layout.count)", at: at,
                fix: "resume from a checkpoint of this model")
        }
        let expected = expectedArrays(s.config, layout: layout)
        let fix = "the checkpoint is damaged; resume from an earlier one"
        let names = Set(s.optimizerArrays.keys)
        let required = Set(expected.filter { !$0.value.optional }.keys)
        guard names.isSuperset(of: required), names.isSubset(of: Set(expected.keys)) else {
            throw ZOError(
                """
                the optimizer arrays \(names.sorted()) are not those of \(s.config.method.rawValue) (needs \
                \(required.sorted()))
                """,
                at: at, fix: fix)
        }
        for (name, count) in s.optimizerArrays {
            guard let rule = expected[name], rule.sizes.contains(count) else {
                throw ZOError(
                    """
                    optimizer array '\(name)' has \(count) values; \(s.config.method.rawValue) keeps \
                    \(expected[name]?.sizes.map(String.init).joined(separator: " or ") ?? "none")
                    """,
                    at: at, fix: fix)
            }
        }
        // LOZO-M: a matrix's momentum N (m×r) and basis V (n×r) come together.
        for (name, count) in s.optimizerArrays where name.hasPrefix("basis.") {
            let momentum = "momentum." + name.dropFirst("basis.".count)
            guard (s.optimizerArrays[momentum] ?? 0) > 0, count > 0 else {
                throw ZOError("'\(name)' is stored without its momentum (or empty)", at: at, fix: fix)
            }
        }
        for (t, spec) in layout.tensors.enumerated() where spec.kind == .matrix && s.config.method == .lozoM {
            guard ((s.optimizerArrays["momentum.\(t)"] ?? 0) > 0) == (s.optimizerArrays["basis.\(t)"] != nil) else {
                throw ZOError("momentum.\(t) is stored without its basis", at: at, fix: fix)
            }
        }
    }

    /// Name → allowed sizes (and whether the array may be absent) of the optimizer state of `config`
    /// on `layout`, as `OptimizerSnapshot` names them: SGD `velocity` (d), Adam `firstMoment` and
    /// `secondMoment` (d each); LOZO-M `momentum.<t>` (a vector tensor's size; a matrix's 0 before its
    /// first update, else m·r) and `basis.<t>` (n·r, present with a non-empty momentum); ZO-SGD none.
    public static func expectedArrays(_ config: FineTuneConfig, layout: ParameterLayout)
        -> [String: (sizes: [Int], optional: Bool)]
    {
        let d = layout.count
        switch config.method {
        case .foSGD: return ["velocity": ([d], false)]
        case .foAdam: return ["firstMoment": ([d], false), "secondMoment": ([d], false)]
        case .lozoM:
            var out: [String: (sizes: [Int], optional: Bool)] = [:]
            for (t, spec) in layout.tensors.enumerated() {
                if spec.kind == .matrix {
                    out["momentum.\(t)"] = ([0, spec.rows * config.rank], false)
                    out["basis.\(t)"] = ([spec.cols * config.rank], true)
                } else {
                    out["momentum.\(t)"] = ([spec.count], false)
                }
            }
            return out
        case .mezo, .lozo, .subzero, .sparseMeZO: return [:]
        }
    }
}
