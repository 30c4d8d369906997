import ZOCore

/// The key streams of fine-tuning and the scale experiments (Proofs/rng.md#key-streams).
extension KeyStream {
    /// Under a fine-tuning run's root key (`FineTuneKeys`): the minibatch of step t (then t), the
    /// perturbations (the estimator's key), the classification head, a random encoder's initialisation.
    /// `ScaleProblem` draws its one minibatch from `.minibatch` too.
    static let minibatch = KeyStream("minibatch", 1)
    static let perturbations = KeyStream("perturbations", 2)
    static let head = KeyStream("head", 3)
    static let encoderInit = KeyStream("encoderInit", 4)
    /// `ScaleProblem`'s classification head, under `PRNGKey(seed:)`.
    static let scaleHead = KeyStream("scaleHead", 2)
    /// `EstimatorQuality`'s draws under a run's root key (the scale claims, `zocheck scale
    /// estimator-quality`, the estimator-quality notebook); each estimator then folds in its name
    /// (`ScaleEstimatorSpec.key`).
    public static let estimatorQualityDraws = KeyStream("estimatorQualityDraws", 3)
    /// `EstimatorQuality.linearisedCosine`'s samples under an estimator's key: 2⁴⁰, clear of the draw
    /// indices k that the measured draws fold in.
    static let linearisedCosine = KeyStream("linearisedCosine", 1 << 40)
    /// `EncoderBenchmark`'s random token ids.
    static let benchmarkTokens = KeyStream("benchmarkTokens", 1)
}
