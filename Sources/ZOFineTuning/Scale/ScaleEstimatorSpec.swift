import Foundation
import ZOCore
import ZOModel

// The estimator specifications, per-draw records and intervals of `EstimatorQuality`
// (Sources/ZOFineTuning/Scale/EstimatorQuality.swift).

/// Which estimator, with its parameter: MeZO, LOZO (rank r, fresh U and V every draw: the per-step
/// marginal), SubZero (rank r capped per matrix at min(r, m, n), fresh subspaces every draw, the
/// reference scaling), Sparse MeZO (sparsity s, mask of the unperturbed θ).
public struct ScaleEstimatorSpec: Codable, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case mezo
        case lozo
        case subzero
        case sparseMeZO = "sparse-mezo"
    }

    public let kind: Kind
    /// LOZO's and SubZero's r.
    public let rank: Int?
    /// Sparse MeZO's s.
    public let sparsity: Double?

    public init(kind: Kind, rank: Int? = nil, sparsity: Double? = nil) throws(ZOError) {
        let at = "ScaleEstimatorSpec"
        switch kind {
        case .mezo:
            guard rank == nil, sparsity == nil else {
                throw ZOError("MeZO takes no rank or sparsity", at: at, fix: "write 'mezo'")
            }
        case .lozo, .subzero:
            guard let r = rank, (1...1024).contains(r), sparsity == nil else {
                throw ZOError(
                    "\(kind.rawValue) needs a rank in 1…1024 and no sparsity", at: at,
                    fix: "write e.g. '\(kind.rawValue):\(kind == .lozo ? 2 : 8)'")
            }
        case .sparseMeZO:
            guard rank == nil, let s = sparsity, s >= 0, s < 1 else {
                throw ZOError(
                    "sparse-mezo needs a sparsity in [0, 1) and no rank", at: at, fix: "write e.g. 'sparse-mezo:0.8'")
            }
        }
        self.kind = kind
        self.rank = rank
        self.sparsity = sparsity
    }

    /// "mezo", "lozo[:r]", "subzero[:r]", "sparse-mezo[:s]" (also "sparse[:s]"); defaults r = 2 (LOZO),
    /// r = 8 (SubZero), s = 0.8 (Sparse MeZO), the papers' settings.
    public init(parsing text: String) throws(ZOError) {
        let parts = text.lowercased().split(separator: ":", maxSplits: 1).map(String.init)
        let fix = "use mezo, lozo[:r], subzero[:r] or sparse-mezo[:s], e.g. lozo:2, subzero:8, sparse-mezo:0.8"
        guard let head = parts.first else {
            throw ZOError("empty estimator name", at: "ScaleEstimatorSpec(parsing:)", fix: fix)
        }
        let arg = parts.count == 2 ? parts[1] : nil
        switch head {
        case "mezo":
            guard arg == nil else {
                throw ZOError("'\(text)': MeZO takes no argument", at: "ScaleEstimatorSpec(parsing:)", fix: fix)
            }
            try self.init(kind: .mezo)
        case "lozo", "subzero":
            let r: Int? = arg.map { Int($0) } ?? (head == "lozo" ? 2 : 8)
            guard let r else {
                throw ZOError("'\(text)': the rank is not an integer", at: "ScaleEstimatorSpec(parsing:)", fix: fix)
            }
            try self.init(kind: head == "lozo" ? .lozo : .subzero, rank: r)
        case "sparse-mezo", "sparse":
            let s: Double? = arg.map { Double($0) } ?? 0.8
            guard let s else {
                throw ZOError("'\(text)': the sparsity is not a number", at: "ScaleEstimatorSpec(parsing:)", fix: fix)
            }
            try self.init(kind: .sparseMeZO, sparsity: s)
        default:
            throw ZOError("unknown estimator '\(text)'", at: "ScaleEstimatorSpec(parsing:)", fix: fix)
        }
    }

    /// For the papers' settings below, which satisfy the checks of `init(kind:rank:sparsity:)`.
    private init(valid kind: Kind, rank: Int?, sparsity: Double?) {
        self.kind = kind
        self.rank = rank
        self.sparsity = sparsity
    }

    // Papers' settings.
    public static let mezo = ScaleEstimatorSpec(valid: .mezo, rank: nil, sparsity: nil)
    public static let lozo = ScaleEstimatorSpec(valid: .lozo, rank: 2, sparsity: nil)
    public static let subzero = ScaleEstimatorSpec(valid: .subzero, rank: 8, sparsity: nil)
    public static let sparseMeZO = ScaleEstimatorSpec(valid: .sparseMeZO, rank: nil, sparsity: 0.8)
    public static let defaults: [ScaleEstimatorSpec] = [mezo, lozo, subzero, sparseMeZO]

    public var name: String {
        switch kind {
        case .mezo: "mezo"
        case .lozo: "lozo(r=\(rank ?? 0))"
        case .subzero: "subzero(r=\(rank ?? 0))"
        case .sparseMeZO: "sparse-mezo(s=\(sparsity ?? 0))"
        }
    }

    public var description: String { name }

    /// The distribution whose moments the theory uses: MeZO's Gaussian, LOZO (rank r), SubZero capped per
    /// matrix (rank r), Sparse MeZO with `mask` fixed (required for it).
    public func momentsProvider(mask: SparseMeZO.Mask?) throws(ZOError) -> any ExactMomentsProviding {
        switch kind {
        case .mezo: return GaussianRGE()
        case .lozo: return try LOZO(rank: rank ?? 2, lazyInterval: 1)
        case .subzero: return try SubZeroRankCapped(rank: rank ?? 8, refreshInterval: 1)
        case .sparseMeZO:
            guard let mask else {
                throw ZOError(
                    "Sparse MeZO's theory needs the mask", at: "ScaleTheory.predict(\(name))",
                    fix: "pass SparseMeZO.mask(for: θ, sparsity: s)")
            }
            return try SparseMeZO(sparsity: sparsity ?? 0.8, maskMode: .fixed(mask))
        }
    }

    /// The draw keys of this estimator under `root`: a function of its name only, so adding or
    /// reordering estimators does not change anyone's draws.
    public func key(_ root: PRNGKey) -> PRNGKey {
        var k = root
        for byte in name.utf8 { k = k.fold(in: UInt64(byte)) }
        return k
    }
}

/// One draw (see the file comment).
public struct DrawRecord: Codable, Sendable, Equatable {
    public let c: Double
    public let c0: Double
    public let p: Double
    public let w: Double

    public init(c: Double, c0: Double, p: Double, w: Double) {
        self.c = c
        self.c0 = c0
        self.p = p
        self.w = w
    }

    /// ‖ĝ‖².
    public var squaredNorm: Double { c * c * w }
    /// ‖ĝ₀‖² (linearised).
    public var linearisedSquaredNorm: Double { c0 * c0 * w }
    /// cos(ĝ, g) = sign(c)·p / (√w ‖g‖): only the sign of c enters.
    public func cosine(gradientNorm: Double) -> Double { cosine(sign: c, gradientNorm: gradientNorm) }
    /// cos(ĝ₀, g).
    public func linearisedCosine(gradientNorm: Double) -> Double { cosine(sign: c0, gradientNorm: gradientNorm) }

    func cosine(sign s: Double, gradientNorm: Double) -> Double {
        guard w > 0, gradientNorm > 0, s != 0 else { return 0 }
        return (s > 0 ? p : -p) / (w.squareRoot() * gradientNorm)
    }
}
