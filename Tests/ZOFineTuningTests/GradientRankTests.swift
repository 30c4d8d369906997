import Foundation
import Testing
import ZOCore
import ZOFineTuning
import ZOModel
import ZOTestSupport

/// GradientRank (Sources/ZOFineTuning/Scale/GradientRank.swift): spectra from the Gram matrix, stable ranks,
/// roles, and the measurement on the real model.
@Suite struct GradientRankTests {
    /// Gram-matrix singular values equal GSL's Jacobi SVD (to 1e-10·σ₁) for tall, wide and
    /// zero-row matrices; zero rows only remove zero singular values.
    @Test(arguments: [(9, 5, [Int]()), (4, 11, []), (12, 6, [2, 5, 7]), (3, 8, [1])])
    func singularValuesMatchJacobi(rows m: Int, cols n: Int, zeroRows: [Int]) throws {
        let seed = UInt64(100 + m * n)
        var a = RandomFill.gaussian(Double.self, count: m * n, key: PRNGKey(seed: seed))
        for i in zeroRows { for j in 0..<n { a[i * n + j] = 0 } }
        let gram = try GradientRank.singularValues(a[...], rows: m, cols: n)
        let jacobi = try LinearAlgebra.singularValues(a, rows: m, cols: n)
        let k = min(m - zeroRows.count, n)
        #expect(gram.count == k)
        for i in 0..<k {
            #expect(abs(gram[i] - jacobi[i]) <= 1e-10 * jacobi[0], "σ\(i) \(gram[i]) vs \(jacobi[i]), seed \(seed)")
        }
        #expect(jacobi.dropFirst(k).allSatisfy { $0 <= 1e-10 * jacobi[0] })
    }

    @Test func stableRanksOfKnownMatrices() throws {
        let layout = try ParameterLayout([("rank1", [5, 4]), ("eye", [4, 4]), ("diag", [2, 2]), ("zero", [3, 3])])
        var g = [Double](repeating: 0, count: layout.count)
        let u = [1.0, -2, 0.5, 3, 1]
        let v = [2.0, 1, -1, 0.25]
        for i in 0..<5 { for j in 0..<4 { g[i * 4 + j] = u[i] * v[j] } }
        for i in 0..<4 { g[20 + i * 4 + i] = 1 }
        g[36] = 3
        g[39] = 1
        let rank1 = try GradientRank.analyse(g, layout: layout, tensor: 0)
        #expect(abs(rank1.stableRank - 1) < 1e-12 && abs(rank1.energyInTop[0] - 1) < 1e-12)
        let eye = try GradientRank.analyse(g, layout: layout, tensor: 1)
        #expect(abs(eye.stableRank - 4) < 1e-12 && abs(eye.stableRankFraction - 1) < 1e-12 && eye.nonzeroRows == 4)
        let diag = try GradientRank.analyse(g, layout: layout, tensor: 2)
        #expect(
            abs(diag.stableRank - 10.0 / 9) < 1e-12 && abs(diag.spectralNorm - 3) < 1e-12
                && abs(diag.frobeniusNorm - 10.0.squareRoot()) < 1e-12)
        let zero = try GradientRank.analyse(g, layout: layout, tensor: 3)
        #expect(zero.stableRank == 0 && zero.nonzeroRows == 0 && zero.topSingularValues.isEmpty)
    }

    /// The i.i.d. baseline mn/(√m+√n)²: exact values at the model's shapes, and a Gaussian 200×100
    /// matrix's measured stable rank lies within 10 % of it (seeded).
    @Test func iidBaseline() throws {
        #expect(abs(GradientRank.iidBaselineFraction(rows: 384, cols: 384) - 0.25) < 1e-12)
        #expect(abs(GradientRank.iidBaselineFraction(rows: 1536, cols: 384) - 4.0 / 9) < 1e-12)
        let a = RandomFill.gaussian(Double.self, count: 200 * 100, key: PRNGKey(seed: 7))
        let sv = try GradientRank.singularValues(a[...], rows: 200, cols: 100)
        let sr = sv.reduce(0) { $0 + $1 * $1 } / (sv[0] * sv[0])
        let baseline = GradientRank.iidBaselineFraction(rows: 200, cols: 100) * 100
        #expect(abs(sr / baseline - 1) < 0.1, "stable rank \(sr) vs baseline \(baseline), seed 7")
    }

    @Test func rolesAndLayers() {
        #expect(GradientRank.role(of: "encoder.layer.2.attention.output.dense.weight") == "attention-output")
        #expect(GradientRank.role(of: "encoder.layer.2.output.dense.weight") == "ffn-out")
        #expect(GradientRank.role(of: "encoder.layer.0.intermediate.dense.weight") == "ffn-in")
        #expect(GradientRank.role(of: "encoder.layer.0.attention.self.value.weight") == "value")
        #expect(GradientRank.role(of: "classifier.weight") == "classifier")
        #expect(GradientRank.role(of: "encoder.layer.0.output.LayerNorm.weight") == nil)
        #expect(GradientRank.layer(of: "encoder.layer.11.attention.self.key.weight") == 11)
        #expect(GradientRank.layer(of: "embeddings.word_embeddings.weight") == nil)
    }

    @Test func summariesTakeMedianAndMaximum() throws {
        let layout = try ParameterLayout([
            ("encoder.layer.0.attention.self.query.weight", [3, 3]),
            ("encoder.layer.1.attention.self.query.weight", [3, 3]),
            ("encoder.layer.0.intermediate.dense.weight", [3, 3]), ("classifier.weight", [2, 3]),
        ])
        let g = RandomFill.gaussian(Double.self, count: layout.count, key: PRNGKey(seed: 8))
        let ms = try layout.tensors.indices.map { try GradientRank.analyse(g, layout: layout, tensor: $0) }
        let s = GradientRank.summarise(ms)
        #expect(s.map(\.group) == ["query", "ffn-in", "classifier", GradientRank.attentionAndFFNGroup])
        let all = try #require(s.last)
        let fractions = ms.prefix(3).map(\.stableRankFraction)
        #expect(all.count == 3 && all.maxFraction == fractions.max() && all.medianFraction == fractions.sorted()[1])
    }

    @Test func badInputThrows() throws {
        let layout = try ParameterLayout([("W", [3, 2]), ("b", [3])])
        expectZOError("not a matrix") {
            _ = try GradientRank.analyse([Double](repeating: 1, count: 9), layout: layout, tensor: 1)
        }
        expectZOError("not a matrix") {
            _ = try GradientRank.analyse([Double](repeating: 1, count: 5), layout: layout, tensor: 0)
        }
        expectZOError("is not 3×3") { _ = try GradientRank.singularValues([1.0, 2][...], rows: 3, cols: 3) }
        expectZOError("entry (0, 1)") { _ = try GradientRank.singularValues([1.0, .nan, 0, 1][...], rows: 2, cols: 2) }
    }

    /// The real measurement at the CI size: every attention/FFN matrix is reported with a fraction in
    /// (0, 1]; the word-embedding gradient is nonzero only on rows of tokens present.
    @Test(.enabled(if: Assets.modelPresent && Assets.vaderPresent, Assets.skipMessage))
    func measuresTheModel() throws {
        let problem = try ScaleProblem.load(.ci(seed: 3))
        let report = try GradientRank.measure(problem)
        let s = try #require(report.attentionAndFFN)
        #expect(s.count == 6)
        #expect(
            report.matrices.allSatisfy { $0.stableRankFraction > 0 && $0.stableRankFraction <= 1 + 1e-12 }, "seed 3")
        let words = try #require(report.matrices.first { $0.role == "word-embeddings" })
        #expect(words.nonzeroRows <= problem.tokenCounts.reduce(0, +) && words.nonzeroRows > 0)
        #expect(report.gradientNorm > 0 && report.loss.isFinite)
    }
}
