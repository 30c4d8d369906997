import Foundation
import Testing
import ZOCore

@Suite struct RandomFillTests {
    /// Scalar reference of the documented Float layout (RandomFill's doc comment), in Double math.
    static func referenceGaussianFloat(key: PRNGKey, element n: Int) -> Double {
        let chunk = n / 64
        let within = n % 64
        let lane = within % 16
        let part = within / 16
        let b = UInt64(chunk * 16 + lane)
        let w = key.bits(block: b)
        let (wu, wa) = part < 2 ? (w[0], w[1]) : (w[2], w[3])
        let u = 1 - Double(wu >> 9) / 8_388_608
        let angle = 2 * Double.pi * Double(wa >> 9) / 8_388_608
        let rho = (-2 * Foundation.log(u)).squareRoot()
        return part % 2 == 0 ? rho * Foundation.cos(angle) : rho * Foundation.sin(angle)
    }

    /// The vectorised Box–Muller equals the scalar formula to Float accuracy. Bound: the kernels'
    /// truncation errors (< 7e-10 in ln, < 2.5e-8 in sin/cos, ~4e-11 in √) plus a few Float roundings
    /// of values ≤ 5.65 in magnitude: |Δ| ≤ 8·2⁻²⁴·(1 + |z|) covers them (Proofs/rng.md §Box–Muller).
    @Test func vectorMatchesScalarReference() {
        let key = PRNGKey(seed: 0xC0FFEE)
        let n = 64 * 512
        let fast = RandomFill.gaussian(Float.self, count: n, key: key)
        var worst = 0.0
        for i in 0..<n {
            let ref = Self.referenceGaussianFloat(key: key, element: i)
            let err = abs(Double(fast[i]) - ref) / (1 + abs(ref))
            worst = max(worst, err)
        }
        #expect(worst <= 8 * 0x1p-24, "worst relative error \(worst), seed 0xC0FFEE")
        // Uniform: exact.
        let uni = RandomFill.uniform(Float.self, count: 256, key: key)
        for i in 0..<256 {
            let w = key.bits(block: UInt64((i / 64) * 16 + i % 16))[(i % 64) / 16]
            #expect(uni[i] == Float(w >> 9) / 8_388_608)
        }
        // Double uniform: exact.
        let ud = RandomFill.uniform(Double.self, count: 64, key: key)
        for i in 0..<64 {
            let w = key.bits(block: UInt64((i / 32) * 16 + i % 16))
            let word = (i % 32) < 16 ? UInt64(w[0]) | UInt64(w[1]) << 32 : UInt64(w[2]) | UInt64(w[3]) << 32
            #expect(ud[i] == Double(word >> 11) * 0x1p-53)
        }
    }

    /// Element n of a stream depends on (key, n) only: any offset reproduces the same numbers, bit for bit.
    @Test(arguments: [0, 1, 37, 63, 64, 100, 1000])
    func offsetsReproduceTheStream(offset: Int) {
        let key = PRNGKey(seed: 99)
        let fullF = RandomFill.gaussian(Float.self, count: 3000, key: key)
        let fullD = RandomFill.gaussian(Double.self, count: 3000, key: key)
        for count in [1, 5, 64, 129, 1000] {
            var f = [Float](repeating: 0, count: count)
            f.withUnsafeMutableBufferPointer { Float.fillGaussian($0, key: key, offset: offset) }
            #expect(f == Array(fullF[offset..<(offset + count)]))
            var d = [Double](repeating: 0, count: count)
            d.withUnsafeMutableBufferPointer { Double.fillGaussian($0, key: key, offset: offset) }
            #expect(d == Array(fullD[offset..<(offset + count)]))
        }
    }

    /// Moments of the Gaussian fills. z-tests at α = 1e-6 each (z = 4.89), n = 2²²: detectable with
    /// power 0.5 are a mean shift of 4.89/√n = 0.0024, a variance error of 4.89·√(2/n) = 0.0034 and a
    /// fourth-moment error of 4.89·√(96/n) = 0.023 (Var z² = 2, Var z⁴ = 96).
    @Test func gaussianMomentsFloatAndDouble() {
        let n = 1 << 22
        let z = twoSidedCritical(alpha: 1e-6)
        for seed: UInt64 in [1, 2] {
            let key = PRNGKey(seed: seed)
            let samples: [[Double]] = [
                RandomFill.gaussian(Float.self, count: n, key: key).map(Double.init),
                RandomFill.gaussian(Double.self, count: n, key: key),
            ]
            for (which, xs) in samples.enumerated() {
                var m1 = 0.0
                var m2 = 0.0
                var m4 = 0.0
                for x in xs {
                    let x2 = x * x
                    m1 += x
                    m2 += x2
                    m4 += x2 * x2
                }
                m1 /= Double(n)
                m2 /= Double(n)
                m4 /= Double(n)
                let label = "\(which == 0 ? "Float" : "Double") seed \(seed)"
                #expect(abs(m1) * Double(n).squareRoot() <= z, "mean \(m1), \(label)")
                #expect(abs(m2 - 1) * (Double(n) / 2).squareRoot() <= z, "E z² \(m2), \(label)")
                #expect(abs(m4 - 3) * (Double(n) / 96).squareRoot() <= z, "E z⁴ \(m4), \(label)")
            }
        }
    }

    @Test func sphereAndRademacher() {
        let key = PRNGKey(seed: 5)
        var v = [Double](repeating: 0, count: 1000)
        v.withUnsafeMutableBufferPointer { RandomFill.sphere($0, key: key) }
        #expect(abs(v.reduce(0) { $0 + $1 * $1 } - 1000) < 1e-9)
        var r = [Float](repeating: 0, count: 1 << 16)
        r.withUnsafeMutableBufferPointer { RandomFill.rademacher($0, key: key) }
        #expect(r.allSatisfy { $0 == 1 || $0 == -1 })
        // Balance: z-test at α = 1e-6; Var of a ±1 sum is n.
        #expect(abs(r.reduce(0, +)) <= Float(twoSidedCritical(alpha: 1e-6)) * Float(r.count).squareRoot())
    }

    /// Haar m×r: QᵀQ = I to 1e-12, and Q is the sign-corrected QR factor of the Gaussian matrix G it
    /// came from: R = QᵀG is upper triangular with a positive diagonal.
    @Test(arguments: [(5, 1), (12, 4), (64, 8), (300, 24)])
    func haarOrthonormalAndSignCorrected(m: Int, r: Int) {
        let key = PRNGKey(seed: UInt64(m * 100 + r))
        let q = RandomFill.haar(rows: m, cols: r, key: key)
        #expect(LinearAlgebra.orthonormalityDefect(q, rows: m, cols: r) <= 1e-12)
        let g = RandomFill.gaussian(Double.self, count: m * r, key: key)
        for i in 0..<r {
            for j in 0..<r {
                var s = 0.0
                for k in 0..<m { s += q[k * r + i] * g[k * r + j] }
                if i > j { #expect(abs(s) <= 1e-10, "R[\(i),\(j)] = \(s) below the diagonal") }
                if i == j { #expect(s > 0, "R[\(i),\(i)] = \(s) must be positive (sign correction)") }
            }
        }
    }
}
