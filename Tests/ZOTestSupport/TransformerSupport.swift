import Foundation
import Testing
import ZOCore
import ZOModel

// Shared helpers for the encoder tests: a small random config with padding, seeded random
// arrays, central finite differences in Double, and pointer plumbing for the kernels.

public enum Small {
    /// hidden 8, 2 heads, 2 layers, vocab 20, FFN 16, 8 positions, 3 classes.
    public static let config = EncoderConfig(
        vocabSize: 20, hidden: 8, layers: 2, heads: 2, intermediate: 16,
        maxPositions: 8, typeVocabSize: 2, layerNormEps: 1e-12, classes: 3)

    /// Two sequences of length 5 and 3 (padded to 5), with labels, and a second token type in one.
    public static func tokens() throws -> EncoderBatch {
        try EncoderBatch(
            batch: 2, length: 5, ids: [1, 7, 3, 12, 2, 1, 19, 2, 0, 0], mask: [1, 1, 1, 1, 1, 1, 1, 1, 0, 0],
            types: [0, 0, 0, 1, 1, 0, 0, 0, 0, 0], labels: [2, 0])
    }

    /// Every parameter random (not BERT's init: LayerNorm gains near 1, everything else O(0.5)),
    /// so that no gradient path is trivially zero.
    public static func parameters<T: EncoderScalar>(_ layout: EncoderLayout, key: PRNGKey, as: T.Type = T.self)
        -> Parameters<T>
    {
        var p = Parameters<T>(zeros: layout.parameters)
        let gains = Set(
            [layout.embeddingNormWeight.index]
                + layout.layers.flatMap { [$0.attentionNormWeight.index, $0.outputNormWeight.index] })
        for t in layout.parameters.tensors.indices {
            p.withTensor(t) { w in
                T.fillGaussian(w, key: key.fold(in: t), offset: 0)
                for i in 0..<w.count { w[i] = gains.contains(t) ? 1 + T(0.2) * w[i] : T(0.5) * w[i] }
            }
        }
        return p
    }
}

/// Seeded Gaussian values.
public func randn<T: ZOScalar>(_ count: Int, seed: UInt64, scale: Double = 1, as: T.Type = T.self) -> [T] {
    RandomFill.gaussian(Double.self, count: count, key: PRNGKey(seed: seed)).map { T($0 * scale) }
}

/// Central differences ∂f/∂x_i = (f(x + h e_i) − f(x − h e_i)) / 2h for every i.
public func finiteDifferences(_ x: [Double], h: Double = 1e-5, _ f: ([Double]) throws -> Double) rethrows -> [Double] {
    var x = x
    var g = [Double](repeating: 0, count: x.count)
    for i in x.indices {
        let x0 = x[i]
        x[i] = x0 + h
        let fp = try f(x)
        x[i] = x0 - h
        let fm = try f(x)
        x[i] = x0
        g[i] = (fp - fm) / (2 * h)
    }
    return g
}

/// ‖a − b‖∞ / ‖b‖∞: the error measure of every gradient check (b is the finite-difference reference).
public func relativeError(_ a: [Double], _ b: [Double]) -> Double {
    precondition(a.count == b.count, "relativeError: sizes differ")
    var num = 0.0
    var den = 0.0
    for i in a.indices {
        num = max(num, abs(a[i] - b[i]))
        den = max(den, abs(b[i]))
    }
    return den == 0 ? num : num / den
}

public func maxAbs<T: BinaryFloatingPoint>(_ a: [T], _ b: [T]) -> Double {
    zip(a, b).reduce(0.0) { max($0, abs(Double($1.0) - Double($1.1))) }
}

/// Σ r_i y_i: a scalar test loss whose gradient with respect to y is r.
public func dot(_ y: [Double], _ r: [Double]) -> Double { zip(y, r).reduce(0) { $0 + $1.0 * $1.1 } }

/// Calls `body` with mutable pointers to copies of the arrays, returns the first array's final contents.
@discardableResult
public func withPointers<T>(_ arrays: inout [[T]], _ body: ([UnsafeMutablePointer<T>]) -> Void) -> [T] {
    var ptrs: [UnsafeMutablePointer<T>] = []
    for a in arrays {
        let p = UnsafeMutablePointer<T>.allocate(capacity: max(a.count, 1))
        p.initialize(from: a, count: a.count)
        ptrs.append(p)
    }
    body(ptrs)
    for (i, p) in ptrs.enumerated() {
        arrays[i] = Array(UnsafeBufferPointer(start: p, count: arrays[i].count))
        p.deallocate()
    }
    return arrays[0]
}

/// Tests that set the OpenBLAS thread count (process-wide) or compare two runs bit for bit: one
/// serialized suite, so that no test changes the thread count between another's two runs.
/// Its tests live in the files of the sources they check, as extensions.
@Suite(.serialized) public struct BLASThreadTests {
    public init() {}
}
