import Foundation
import Testing
import ZOCore
import ZOModel
import ZOTestSupport

@Suite struct AttentionTests {
    // B = 2, T = 5, C = 8, H = 2; sequence 1 has two padded positions.
    let b = 2, t = 5, c = 8, h = 2
    let mask: [Int32] = [1, 1, 1, 1, 1, 1, 1, 1, 0, 0]

    func forward<T: EncoderScalar>(_ q: [T], _ k: [T], _ v: [T], naive: Bool = false) -> (out: [T], att: [T]) {
        var a = [[T](repeating: 0, count: b * t * c), [T](repeating: 0, count: b * h * t * t), q, k, v]
        _ = mask.withUnsafeBufferPointer { m in
            withPointers(&a) { p in
                if naive {
                    Attention.forwardNaive(
                        p[0], att: p[1], q: p[2], k: p[3], v: p[4], mask: m.baseAddress!, batch: b, length: t,
                        channels: c, heads: h)
                } else {
                    Attention.forward(
                        p[0], att: p[1], q: p[2], k: p[3], v: p[4], mask: m.baseAddress!, batch: b, length: t,
                        channels: c, heads: h)
                }
            }
        }
        return (a[0], a[1])
    }

    @Test func blasMatchesNaiveReference() {
        let q: [Float] = randn(b * t * c, seed: 1)
        let k: [Float] = randn(b * t * c, seed: 2)
        let v: [Float] = randn(b * t * c, seed: 3)
        let fast = forward(q, k, v)
        let slow = forward(q, k, v, naive: true)
        #expect(maxAbs(fast.out, slow.out) < 1e-5)
        #expect(maxAbs(fast.att, slow.att) < 1e-6)
    }

    /// Padded keys get probability exactly 0, and their values do not reach the output.
    @Test func paddedKeysAreIgnored() {
        let q: [Double] = randn(b * t * c, seed: 1)
        let k: [Double] = randn(b * t * c, seed: 2)
        let v: [Double] = randn(b * t * c, seed: 3)
        let base = forward(q, k, v)
        var k2 = k
        var v2 = v
        for pos in [8, 9] {
            for i in 0..<c {
                k2[pos * c + i] = 100
                v2[pos * c + i] = -100
            }
        }
        let moved = forward(q, k2, v2)
        #expect(maxAbs(base.out, moved.out) == 0)
        for qi in 0..<t { for j in [3, 4] { #expect(base.att[((1 * h + 1) * t + qi) * t + j] == 0) } }
        // Rows of valid keys sum to 1.
        for row in 0..<(b * h * t) { #expect(abs(base.att[(row * t)..<((row + 1) * t)].reduce(0, +) - 1) < 1e-12) }
    }

    @Test func backwardMatchesFiniteDifferences() {
        let q: [Double] = randn(b * t * c, seed: 1)
        let k: [Double] = randn(b * t * c, seed: 2)
        let v: [Double] = randn(b * t * c, seed: 3)
        let r: [Double] = randn(b * t * c, seed: 4)
        let att = forward(q, k, v).att
        let ones = [Double](repeating: 1, count: b * t * c)
        var g = [ones, ones, ones, [Double](repeating: 0, count: t * t), r, att, q, k, v]
        withPointers(&g) { p in
            Attention.backward(
                dq: p[0], dk: p[1], dv: p[2], scratch: p[3], dout: p[4], att: p[5], q: p[6], k: p[7], v: p[8],
                batch: b, length: t, channels: c, heads: h)
        }
        #expect(relativeError(g[0].map { $0 - 1 }, finiteDifferences(q) { dot(forward($0, k, v).out, r) }) < 1e-6)
        #expect(relativeError(g[1].map { $0 - 1 }, finiteDifferences(k) { dot(forward(q, $0, v).out, r) }) < 1e-6)
        #expect(relativeError(g[2].map { $0 - 1 }, finiteDifferences(v) { dot(forward(q, k, $0).out, r) }) < 1e-6)
    }

    /// A softmax of huge scores stays finite (the maximum is subtracted first).
    @Test func softmaxRowIsStable() {
        var row: [Double] = [1000, 999, -1000, 5]
        let m: [Int32] = [1, 1, 1, 0]
        row.withUnsafeMutableBufferPointer { r in
            m.withUnsafeBufferPointer { Attention.softmaxRow(r.baseAddress!, mask: $0.baseAddress!, count: 4) }
        }
        #expect(abs(row[0] - 1 / (1 + exp(-1.0))) < 1e-15 && row[2] == 0 && row[3] == 0)
    }
}
