import Foundation
import ZOCore
import ZOModel

// The schedule of a fine-tuning run around `FineTuneSession`: evaluation before training, every
// `evalEvery` steps and at the end; a checkpoint every `checkpointEvery` steps (and at the end);
// the progress bar; the run record. Resuming restores the newest complete checkpoint and goes on.
// A run holds the lock of every checkpoint directory it reads or writes, from before loading the
// model to the end (`FineTuneCheckpoint.lock`): a second run into the same directory stops at once.

/// How a run is driven (what is not part of the trajectory).
public struct FineTuneRunOptions: Sendable {
    public var cache: AssetCache = .standard
    /// Where checkpoints go (nil: none are written, whatever `checkpointEvery` says).
    public var checkpointDirectory: URL?
    /// Checkpoints kept (the newest ones).
    public var keepCheckpoints = 2
    /// Draw the progress bar on standard error.
    public var progress = true
    /// Stop after this many steps in this process (a test's stand-in for a killed run); nil = run to the end.
    public var stopAfter: Int?
    /// Recorded in the run record.
    public var command: [String] = CommandLine.arguments

    public init() {}
}

extension FineTuneConfig {
    /// True when the two configs produce the same trajectory: equal apart from the schedule
    /// (steps, checkpoint interval), which a resumed run may change.
    public func sameTrajectory(as other: FineTuneConfig) -> Bool {
        var a = self
        var b = other
        a.steps = 0
        b.steps = 0
        a.checkpointEvery = 0
        b.checkpointEvery = 0
        return a == b
    }
}

public enum FineTuneRunner {
    /// A fresh run of `config` (the data are loaded from the cache unless given).
    public static func run(
        _ config: FineTuneConfig, options: FineTuneRunOptions = FineTuneRunOptions(),
        data: FineTuneData? = nil
    ) throws -> FineTuneRecord {
        try config.validate()
        let lock = try options.checkpointDirectory.map { dir throws(ZOError) in try FineTuneCheckpoint.lock(dir) }
        defer { lock?.release() }
        try BLASThreads.set(config.threads)
        let data = try data ?? FineTuneData.load(cache: options.cache, maxLength: config.maxLength)
        var session = try FineTuneSession(
            config: config, data: data, start: try FineTuneStart.make(config, cache: options.cache))
        return try drive(&session, options: options, resumedFrom: nil)
    }

    /// Continues the run whose newest complete checkpoint is in `directory`, with the checkpoint's
    /// config (and `steps` total steps when given). Checkpoints keep going to
    /// `options.checkpointDirectory`, or to `directory` when that is nil.
    public static func resume(
        from directory: URL, steps: Int? = nil, options: FineTuneRunOptions = FineTuneRunOptions(),
        data: FineTuneData? = nil
    ) throws -> FineTuneRecord {
        var options = options
        if options.checkpointDirectory == nil { options.checkpointDirectory = directory }
        let written = options.checkpointDirectory ?? directory
        var locks = [try FineTuneCheckpoint.lock(directory, create: false)]
        if written.standardizedFileURL != directory.standardizedFileURL {
            locks.append(try FineTuneCheckpoint.lock(written))
        }
        defer { locks.forEach { $0.release() } }
        var session = try resumeSession(from: directory, steps: steps, cache: options.cache, data: data)
        return try drive(&session, options: options, resumedFrom: session.completedSteps)
    }

    /// A session restored from the newest complete checkpoint in `directory`.
    public static func resumeSession(
        from directory: URL, steps: Int? = nil, cache: AssetCache = .standard,
        data: FineTuneData? = nil
    ) throws -> FineTuneSession {
        guard let checkpoint = try FineTuneCheckpoint.latest(in: directory) else {
            throw ZOError(
                "no complete checkpoint (step-N directory with a state.json) in \(directory.path)",
                at: "FineTuneRunner.resume",
                fix: "pass the --checkpoint-dir of a run that wrote at least one checkpoint (--checkpoint-every N)")
        }
        let saved = try FineTuneCheckpoint.readState(checkpoint)
        var config = saved.config
        if let steps { config.steps = steps }
        guard config.steps >= saved.completedSteps else {
            throw ZOError(
                "--steps \(config.steps) is below the checkpoint's \(saved.completedSteps) completed steps",
                at: "FineTuneRunner.resume",
                fix: "pass --steps ≥ \(saved.completedSteps), or omit it to use the checkpoint's \(saved.config.steps)")
        }
        try BLASThreads.set(config.threads)
        let data = try data ?? FineTuneData.load(cache: cache, maxLength: config.maxLength)
        // The start model only supplies the encoder shape here; its parameters are replaced.
        var start = config
        start.initialization = .random
        var session = try FineTuneSession(
            config: config, data: data, start: try FineTuneStart.make(start, cache: cache))
        let (state, values, optimizer) = try FineTuneCheckpoint.load(checkpoint, layout: session.parameters.layout)
        var restoredState = state
        restoredState.config = config
        try session.restore(restoredState, parameters: values, optimizer: optimizer)
        return session
    }

    /// Runs `session` to `config.steps` (or `options.stopAfter` more steps) on the schedule.
    public static func drive(_ session: inout FineTuneSession, options: FineTuneRunOptions, resumedFrom: Int?) throws
        -> FineTuneRecord
    {
        let config = session.config
        let began = DispatchTime.now().uptimeNanoseconds
        let bar = ProgressBar(label: config.method.rawValue, steps: config.steps, enabled: options.progress)
        bar.start(
            at: session.completedSteps, previousLosses: session.history.map(\.loss),
            devAccuracy: session.evaluations.last?.dev.accuracy)
        var checkpoints: [String] = []
        if session.completedSteps == 0, session.evaluations.isEmpty { try session.recordEvaluation() }
        var budget = options.stopAfter ?? Int.max
        while session.completedSteps < config.steps, budget > 0 {
            let record = try session.step()
            budget -= 1
            let c = session.completedSteps
            var devAccuracy: Double? = nil
            if c == config.steps || (config.evalEvery > 0 && c % config.evalEvery == 0) {
                devAccuracy = try session.recordEvaluation().dev.accuracy
            }
            if let dir = options.checkpointDirectory, config.checkpointEvery > 0,
                c % config.checkpointEvery == 0 || c == config.steps
            {
                checkpoints.append(try FineTuneCheckpoint.write(session, to: dir, keep: options.keepCheckpoints).path)
            }
            bar.update(step: c, loss: record.loss, devAccuracy: devAccuracy)
        }
        if session.completedSteps > (resumedFrom ?? 0) { bar.finish() }
        let timing = FineTuneRecord.secondsPerStep(session.history)
        return FineTuneRecord(
            command: options.command, seed: config.seed, config: config, machine: .current,
            parameterCount: session.parameters.count,
            splitSizes: [
                "train": session.data.train.batch, "dev": session.data.dev.batch, "test": session.data.test.batch,
            ],
            steps: session.history, evaluations: session.evaluations,
            meanSecondsPerStep: timing.mean, medianSecondsPerStep: timing.median,
            totalSeconds: Double(DispatchTime.now().uptimeNanoseconds - began) / 1e9,
            peakRSSBytes: ProcessMemory.peakResidentBytes, resumedFromStep: resumedFrom, checkpoints: checkpoints)
    }
}
