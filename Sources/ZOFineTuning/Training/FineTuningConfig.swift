import Foundation
import ZOCore
import ZOModel

// Fine-tuning configuration: the method, its hyper-parameters, the sizes, and the key schedule.
// Everything random in a run derives from `PRNGKey(seed:)` through `FineTuneKeys`.

/// How the model is trained. Every ZO method runs through `ZOEstimator` with the same
/// distributions as the synthetic problems; FO methods through the objective's backward pass.
public enum FineTuneMethod: String, CaseIterable, Codable, Sendable {
    /// MeZO: Gaussian Z over all parameters (`GaussianRGE`), ZO-SGD.
    case mezo
    /// LOZO: Z = U Vᵀ on matrices, V every ν steps (`LOZO`, paper scaling 1/r), ZO-SGD.
    case lozo
    /// LOZO-M: LOZO with the low-rank momentum of Alg. 2 (`LOZOMomentum`).
    case lozoM = "lozo-m"
    /// SubZero: Z = s·U Z₀ Vᵀ with Haar U, V every F steps (`SubZero`, reference scaling), ZO-SGD.
    case subzero
    /// Sparse MeZO: Gaussian Z on the (1 − s) smallest-magnitude entries of each tensor (dynamic mask), ZO-SGD.
    case sparseMeZO = "sparse-mezo"
    /// First-order SGD (backpropagation), no momentum.
    case foSGD = "fo-sgd"
    /// First-order Adam (backpropagation).
    case foAdam = "fo-adam"

    public var isZerothOrder: Bool { self != .foSGD && self != .foAdam }

    /// Cost of one step in forward-pass equivalents: 2 for a central ZO difference; 3 for FO
    /// (one forward + one backward, counted as two forwards — measured 2.2× on this model,
    /// `zocheck bench encoder --backward`).
    public var forwardEquivalentsPerStep: Int { isZerothOrder ? 2 : 3 }
}

/// Where the encoder's weights come from.
public enum ModelInitialization: String, CaseIterable, Codable, Sendable {
    /// all-MiniLM-L6-v2's checkpoint (head from the head key).
    case pretrained
    /// BERT's initialisation (N(0, 0.02²) matrices, zero biases, unit gains) from the init key.
    case random
}

/// Everything that determines a fine-tuning run (with the data and the thread count).
public struct FineTuneConfig: Codable, Sendable, Equatable {
    public var method: FineTuneMethod
    /// K: encoder layers run and trained (1…6).
    public var layers: Int = 6
    public var steps: Int = 200
    public var batchSize: Int = 16
    public var learningRate: Double
    /// ε of the central difference (ZO methods).
    public var epsilon: Double = ZODefaults.epsilon
    /// r of LOZO, LOZO-M and SubZero; at most 2 here (token-type and head matrices have 2 rows).
    public var rank: Int = 2
    /// ν: LOZO's V is resampled every ν steps.
    public var lazyInterval: Int = 50
    /// F: SubZero's U, V are refreshed every F steps.
    public var refreshInterval: Int = 100
    /// s: Sparse MeZO's fraction of entries left unperturbed.
    public var sparsity: Double = 0.8
    /// β of LOZO-M's momentum.
    public var momentum: Double = 0.9
    /// λ, on matrix tensors only (decided by kind).
    public var weightDecay: Double = 0
    public var seed: UInt64 = ZODefaults.seed
    /// Longest token sequence, [CLS] and [SEP] included.
    public var maxLength: Int = 64
    /// OpenBLAS threads; results are bit-reproducible for a fixed count.
    public var threads: Int = 2
    /// Evaluate dev (and test) every N steps; 0 = only before and after training.
    public var evalEvery: Int = 0
    /// Write a checkpoint every N steps; 0 = never.
    public var checkpointEvery: Int = 0
    public var initialization: ModelInitialization = .pretrained
    /// Evaluate on N examples of each split, spread evenly over it (CI); nil = the full split.
    public var evalLimit: Int? = nil

    /// The method's defaults: learning rates measured on 2 layers (`defaultLearningRate`), the
    /// rest as the papers use them where the model allows (r ≤ 2, see `rank`).
    public static func defaults(for method: FineTuneMethod) -> FineTuneConfig {
        FineTuneConfig(method: method, learningRate: defaultLearningRate(method))
    }

    /// Measured on 2 layers, batch 16, seed 20261122, 100 ZO / 30 FO steps, dev loss on 256 dev
    /// examples (README "Fine-tuning"): each is the largest rate tried that lowered it; the next
    /// larger one raised it or diverged (mezo 1e-3, lozo 3e-3 and 1e-2, lozo-m 3e-3, subzero 3e-3).
    /// Sparse MeZO 3e-3 also lowered it; 1e-3 keeps a margin for 6 layers. FO-SGD 1e-1 was noisy.
    public static func defaultLearningRate(_ method: FineTuneMethod) -> Double {
        switch method {
        case .mezo: 3e-4
        case .lozo, .lozoM, .subzero, .sparseMeZO: 1e-3
        case .foSGD: 3e-2
        case .foAdam: 1e-4
        }
    }

    public var keys: FineTuneKeys { FineTuneKeys(root: PRNGKey(seed: seed)) }

    /// Upper bounds of `steps` (the loss history and state.json grow with it) and `batchSize`.
    public static let maxSteps = 1_000_000
    public static let maxBatchSize = 4_096

    /// Throws a `ZOError` naming the bad value and its valid range.
    public func validate() throws(ZOError) {
        let at = "FineTuneConfig"
        func range(_ ok: Bool, _ what: String, _ fix: String) throws(ZOError) {
            if !ok { throw ZOError(what, at: at, fix: fix) }
        }
        try range(
            (1...6).contains(layers), "layers = \(layers) is outside 1…6",
            "pass --layers between 1 and 6 (all-MiniLM-L6-v2 has 6)")
        try range(
            (0...Self.maxSteps).contains(steps), "steps = \(steps) is outside 0…\(Self.maxSteps)",
            "pass --steps between 0 and \(Self.maxSteps)")
        try range(
            (1...Self.maxBatchSize).contains(batchSize), "batch size \(batchSize) is outside 1…\(Self.maxBatchSize)",
            "pass --batch-size between 1 and \(Self.maxBatchSize) (16 is the default)")
        try Check.positive(
            learningRate, "learning rate", at: at, fix: "pass --lr > 0 (defaults: zocheck finetune --help)")
        try Check.positive(epsilon, "ε", at: at, fix: "pass --epsilon > 0 (1e-3 is the papers' default)")
        try range(
            (1...2).contains(rank), "rank r = \(rank) is outside 1…2",
            "pass --rank 1 or 2: the token-type table and the head are 2×384, and r ≤ min(m, n) for every matrix")
        try range(lazyInterval >= 1, "ν = \(lazyInterval) must be ≥ 1", "pass --nu ≥ 1 (LOZO uses 50-100)")
        try range(
            refreshInterval >= 1, "F = \(refreshInterval) must be ≥ 1",
            "pass --refresh ≥ 1 (SubZero uses 1000-2000 on long runs)")
        try range(
            sparsity.isFinite && sparsity >= 0 && sparsity < 1, "sparsity \(sparsity) is outside [0, 1)",
            "pass --sparsity in [0, 1) (0.8 is the paper's best)")
        try range(
            momentum.isFinite && momentum >= 0 && momentum < 1, "momentum β = \(momentum) is outside [0, 1)",
            "pass --momentum in [0, 1) (0.9)")
        try range(
            weightDecay.isFinite && weightDecay >= 0, "weight decay \(weightDecay) must be ≥ 0",
            "pass --weight-decay ≥ 0")
        try range(
            (2...512).contains(maxLength), "max length \(maxLength) is outside 2…512",
            "pass --max-length between 2 and 512 (64 is the default)")
        try range(
            (1...1024).contains(threads), "threads = \(threads) is outside 1…1024",
            "pass --threads between 1 and the number of cores")
        try range(
            evalEvery >= 0 && checkpointEvery >= 0, "eval/checkpoint intervals must be ≥ 0",
            "pass 0 to disable, or N ≥ 1 steps")
        try range(
            (1...10_000_000).contains(evalLimit ?? 1), "eval limit \(evalLimit ?? 0) is outside 1…10000000",
            "pass N ≥ 1 examples per split, or none for the full split")
    }
}

/// The key schedule of a run (all from the root key `PRNGKey(seed:)`; the streams of
/// Sources/ZOFineTuning/KeyStreams.swift):
/// - minibatch of step t: `root.fold(in: .minibatch).fold(in: t)` (1, then t; drawn without replacement,
///   `BatchSelection`);
/// - perturbations: the estimator's key `root.fold(in: .perturbations)` (2) together with the step t, from
///   which each distribution derives (role, t or its lazy block, tensor) — one fixed key, so LOZO's V and
///   SubZero's U, V stay the same within their blocks as the papers require;
/// - the classification head: `.head` (3); a random encoder: `.encoderInit` (4).
public struct FineTuneKeys: Sendable, Equatable {
    public let root: PRNGKey
    public func minibatch(step: Int) -> PRNGKey { root.fold(in: .minibatch).fold(in: step) }
    public var perturbation: PRNGKey { root.fold(in: .perturbations) }
    public var head: PRNGKey { root.fold(in: .head) }
    public var encoderInit: PRNGKey { root.fold(in: .encoderInit) }
}
