import CNumerics
import Foundation
import ZOCore
import ZOModel

// (a) The stable rank ‖G‖²_F / ‖G‖²₂ of the true fine-tuning gradient of every weight matrix: LOZO's
// premise that "LLM gradients are low rank" (Chen et al. 2025, §3), measured by backprop on a fixed
// minibatch of real sentences at the pretrained weights. Proofs/scale.md#scale-gradient-low-stable-rank.
//
// The singular values come from the Gram matrix of the nonzero rows (GᵀG or GGᵀ, whichever is
// smaller, in Double by `cblas_dsyrk`) and GSL's symmetric eigensolver: σᵢ² are its eigenvalues. The
// word-embedding gradient (30522×384) has nonzero rows only for the tokens present, so the Gram matrix
// is at most 384×384 for every tensor. `LinearAlgebra.singularValues` (Jacobi SVD) agrees to rounding
// (tests) but would take minutes on the 30522-row table.

/// One weight matrix's gradient spectrum.
public struct MatrixGradientRank: Codable, Sendable, Equatable {
    public let name: String
    /// query, key, value, attention-output, ffn-in, ffn-out, word-embeddings, position-embeddings,
    /// token-type-embeddings, classifier.
    public let role: String
    /// The encoder layer, for per-layer matrices.
    public let layer: Int?
    public let rows: Int
    public let cols: Int
    public let frobeniusNorm: Double
    /// ‖G‖₂ = σ₁.
    public let spectralNorm: Double
    /// ‖G‖²_F / ‖G‖²₂ (0 for a zero gradient).
    public let stableRank: Double
    /// stableRank / min(m, n).
    public let stableRankFraction: Double
    /// Rows of G that are not identically zero (the embedding tables' present tokens and positions).
    public let nonzeroRows: Int
    /// The largest singular values, descending (at most 8).
    public let topSingularValues: [Double]
    /// Share of ‖G‖²_F in the top 1, 2, 4, 8 singular directions.
    public let energyInTop: [Double]
    /// The stable-rank fraction of an i.i.d. Gaussian m×n matrix, mn/(√m+√n)²/min(m, n) (Bai–Yin
    /// limit): the value with no low-rank structure at all.
    public let iidBaselineFraction: Double

    /// The six per-layer matrices of attention and the feed-forward block.
    public var isAttentionOrFFN: Bool { GradientRank.attentionAndFFNRoles.contains(role) }
}

/// Median and maximum of the stable-rank fraction over a group of matrices.
public struct StableRankSummary: Codable, Sendable, Equatable {
    public let group: String
    public let count: Int
    public let medianStableRank: Double
    public let medianFraction: Double
    public let maxFraction: Double
    /// The matrix with the largest fraction.
    public let worst: String
}

public struct GradientRankReport: Codable, Sendable {
    public let problem: ProblemSummary
    public let loss: Double
    public let gradientNorm: Double
    public let matrices: [MatrixGradientRank]
    /// One summary per role (over layers), then "attention+ffn" over all of them.
    public let summaries: [StableRankSummary]
    public let seconds: Double

    /// The summary over every attention and FFN matrix of the layers run (nil for 0 layers).
    public var attentionAndFFN: StableRankSummary? { summaries.first { $0.group == GradientRank.attentionAndFFNGroup } }
}

public enum GradientRank {
    public static let attentionAndFFNRoles: Set<String> = [
        "query", "key", "value", "attention-output", "ffn-in", "ffn-out",
    ]
    public static let attentionAndFFNGroup = "attention+ffn"

    /// The role of a checkpoint tensor name (nil for vectors and unknown names).
    public static func role(of name: String) -> String? {
        let table: [(String, String)] = [
            ("attention.self.query.weight", "query"), ("attention.self.key.weight", "key"),
            ("attention.self.value.weight", "value"), ("attention.output.dense.weight", "attention-output"),
            ("intermediate.dense.weight", "ffn-in"), ("output.dense.weight", "ffn-out"),
            ("embeddings.word_embeddings.weight", "word-embeddings"),
            ("embeddings.position_embeddings.weight", "position-embeddings"),
            ("embeddings.token_type_embeddings.weight", "token-type-embeddings"), ("classifier.weight", "classifier"),
        ]
        // "attention.output.dense.weight" ends with "output.dense.weight" too: first match wins.
        return table.first { name.hasSuffix($0.0) }?.1
    }

    /// The layer index of "encoder.layer.<l>.…".
    public static func layer(of name: String) -> Int? {
        let prefix = "encoder.layer."
        guard name.hasPrefix(prefix) else { return nil }
        return Int(name.dropFirst(prefix.count).prefix { $0.isNumber })
    }

    /// mn/(√m+√n)²/min(m, n): the stable-rank fraction of a large i.i.d. Gaussian matrix.
    public static func iidBaselineFraction(rows m: Int, cols n: Int) -> Double {
        let s = Double(m).squareRoot() + Double(n).squareRoot()
        return Double(m) * Double(n) / (s * s) / Double(min(m, n))
    }

    /// Nonzero singular values (descending; at most min(k, n) of them for k nonzero rows) of the
    /// row-major m×n matrix `a`, from the eigenvalues of its Gram matrix (see the file comment).
    public static func singularValues<T: ZOScalar>(_ a: ArraySlice<T>, rows m: Int, cols n: Int) throws(ZOError)
        -> [Double]
    {
        let at = "GradientRank.singularValues"
        guard m > 0, n > 0, a.count == m * n else {
            throw ZOError(
                "matrix of \(a.count) values is not \(m)×\(n)", at: at, fix: "pass rows·cols values, row-major")
        }
        let base = a.startIndex
        var nonzero: [Int] = []
        for i in 0..<m {
            var any = false
            for j in 0..<n where a[base + i * n + j] != 0 {
                any = true
                break
            }
            if any { nonzero.append(i) }
        }
        let k = nonzero.count
        guard k > 0 else { return [] }
        var compact = [Double](repeating: 0, count: k * n)
        for (r, i) in nonzero.enumerated() {
            for j in 0..<n {
                let v = Double(a[base + i * n + j])
                guard v.isFinite else {
                    throw ZOError(
                        "entry (\(i), \(j)) is \(v)", at: at,
                        fix: "check the gradient for overflow (lower the learning rate)")
                }
                compact[r * n + j] = v
            }
        }
        // Gram of side s = min(k, n): GᵀG (n×n) when k ≥ n, else GGᵀ (k×k); upper triangle.
        let s = min(k, n)
        var gram = [Double](repeating: 0, count: s * s)
        if k >= n {
            cblas_dsyrk(
                CblasRowMajor, CblasUpper, CblasTrans, blasint(n), blasint(k), 1, compact, blasint(n), 0, &gram,
                blasint(n))
        } else {
            cblas_dsyrk(
                CblasRowMajor, CblasUpper, CblasNoTrans, blasint(k), blasint(n), 1, compact, blasint(n), 0, &gram,
                blasint(k))
        }
        LinearAlgebra.disableGSLAbort()
        guard let mat = gsl_matrix_alloc(s, s), let eval = gsl_vector_alloc(s), let work = gsl_eigen_symm_alloc(s)
        else {
            throw ZOError("GSL could not allocate a \(s)×\(s) eigenproblem", at: at, fix: "free memory")
        }
        defer {
            gsl_matrix_free(mat)
            gsl_vector_free(eval)
            gsl_eigen_symm_free(work)
        }
        for i in 0..<s {
            for j in i..<s {
                gsl_matrix_set(mat, i, j, gram[i * s + j])
                gsl_matrix_set(mat, j, i, gram[i * s + j])
            }
        }
        let status = gsl_eigen_symm(mat, eval, work)
        guard status == GSL_SUCCESS else {
            throw ZOError(
                "GSL symmetric eigensolver failed with status \(status)", at: at,
                fix: "check the matrix for NaN or infinity")
        }
        return (0..<s).map { max(gsl_vector_get(eval, $0), 0).squareRoot() }.sorted(by: >)
    }

    /// Spectrum summary of tensor `t` of `gradient` (a matrix tensor of `layout`).
    public static func analyse<T: ZOScalar>(_ gradient: [T], layout: ParameterLayout, tensor t: Int) throws(ZOError)
        -> MatrixGradientRank
    {
        let spec = layout.tensors[t]
        guard spec.kind == .matrix, gradient.count == layout.count else {
            throw ZOError(
                """
                tensor \(t) ('\(spec.name)') is not a matrix of this layout, or the gradient has \
                \(gradient.count) values for \(layout.count)
                """,
                at: "GradientRank.analyse", fix: "pass a matrix tensor and a gradient in layout order")
        }
        let slice = gradient[spec.range]
        let sv = try singularValues(slice, rows: spec.rows, cols: spec.cols)
        let fro2 = sv.reduce(0) { $0 + $1 * $1 }
        let top = sv.first ?? 0
        let sr = top > 0 ? fro2 / (top * top) : 0
        var nonzero = 0
        for i in 0..<spec.rows
        where slice[(slice.startIndex + i * spec.cols)..<(slice.startIndex + (i + 1) * spec.cols)].contains(where: {
            $0 != 0
        }) {
            nonzero += 1
        }
        let energy = [1, 2, 4, 8].map { k in fro2 > 0 ? sv.prefix(k).reduce(0) { $0 + $1 * $1 } / fro2 : 0 }
        return MatrixGradientRank(
            name: spec.name, role: role(of: spec.name) ?? "other", layer: layer(of: spec.name),
            rows: spec.rows, cols: spec.cols, frobeniusNorm: fro2.squareRoot(), spectralNorm: top,
            stableRank: sr, stableRankFraction: sr / Double(min(spec.rows, spec.cols)), nonzeroRows: nonzero,
            topSingularValues: Array(sv.prefix(8)), energyInTop: energy,
            iidBaselineFraction: iidBaselineFraction(rows: spec.rows, cols: spec.cols))
    }

    /// Per-role summaries (over layers), then the attention+FFN summary.
    public static func summarise(_ matrices: [MatrixGradientRank]) -> [StableRankSummary] {
        func summary(_ group: String, _ ms: [MatrixGradientRank]) -> StableRankSummary? {
            guard !ms.isEmpty else { return nil }
            let worst = ms.max { $0.stableRankFraction < $1.stableRankFraction } ?? ms[0]
            return StableRankSummary(
                group: group, count: ms.count, medianStableRank: median(ms.map(\.stableRank)),
                medianFraction: median(ms.map(\.stableRankFraction)),
                maxFraction: worst.stableRankFraction, worst: worst.name)
        }
        var roles: [String] = []
        for m in matrices where !roles.contains(m.role) { roles.append(m.role) }
        return roles.compactMap { r in summary(r, matrices.filter { $0.role == r }) }
            + [summary(attentionAndFFNGroup, matrices.filter(\.isAttentionOrFFN))].compactMap { $0 }
    }

    /// The full measurement: one backward pass on the fixed minibatch, then every matrix's spectrum.
    public static func measure(_ problem: ScaleProblem) throws -> GradientRankReport {
        let start = DispatchTime.now().uptimeNanoseconds
        let loss = try problem.loss()
        let g = try problem.gradient()
        let norm = g.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        var matrices: [MatrixGradientRank] = []
        for (t, spec) in problem.layout.tensors.enumerated() where spec.kind == .matrix {
            matrices.append(try analyse(g, layout: problem.layout, tensor: t))
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
        return GradientRankReport(
            problem: problem.summary, loss: loss, gradientNorm: norm, matrices: matrices,
            summaries: summarise(matrices), seconds: seconds)
    }

    static func median(_ x: [Double]) -> Double {
        let s = x.sorted()
        guard !s.isEmpty else { return .nan }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}
