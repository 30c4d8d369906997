import CNumerics
import Foundation
import ZOCore
import ZOModel

// Timing of the encoder's forward (and backward) pass and of its parts, for `zocheck bench encoder`.
// Not a test: numbers depend on the machine; the point is the breakdown (the non-gemm layers —
// GELU, softmax, LayerNorm — must not dominate the gemms).
//
// Legend: B batch, T tokens, N = B·T, C hidden, F FFN width, H heads, D head width, L layers.

public enum EncoderBenchmark {
    public struct Result: Codable, Sendable {
        public var batch: Int, length: Int, layers: Int, threads: Int
        /// Floating-point operations of one forward pass (gemms and attention products; 2 per multiply-add).
        public var forwardGFLOP: Double
        /// Best-of-N seconds per forward pass, and the rate it implies.
        public var forwardSeconds: Double, forwardGFLOPS: Double
        /// Best-of-N seconds of one backward pass (after a forward), when measured.
        public var backwardSeconds: Double?
        /// Seconds per forward spent in each kind of kernel, timed one kernel kind at a time over all layers.
        public var parts: [String: Double]
        /// The sgemm rate at the FFN's shape (N × F × C), best of N: the ceiling the forward rate is judged against.
        public var sgemmGFLOPS: Double
        /// Seconds of one central two-point ZO measurement (2 forwards + perturbation) on the batch,
        /// through ZOCore's generic `ZOEstimator.measure` (the path fine-tuning takes), per method;
        /// "lozo-fused" evaluates the two losses with the fused low-rank forward instead.
        public var zoMeasureSeconds: [String: Double]
    }

    /// 2·N·(4C² + 2CF) for the six linears plus 4·B·H·T²·D for QKᵀ and PV, per layer.
    public static func forwardFLOP(_ c: EncoderConfig, batch b: Int, length t: Int) -> Double {
        let n = Double(b * t)
        let cc = Double(c.hidden)
        let f = Double(c.intermediate)
        let perLayer = 2 * n * (4 * cc * cc + 2 * cc * f) + 4 * Double(b * c.heads * t * t * c.headDim)
        return Double(c.layers) * perLayer
    }

    /// Times the forward pass of a randomly initialised (BERT-init) encoder of `config` on random tokens.
    public static func run(
        config: EncoderConfig, batch b: Int, length t: Int, repetitions: Int,
        backward: Bool, key: PRNGKey
    ) throws(ZOError) -> Result {
        try Check.positive(repetitions, "repetitions", at: "EncoderBenchmark.run")
        let config = backward ? config.with(classes: max(config.classes, 2)) : config
        try Check.positive(b, "batch", at: "EncoderBenchmark.run")
        try Check.positive(t, "length", at: "EncoderBenchmark.run")
        try EncoderActivations<Float>.checkFits(config, batch: b, length: t, backward: backward)
        let encoder = try BertEncoder<Float>(config)
        let p = encoder.layout.initialParameters(Float.self, key: key)
        let ids = RandomFill.uniform(Double.self, count: b * t, key: key.fold(in: .benchmarkTokens)).map {
            Int32($0 * Double(config.vocabSize))
        }
        let tokens = try EncoderBatch(
            batch: b, length: t, ids: ids, mask: [Int32](repeating: 1, count: b * t),
            labels: [Int32](repeating: 0, count: b))
        let acts = encoder.makeActivations(batch: b, length: t)
        var best = Double.infinity
        var bestBackward = Double.infinity
        var g = [Float](repeating: 0, count: backward ? p.count : 0)
        for _ in 0..<repetitions {
            var start = DispatchTime.now().uptimeNanoseconds
            try encoder.forward(p, tokens: tokens, activations: acts)
            best = min(best, seconds(since: start))
            if backward {
                start = DispatchTime.now().uptimeNanoseconds
                try encoder.backward(p, activations: acts, scale: 1 / Double(b), into: &g)
                bestBackward = min(bestBackward, seconds(since: start))
            }
        }
        let flop = forwardFLOP(config, batch: b, length: t)
        return Result(
            batch: b, length: t, layers: config.layers, threads: BLASThreads.current, forwardGFLOP: flop / 1e9,
            forwardSeconds: best, forwardGFLOPS: flop / best / 1e9, backwardSeconds: backward ? bestBackward : nil,
            parts: parts(encoder, p, acts, repetitions: repetitions),
            sgemmGFLOPS: sgemmRate(
                rows: b * t, inputs: config.hidden, outputs: config.intermediate, repetitions: repetitions),
            zoMeasureSeconds: try zoMeasure(config.with(classes: 2), tokens, key: key, repetitions: repetitions))
    }

    /// Times `ZOEstimator.measure` (MeZO, LOZO r = 2) and the fused LOZO loss pair on a labelled copy of the batch.
    static func zoMeasure(_ config: EncoderConfig, _ tokens: EncoderBatch, key: PRNGKey, repetitions: Int)
        throws(ZOError) -> [String: Double]
    {
        let labelled = try EncoderBatch(
            batch: tokens.batch, length: tokens.length, ids: tokens.ids, mask: tokens.mask,
            labels: [Int32](repeating: 0, count: tokens.batch))
        let f = try SentenceClassificationObjective<Float>(
            encoder: try BertEncoder(config), data: labelled, chunkSize: tokens.batch)
        let theta = f.encoder.layout.initialParameters(Float.self, key: key)
        func time(_ body: () throws -> Void) throws(ZOError) -> Double {
            var best = Double.infinity
            for _ in 0..<repetitions {
                let start = DispatchTime.now().uptimeNanoseconds
                do { try body() } catch let e as ZOError { throw e } catch {
                    throw ZOError("\(error)", at: "EncoderBenchmark.zoMeasure", fix: "report this bug")
                }
                best = min(best, seconds(since: start))
            }
            return best
        }
        let mezo = try ZOEstimator(GaussianRGE(), epsilon: ZODefaults.epsilon)
        let lozo = try ZOEstimator(LOZO(rank: 2), epsilon: ZODefaults.epsilon)
        let z = try lozo.perturbations(step: 0, key: key, parameters: theta, use: .measurement)[0]
        return [
            "mezo": try time { _ = try mezo.measure(f, at: theta, step: 0, key: key) },
            "lozo": try time { _ = try lozo.measure(f, at: theta, step: 0, key: key) },
            "lozo-fused": try time {
                _ = try f.loss(theta, perturbation: z, epsilon: ZODefaults.epsilon, batch: .full)
                _ = try f.loss(theta, perturbation: z, epsilon: -ZODefaults.epsilon, batch: .full)
            },
        ]
    }

    /// GFLOP/s of OpenBLAS's own threaded sgemm out (N, O) = inp (N, I) · Wᵀ on random data, at the
    /// encoder's thread count (the reference rate; the encoder itself splits gemms with `SplitGemm`).
    static func sgemmRate(rows n: Int, inputs i: Int, outputs o: Int, repetitions: Int) -> Double {
        let a = RandomFill.gaussian(Float.self, count: n * i, key: PRNGKey(seed: 1))
        let w = RandomFill.gaussian(Float.self, count: o * i, key: PRNGKey(seed: 2))
        var out = [Float](repeating: 0, count: n * o)
        var best = Double.infinity
        for _ in 0..<max(repetitions, 3) {
            let start = DispatchTime.now().uptimeNanoseconds
            a.withUnsafeBufferPointer { ap in
                w.withUnsafeBufferPointer { wp in
                    out.withUnsafeMutableBufferPointer { op in
                        guard let ap = ap.baseAddress, let wp = wp.baseAddress, let op = op.baseAddress else { return }
                        BLASThreads.withOpenBLASThreads(BLASThreads.current) {
                            cblas_sgemm(
                                CblasRowMajor, CblasNoTrans, CblasTrans, blasint(n), blasint(o), blasint(i), 1, ap,
                                blasint(i),
                                wp, blasint(i), 0, op, blasint(o))
                        }
                    }
                }
            }
            best = min(best, seconds(since: start))
        }
        return 2 * Double(n * i * o) / best / 1e9
    }

    static func seconds(since start: UInt64) -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }

    /// Re-runs each kernel kind of the last forward on its saved inputs (results discarded).
    static func parts(
        _ e: BertEncoder<Float>, _ params: Parameters<Float>, _ a: EncoderActivations<Float>, repetitions: Int
    ) -> [String: Double] {
        let c = e.config
        let n = a.batch * a.length
        let cc = c.hidden
        let f = c.intermediate
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: n * max(cc, f))
        defer { scratch.deallocate() }
        func time(_ body: (UnsafePointer<Float>) -> Void) -> Double {
            var best = Double.infinity
            for _ in 0..<repetitions {
                let start = DispatchTime.now().uptimeNanoseconds
                params.values.withUnsafeBufferPointer { p in if let p = p.baseAddress { body(p) } }
                best = min(best, seconds(since: start))
            }
            return best
        }
        let layers = Array(zip(e.layout.layers, a.layers))
        return [
            "linear": time { p in
                for (r, s) in layers {
                    for w in [r.queryWeight, r.keyWeight, r.valueWeight, r.attentionOutputWeight] {
                        Linear.forward(
                            scratch, s.norm1, weight: p + w.offset, bias: nil, rows: n, inputs: cc, outputs: cc)
                    }
                    Linear.forward(
                        scratch, s.norm1, weight: p + r.intermediateWeight.offset, bias: nil, rows: n, inputs: cc,
                        outputs: f)
                    Linear.forward(
                        scratch, s.gelu, weight: p + r.outputWeight.offset, bias: nil, rows: n, inputs: f, outputs: cc)
                }
            },
            "attention": time { _ in
                for (_, s) in layers {
                    Attention.forward(
                        scratch, att: s.att, q: s.q, k: s.k, v: s.v, mask: a.mask, batch: a.batch, length: a.length,
                        channels: cc, heads: c.heads)
                }
            },
            "gelu": time { _ in for (_, s) in layers { GELU.forward(scratch, s.intermediate, count: n * f) } },
            "layernorm": time { p in
                for (r, s) in layers {
                    LayerNorm.forward(
                        scratch, mean: s.norm1Mean, rstd: s.norm1Rstd, s.residual1,
                        weight: p + r.attentionNormWeight.offset,
                        bias: p + r.attentionNormBias.offset, rows: n, channels: cc, eps: c.layerNormEps)
                    LayerNorm.forward(
                        scratch, mean: s.outputMean, rstd: s.outputRstd, s.residual2,
                        weight: p + r.outputNormWeight.offset,
                        bias: p + r.outputNormBias.offset, rows: n, channels: cc, eps: c.layerNormEps)
                }
            },
        ]
    }
}
