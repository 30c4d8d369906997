import ZOCore

// Activation buffers of one forward/backward pass, allocated once per (B, T) shape and reused.
//
// Legend: B batch, T tokens, N = B·T, C hidden, H heads, F FFN width, K classes, L layers.
// One allocation of T and one of Double hold every forward buffer (llm.c's acts_memory);
// the backward buffers are a second pair, made on the first backward pass.

/// The saved activations of encoder layer l (all pointers into `EncoderActivations` memory).
public struct LayerActivations<T: EncoderScalar> {
    public let q, k, v: UnsafeMutablePointer<T>  // (B, T, C) each
    public let att: UnsafeMutablePointer<T>  // (B, H, T, T) softmax probabilities
    public let context: UnsafeMutablePointer<T>  // (B, T, C) attention output before the dense layer
    public let residual1: UnsafeMutablePointer<T>  // (B, T, C) dense(context) + layer input
    public let norm1: UnsafeMutablePointer<T>  // (B, T, C) LayerNorm(residual1)
    public let norm1Mean, norm1Rstd: UnsafeMutablePointer<Double>  // (B·T)
    public let intermediate: UnsafeMutablePointer<T>  // (B, T, F) before GELU
    public let gelu: UnsafeMutablePointer<T>  // (B, T, F)
    public let residual2: UnsafeMutablePointer<T>  // (B, T, C) dense(gelu) + norm1
    public let output: UnsafeMutablePointer<T>  // (B, T, C) LayerNorm(residual2): the layer's output
    public let outputMean, outputRstd: UnsafeMutablePointer<Double>  // (B·T)
}

/// Gradient buffers of the backward pass (overwritten, not accumulated, between layers).
public struct BackwardBuffers<T: EncoderScalar> {
    public let stream, streamNext: UnsafeMutablePointer<T>  // (B, T, C) d(layer output), d(layer input)
    public let residual: UnsafeMutablePointer<T>  // (B, T, C) d(residual1 or residual2)
    public let norm1: UnsafeMutablePointer<T>  // (B, T, C) d(norm1)
    public let context: UnsafeMutablePointer<T>  // (B, T, C)
    public let q, k, v: UnsafeMutablePointer<T>  // (B, T, C) each
    public let gelu, intermediate: UnsafeMutablePointer<T>  // (B, T, F) each
    public let scores: UnsafeMutablePointer<T>  // (T, T)
    public let pooled: UnsafeMutablePointer<T>  // (B, C)
    public let logits: UnsafeMutablePointer<T>  // (B, max(K, 1))
}

public final class EncoderActivations<T: EncoderScalar> {
    public let config: EncoderConfig
    /// The largest (B, T) these buffers hold; any smaller shape reuses them.
    public let capacityBatch: Int, capacityLength: Int
    public private(set) var batch: Int  // B of the last forward
    public private(set) var length: Int  // T of the last forward
    public private(set) var ids, types, mask: UnsafeMutablePointer<Int32>  // (B, T) the inputs of the last forward
    public private(set) var labels: UnsafeMutablePointer<Int32>  // (B) (unused without labels)
    public private(set) var embeddings: UnsafeMutablePointer<T>  // (B, T, C) word + position + type
    public private(set) var embeddingOutput: UnsafeMutablePointer<T>  // (B, T, C) LayerNorm(embeddings)
    public private(set) var embeddingMean, embeddingRstd: UnsafeMutablePointer<Double>  // (B·T)
    public private(set) var layers: [LayerActivations<T>]  // L
    public private(set) var pooled: UnsafeMutablePointer<T>  // (B, C)
    public private(set) var logits, probs: UnsafeMutablePointer<T>  // (B, max(K, 1)) each
    /// Whether the last forward had labels (and so a loss to differentiate).
    public internal(set) var hasLabels = false
    /// Whether the last forward applied fused deltas (its activations are not those of the parameters).
    public internal(set) var usedDeltas = false

    private let memory: UnsafeMutablePointer<T>
    private let doubles: UnsafeMutablePointer<Double>
    private let integers: UnsafeMutablePointer<Int32>
    private var backwardMemory: UnsafeMutablePointer<T>?
    private var scratchMemory: UnsafeMutablePointer<T>?
    private var scratchCapacity = 0
    private var arenaMemory: UnsafeMutablePointer<T>?
    private var arenaCapacity = 0

    /// Number of T values the forward buffers take for (B, T).
    public static func forwardCount(_ config: EncoderConfig, batch b: Int, length t: Int) -> Int {
        let n = b * t
        let c = config.hidden
        let f = config.intermediate
        let k = max(config.classes, 1)
        return 2 * n * c + config.layers * (8 * n * c + b * config.heads * t * t + 2 * n * f) + b * c + 2 * b * k
    }

    /// Throws unless the buffers for (B, T) — `forwardCount` values of T, 2·B·T·(1 + 2L) Doubles,
    /// 3·B·T + B Int32, doubled when `backward` (gradients of the same sizes) — can be sized
    /// without overflow and fit in memory (`MemoryBudget`). Call before `init` with sizes from
    /// outside input: `init` itself does not check.
    public static func checkFits(_ config: EncoderConfig, batch b: Int, length t: Int, backward: Bool = false)
        throws(ZOError)
    {
        let at = "EncoderActivations(batch: \(b), length: \(t))"
        let fix = "use a smaller batch or sequence length"
        func p(_ f: [Int]) throws(ZOError) -> Int {
            try MemoryBudget.product(f, "the activation buffers", at: at, fix: fix)
        }
        let (c, f, k, l, h) = (config.hidden, config.intermediate, max(config.classes, 1), config.layers, config.heads)
        let perLayer = try MemoryBudget.sum(
            [try p([8, b, t, c]), try p([b, h, t, t]), try p([2, b, t, f])], "the activation buffers", at: at, fix: fix)
        let values = try MemoryBudget.sum(
            [try p([2, b, t, c]), try p([l, perLayer]), try p([b, c]), try p([2, b, k])], "the activation buffers",
            at: at, fix: fix)
        let bytes = try MemoryBudget.sum(
            [
                try p([values, MemoryLayout<T>.stride]), try p([2, b, t, 1 + 2 * l, 8]), try p([3 * b + 1, t, 4]),
            ], "the activation buffers", at: at, fix: fix)
        try MemoryBudget.check(
            try p([bytes, backward ? 2 : 1]), "activations for a \(b) × \(t) batch", at: at, fix: fix)
    }

    /// Buffers for batches of up to `batch` sequences of up to `length` tokens.
    public init(config: EncoderConfig, batch b: Int, length t: Int) {
        self.config = config
        capacityBatch = max(b, 1)
        capacityLength = max(t, 1)
        let n = capacityBatch * capacityLength
        memory = .allocate(capacity: Self.forwardCount(config, batch: capacityBatch, length: capacityLength))
        doubles = .allocate(capacity: 2 * n * (1 + 2 * config.layers))
        integers = .allocate(capacity: 3 * n + capacityBatch)
        integers.initialize(repeating: 0, count: 3 * n + capacityBatch)
        // Placeholders, replaced by carve(); every pointer below is re-derived there.
        batch = 0
        length = 0
        ids = integers
        types = integers
        mask = integers
        labels = integers
        embeddings = memory
        embeddingOutput = memory
        embeddingMean = doubles
        embeddingRstd = doubles
        layers = []
        pooled = memory
        logits = memory
        probs = memory
        carve(batch: capacityBatch, length: capacityLength)
    }

    deinit {
        memory.deallocate()
        doubles.deallocate()
        integers.deallocate()
        backwardMemory?.deallocate()
        scratchMemory?.deallocate()
        arenaMemory?.deallocate()
    }

    /// Whether a (B, T) batch fits.
    public func canHold(batch b: Int, length t: Int) -> Bool {
        b >= 1 && t >= 1 && b <= capacityBatch && t <= capacityLength
    }

    /// Lays the buffers out for a (B, T) batch (B ≤ capacityBatch, T ≤ capacityLength): the
    /// views are contiguous (B, T, ·) arrays at the front of the same memory.
    func carve(batch b: Int, length t: Int) {
        batch = b
        length = t
        let n = b * t
        let c = config.hidden
        let f = config.intermediate
        let k = max(config.classes, 1)
        var cursor = memory
        var dcursor = doubles
        func take(_ count: Int) -> UnsafeMutablePointer<T> {
            defer { cursor += count }
            return cursor
        }
        func takeD(_ count: Int) -> UnsafeMutablePointer<Double> {
            defer { dcursor += count }
            return dcursor
        }
        ids = integers
        types = integers + n
        mask = integers + 2 * n
        labels = integers + 3 * n
        embeddings = take(n * c)
        embeddingOutput = take(n * c)
        embeddingMean = takeD(n)
        embeddingRstd = takeD(n)
        var layers: [LayerActivations<T>] = []
        for _ in 0..<config.layers {
            layers.append(
                LayerActivations(
                    q: take(n * c), k: take(n * c), v: take(n * c), att: take(b * config.heads * t * t),
                    context: take(n * c), residual1: take(n * c), norm1: take(n * c), norm1Mean: takeD(n),
                    norm1Rstd: takeD(n),
                    intermediate: take(n * f), gelu: take(n * f), residual2: take(n * c), output: take(n * c),
                    outputMean: takeD(n), outputRstd: takeD(n)))
        }
        self.layers = layers
        pooled = take(b * c)
        logits = take(b * k)
        probs = take(b * k)
    }

    /// The output of the last layer run (the embedding LayerNorm when L = 0): (B, T, C).
    public var lastHidden: UnsafeMutablePointer<T> { layers.last?.output ?? embeddingOutput }

    /// The backward buffers for the current (B, T), made (for the capacity) on first use.
    public func backwardBuffers() -> BackwardBuffers<T> {
        let c = config.hidden
        let f = config.intermediate
        let k = max(config.classes, 1)
        func total(_ b: Int, _ t: Int) -> Int { 8 * b * t * c + 2 * b * t * f + t * t + b * c + b * k }
        let base: UnsafeMutablePointer<T>
        if let m = backwardMemory {
            base = m
        } else {
            base = .allocate(capacity: total(capacityBatch, capacityLength))
            backwardMemory = base
        }
        let n = batch * length
        var cursor = base
        func take(_ count: Int) -> UnsafeMutablePointer<T> {
            defer { cursor += count }
            return cursor
        }
        return BackwardBuffers(
            stream: take(n * c), streamNext: take(n * c), residual: take(n * c), norm1: take(n * c),
            context: take(n * c), q: take(n * c), k: take(n * c), v: take(n * c),
            gelu: take(n * f), intermediate: take(n * f), scores: take(length * length),
            pooled: take(batch * c), logits: take(batch * k))
    }

    /// A scratch buffer of at least `count` values (the (N, r) product of a fused low-rank delta).
    public func scratch(_ count: Int) -> UnsafeMutablePointer<T> {
        if let m = scratchMemory, scratchCapacity >= count { return m }
        scratchMemory?.deallocate()
        let m = UnsafeMutablePointer<T>.allocate(capacity: max(count, 1))
        scratchMemory = m
        scratchCapacity = count
        return m
    }

    /// Room for at least `count` values of perturbed tensors (one stage of a streamed perturbed
    /// forward: a layer's dense tensors, or the gathered embedding rows); earlier contents are lost.
    public func arena(_ count: Int) -> UnsafeMutablePointer<T> {
        if let m = arenaMemory, arenaCapacity >= count { return m }
        arenaMemory?.deallocate()
        let m = UnsafeMutablePointer<T>.allocate(capacity: max(count, 1))
        arenaMemory = m
        arenaCapacity = count
        return m
    }
}
