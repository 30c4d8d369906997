import Foundation
import Testing
import ZOCore
import ZOModel
import ZOTestSupport

@Suite struct CrossEntropyTests {
    let b = 3, k = 4
    let labels: [Int32] = [2, 0, 3]

    func loss(_ z: [Double]) -> Double {
        var a = [[Double](repeating: 0, count: b * k), z]
        var total = 0.0
        _ = labels.withUnsafeBufferPointer { l in
            withPointers(&a) { p in
                total = CrossEntropy.forward(probs: p[0], logits: p[1], labels: l.baseAddress!, batch: b, classes: k)
            }
        }
        return total
    }

    @Test func stableForHugeLogits() {
        // Row 0: logits (1000, 0, 1000, 0) with label 2 → ℓ = log 2 exactly in exact arithmetic.
        var z = [Double](repeating: 0, count: b * k)
        z[0] = 1000
        z[2] = 1000
        let l = loss(z)
        #expect(l.isFinite)
        #expect(abs(l - (log(2) + 2 * log(4))) < 1e-12)
    }

    @Test func backwardMatchesFiniteDifferences() {
        let z: [Double] = randn(b * k, seed: 1, scale: 3)
        var a = [[Double](repeating: 0, count: b * k), z]
        _ = labels.withUnsafeBufferPointer { l in
            withPointers(&a) { p in
                _ = CrossEntropy.forward(probs: p[0], logits: p[1], labels: l.baseAddress!, batch: b, classes: k)
            }
        }
        var g = [[Double](repeating: 1, count: b * k), a[0]]
        _ = labels.withUnsafeBufferPointer { l in
            withPointers(&g) { p in
                CrossEntropy.backward(
                    dlogits: p[0], probs: p[1], labels: l.baseAddress!, scale: 0.5, batch: b, classes: k)
            }
        }
        #expect(relativeError(g[0].map { $0 - 1 }, finiteDifferences(z) { 0.5 * loss($0) }) < 1e-6)
    }
}
