import Foundation
import ZOCore
import ZOModel

// Time per fine-tuning step of every method, the forward pass beside OpenBLAS's sgemm rate, the
// Gaussian fill rate, and peak RSS per mode, for `zocheck bench steps` and its PyTorch peer
// (scripts/peer_torch.py runs the same workloads). Not a test: numbers depend on the machine.
//
// Legend: B batch, T tokens, N = B·T, C hidden, F FFN width.
//
// The batch is synthetic and fixed (`batch`): every token valid, so both implementations run the
// full B × T shape; the weights are the real all-MiniLM-L6-v2 checkpoint with a 2-way head.

public enum StepBenchmark {
    /// The methods timed (FO-Adam is FO-SGD plus an optimizer pass; not a target).
    public static let methods: [FineTuneMethod] = [.mezo, .lozo, .lozoM, .subzero, .sparseMeZO, .foSGD]

    /// Median, minimum and every timed run, in seconds.
    public struct Timing: Codable, Sendable {
        public var median: Double, min: Double, runs: [Double]
        public init(_ runs: [Double]) {
            let s = runs.sorted()
            self.runs = runs
            self.min = s.first ?? .nan
            self.median =
                s.isEmpty ? .nan : (s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2)
        }
    }

    public struct Result: Codable, Sendable {
        public var implementation = "zocheck"
        public var batch: Int, length: Int, layers: Int, threads: Int, repetitions: Int
        public var openblasCoretype: String?
        public var parameterCount: Int
        public var forwardGFLOP: Double
        public var forwardSeconds: Timing
        /// forwardGFLOP / median forward seconds.
        public var forwardGFLOPS: Double
        /// sgemm at the FFN's shape (N × C → F), best of the repetitions, in this run.
        public var sgemmGFLOPS: Double
        /// Float Gaussian fill, one thread, best of the repetitions.
        public var gaussianSamplesPerSecond: Double
        public var stepSeconds: [String: Timing]
        /// Per method, the forward pass timed alternately with its steps (forward, step, forward, …):
        /// the denominator of "step / own forward", so that a drift in the machine's speed (a shared
        /// VM) hits both sides of the ratio alike.
        public var forwardBesideSeconds: [String: Timing]?
        /// Peak RSS per mode ("inference" and each method), each from its own process, when measured.
        public var peakRSSBytes: [String: Int]?
    }

    /// ids[b, t]: [CLS] (101) first, [SEP] (102) last, ((b·T + t)·7919 mod 28000) + 1000 between;
    /// labels b mod 2. scripts/peer_torch.py builds the same batch.
    public static func batch(batch b: Int, length t: Int) throws(ZOError) -> EncoderBatch {
        var ids = [Int32](repeating: 0, count: b * t)
        for i in 0..<b {
            for j in 0..<t {
                ids[i * t + j] = j == 0 ? 101 : j == t - 1 ? 102 : Int32(((i * t + j) * 7919) % 28000 + 1000)
            }
        }
        return try EncoderBatch(
            batch: b, length: t, ids: ids, mask: [Int32](repeating: 1, count: b * t),
            labels: (0..<b).map { Int32($0 % 2) })
    }

    /// The fixed batch as a one-minibatch objective on the loaded model.
    static func setup(_ config: FineTuneConfig, cache: AssetCache) throws -> (
        FineTuneStart, SentenceClassificationObjective<Float>
    ) {
        try config.validate()
        try BLASThreads.set(config.threads)
        let start = try FineTuneStart.make(config, cache: cache)
        let objective = try SentenceClassificationObjective(
            encoder: start.encoder, data: try batch(batch: config.batchSize, length: config.maxLength),
            chunkSize: config.batchSize)
        return (start, objective)
    }

    /// Times the forward pass and `repetitions` steps of every method (after one warm-up each), from the same θ.
    public static func run(
        _ config: FineTuneConfig, repetitions: Int, methods: [FineTuneMethod] = methods,
        cache: AssetCache = .standard
    ) throws -> Result {
        try Check.positive(repetitions, "repetitions", at: "StepBenchmark.run")
        let (start, objective) = try setup(config, cache: cache)
        func time(_ body: () throws -> Void) rethrows -> Timing {
            try body()
            var runs: [Double] = []
            for _ in 0..<repetitions {
                let t0 = DispatchTime.now().uptimeNanoseconds
                try body()
                runs.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
            }
            return Timing(runs)
        }
        let forward = try time { _ = try objective.loss(start.parameters, batch: .full) }
        func seconds(_ body: () throws -> Void) rethrows -> Double {
            let t0 = DispatchTime.now().uptimeNanoseconds
            try body()
            return Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        }
        var steps: [String: Timing] = [:]
        var beside: [String: Timing] = [:]
        for method in methods {
            var c = config
            c.method = method
            c.learningRate = FineTuneConfig.defaultLearningRate(method)
            var stepper = try c.makeStepper(layout: objective.layout)
            var theta = start.parameters
            var t = 0
            func step() throws {
                _ = try stepper.step(objective, &theta, step: t, key: c.keys.perturbation, batch: .full)
                t += 1
            }
            try step()  // warm-up (state, buffers)
            var forwards: [Double] = []
            var runs: [Double] = []
            for _ in 0..<repetitions {
                forwards.append(try seconds { _ = try objective.loss(start.parameters, batch: .full) })
                runs.append(try seconds { try step() })
            }
            steps[method.rawValue] = Timing(runs)
            beside[method.rawValue] = Timing(forwards)
        }
        let ec = start.encoder.config
        let flop = EncoderBenchmark.forwardFLOP(ec, batch: config.batchSize, length: config.maxLength)
        let gauss = try Benchmarks.gaussianFill(
            Float.self, count: 1 << 22, repetitions: max(repetitions, 5), key: PRNGKey(seed: 1))
        return Result(
            batch: config.batchSize, length: config.maxLength, layers: ec.layers, threads: BLASThreads.current,
            repetitions: repetitions, openblasCoretype: ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"],
            parameterCount: start.parameters.count, forwardGFLOP: flop / 1e9, forwardSeconds: forward,
            forwardGFLOPS: flop / forward.median / 1e9,
            sgemmGFLOPS: EncoderBenchmark.sgemmRate(
                rows: config.batchSize * config.maxLength, inputs: ec.hidden,
                outputs: ec.intermediate, repetitions: max(repetitions, 5)),
            gaussianSamplesPerSecond: gauss.perSecond, stepSeconds: steps, forwardBesideSeconds: beside,
            peakRSSBytes: nil)
    }

    /// Peak RSS of one mode in this process: load model and batch, reset VmHWM to the resident size,
    /// build the mode's state and run `steps` steps (inference: forward passes). Run it in a fresh process.
    public static func peakRSS(_ mode: MemoryMode, config: FineTuneConfig, steps: Int, cache: AssetCache = .standard)
        throws -> Int
    {
        try Check.positive(steps, "steps", at: "StepBenchmark.peakRSS")
        var c = config
        c.method = mode.method ?? .mezo
        c.learningRate = FineTuneConfig.defaultLearningRate(c.method)
        // θ must have one holder: a second would make the first update copy the whole buffer
        // (copy-on-write) and count it against the method. `start` ends with the `do`.
        var theta: Parameters<Float>
        let objective: SentenceClassificationObjective<Float>
        do {
            let (start, o) = try setup(c, cache: cache)
            theta = start.parameters
            objective = o
        }
        _ = ProcessMemory.resetPeak()
        if mode == .inference {
            for _ in 0..<steps { _ = try objective.loss(theta, batch: .full) }
        } else {
            var stepper = try c.makeStepper(layout: objective.layout)
            for t in 0..<steps {
                _ = try stepper.step(objective, &theta, step: t, key: c.keys.perturbation, batch: .full)
            }
        }
        return ProcessMemory.peakResidentBytes ?? 0
    }
}
