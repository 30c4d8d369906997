import Testing
import ZOCore
import ZOModel
import ZOTestSupport

@Suite struct EncoderScalarTests {
    /// BLAS gemm against the naive reference, every transpose combination, with strides and β ≠ 0.
    @Test(arguments: [(false, false), (false, true), (true, false), (true, true)])
    func gemmMatchesNaiveReference(transA: Bool, transB: Bool) {
        let m = 7
        let n = 5
        let k = 6
        let lda = (transA ? m : k) + 2
        let ldb = (transB ? k : n) + 1
        let ldc = n + 3
        let a: [Double] = randn((transA ? k : m) * lda, seed: 1)
        let b: [Double] = randn((transB ? n : k) * ldb, seed: 2)
        let c0: [Double] = randn(m * ldc, seed: 3)
        var fast = [c0, a, b]
        var slow = [c0, a, b]
        withPointers(&fast) { p in
            Double.gemm(
                transA: transA, transB: transB, m: m, n: n, k: k, alpha: 0.7, a: p[1], lda: lda, b: p[2], ldb: ldb,
                beta: -0.3, c: p[0], ldc: ldc)
        }
        withPointers(&slow) { p in
            NaiveGemm.gemm(
                transA: transA, transB: transB, m: m, n: n, k: k, alpha: 0.7, a: p[1], lda: lda, b: p[2], ldb: ldb,
                beta: -0.3, c: p[0], ldc: ldc)
        }
        #expect(maxAbs(fast[0], slow[0]) < 1e-13)
        // Float: sgemm accumulates in Float; the reference in Double.
        var fastF = [c0.map { Float($0) }, a.map { Float($0) }, b.map { Float($0) }]
        withPointers(&fastF) { p in
            Float.gemm(
                transA: transA, transB: transB, m: m, n: n, k: k, alpha: 0.7, a: p[1], lda: lda, b: p[2], ldb: ldb,
                beta: -0.3, c: p[0], ldc: ldc)
        }
        #expect(maxAbs(fastF[0].map { Double($0) }, slow[0]) < 1e-5)
    }

    @Test func betaZeroIgnoresNaNInOutput() {
        var arrays: [[Double]] = [[.nan, .nan], [1, 2], [3, 4]]
        withPointers(&arrays) { p in
            NaiveGemm.gemm(
                transA: false, transB: true, m: 1, n: 2, k: 1, alpha: 1, a: p[1], lda: 1, b: p[2], ldb: 1, beta: 0,
                c: p[0], ldc: 2)
        }
        #expect(arrays[0] == [3, 4])
    }

    @Test func transcendentalsMatchLibm() {
        #expect(abs(Double.errorFunction(1) - 0.8427007929497149) < 1e-15)
        #expect(abs(Float.errorFunction(-0.5) + 0.5204998778) < 1e-7)
        #expect(Double.exponential(0) == 1)
    }
}

extension BLASThreadTests {
    /// SplitGemm's pieces cover 0..<m in order, are multiples of 16 rows (the last excepted) and
    /// leave small products whole; a split gemm (both transposes of A) agrees with the naive one.
    @Test func splitGemmCoversTheRowsAndMatchesNaive() throws {
        for (m, threads) in [(1024, 2), (1000, 3), (40, 2), (17, 2), (5000, 7)] {
            let p = SplitGemm.pieces(m: m, n: 512, k: 512, threads: threads)
            #expect(p.first?.lowerBound == 0 && p.last?.upperBound == m, "m \(m)")
            #expect(zip(p, p.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound && $0.count % 16 == 0 }, "m \(m)")
            #expect(p.count == min(threads, m / 16), "m \(m), threads \(threads)")
        }
        #expect(SplitGemm.pieces(m: 64, n: 8, k: 8, threads: 2) == [0..<64])
        let before = BLASThreads.current
        defer { try? BLASThreads.set(before) }
        try BLASThreads.set(2)
        let (m, n, k) = (200, 96, 64)
        let a = RandomFill.gaussian(Float.self, count: m * k, key: PRNGKey(seed: 41))
        let b = RandomFill.gaussian(Float.self, count: k * n, key: PRNGKey(seed: 42))
        for transA in [false, true] {
            var c = [Float](repeating: 0.5, count: m * n)
            var naive = c
            let lda = transA ? m : k
            a.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    c.withUnsafeMutableBufferPointer { c in
                        Float.gemm(
                            transA: transA, transB: false, m: m, n: n, k: k, alpha: 0.7, a: a.baseAddress!, lda: lda,
                            b: b.baseAddress!, ldb: n, beta: 1, c: c.baseAddress!, ldc: n)
                    }
                    naive.withUnsafeMutableBufferPointer { c in
                        NaiveGemm.gemm(
                            transA: transA, transB: false, m: m, n: n, k: k, alpha: 0.7, a: a.baseAddress!, lda: lda,
                            b: b.baseAddress!, ldb: n, beta: 1, c: c.baseAddress!, ldc: n)
                    }
                }
            }
            #expect(SplitGemm.pieces(m: m, n: n, k: k, threads: 2).count == 2)
            #expect(zip(c, naive).allSatisfy { abs($0 - $1) <= 1e-4 * (1 + abs($1)) }, "transA \(transA)")
        }
    }

    @Test func threadCountIsSettableAndChecked() throws {
        let before = BLASThreads.current
        try BLASThreads.set(1)
        #expect(BLASThreads.current == 1)
        try BLASThreads.set(before)
        #expect(throws: ZOError.self) { try BLASThreads.set(0) }
    }
}
