import Foundation
import Testing
import ZOCore
import ZOFineTuning
import ZOModel
import ZOStats
import ZOTestSupport

/// EstimatorQuality (Sources/ZOFineTuning/Scale/EstimatorQuality.swift): estimator specs, the multi-tensor
/// theory, the per-draw products, the summaries, and the measurement end to end on a small encoder.
@Suite struct EstimatorQualityTests {
    @Test func specsParse() throws {
        #expect(try ScaleEstimatorSpec(parsing: "mezo") == .mezo)
        #expect(try ScaleEstimatorSpec(parsing: "lozo") == .lozo)
        #expect(try ScaleEstimatorSpec(parsing: "LOZO:4").rank == 4)
        #expect(try ScaleEstimatorSpec(parsing: "subzero") == .subzero)
        #expect(try ScaleEstimatorSpec(parsing: "sparse:0.5").sparsity == 0.5)
        #expect(try ScaleEstimatorSpec(parsing: "sparse-mezo") == .sparseMeZO)
        #expect(ScaleEstimatorSpec.defaults.map(\.name) == ["mezo", "lozo(r=2)", "subzero(r=8)", "sparse-mezo(s=0.8)"])
        expectZOError("unknown estimator") { _ = try ScaleEstimatorSpec(parsing: "adam") }
        expectZOError("not an integer") { _ = try ScaleEstimatorSpec(parsing: "lozo:x") }
        expectZOError("takes no argument") { _ = try ScaleEstimatorSpec(parsing: "mezo:2") }
        expectZOError("rank in 1…1024") { _ = try ScaleEstimatorSpec(parsing: "subzero:0") }
        expectZOError("sparsity in [0, 1)") { _ = try ScaleEstimatorSpec(parsing: "sparse:1") }
        // Draw keys depend on the name only.
        #expect(
            ScaleEstimatorSpec.lozo.key(PRNGKey(seed: 1))
                == (try ScaleEstimatorSpec(parsing: "lozo:2")).key(PRNGKey(seed: 1)))
        #expect(ScaleEstimatorSpec.lozo.key(PRNGKey(seed: 1)) != ScaleEstimatorSpec.mezo.key(PRNGKey(seed: 1)))
    }

    /// On one matrix the theory reduces to the single-tensor formulas of Proofs/estimators.md.
    @Test func theoryReducesToSingleTensorFormulas() throws {
        let (m, n) = (6, 5)
        let layout = try ParameterLayout.matrix(rows: m, cols: n)
        let g = RandomFill.gaussian(Float.self, count: m * n, key: PRNGKey(seed: 21))
        let gd = g.map(Double.init)
        let g2 = gd.reduce(0) { $0 + $1 * $1 }
        let theta = Parameters<Double>(zeros: layout)
        func ratio(_ spec: ScaleEstimatorSpec, mask: SparseMeZO.Mask? = nil) throws -> Double {
            try ScaleTheory.predict(spec, layout: layout, gradient: g, mask: mask).secondMomentRatio
        }
        #expect(abs(try ratio(.mezo) - Double(m * n + 2)) < 1e-9)
        let lozo = try #require(LOZO(rank: 2).exactMoments(gradient: gd, at: theta))
        #expect(abs(try ratio(.lozo) - lozo.secondMoment / g2) < 1e-9)
        let sz = try #require(SubZero(rank: 5).exactMoments(gradient: gd, at: theta))
        #expect(abs(try ratio(.subzero) - sz.secondMoment / g2) < 1e-9)  // r = 8 capped at 5
        let thetaF = try Parameters<Float>(
            layout: layout, values: RandomFill.gaussian(Float.self, count: m * n, key: PRNGKey(seed: 22)))
        let mask = SparseMeZO.mask(for: thetaF, sparsity: 0.6)
        let sparse = try #require(
            SparseMeZO(sparsity: 0.6, maskMode: .fixed(mask)).exactMoments(gradient: gd, at: thetaF))
        let predicted = try ScaleTheory.predict(
            .init(kind: .sparseMeZO, sparsity: 0.6), layout: layout, gradient: g, mask: mask)
        #expect(abs(predicted.secondMomentRatio - sparse.secondMoment / g2) < 1e-9)
        #expect(predicted.dimension == 12 && predicted.cosineExact)
        expectZOError("needs the mask") { _ = try ScaleTheory.predict(.sparseMeZO, layout: layout, gradient: g) }
        expectZOError("gradient is zero") {
            _ = try ScaleTheory.predict(.mezo, layout: layout, gradient: [Float](repeating: 0, count: m * n))
        }
    }

    @Test func gaussianCosineConstants() {
        #expect(abs(ScaleTheory.gaussianCosine(dimension: 1) - 1) < 1e-12)
        #expect(abs(ScaleTheory.gaussianCosine(dimension: 2) - 2 / Double.pi) < 1e-12)
        let d = 13_693_826
        #expect(abs(ScaleTheory.gaussianCosine(dimension: d) / (2 / (Double.pi * Double(d))).squareRoot() - 1) < 1e-6)
    }

    /// A layout like a network's (matrices, vectors, a thin matrix that SubZero r = 4 caps at 2).
    static func layout() throws -> ParameterLayout {
        try ParameterLayout([("W0", [6, 5]), ("b0", [6]), ("W1", [3, 6]), ("thin", [2, 7])])
    }

    /// MeZO, LOZO r = 2, SubZero r = 4 and Sparse MeZO s = 0.5 (`specsAreAllValid` checks none was dropped).
    static let specs: [ScaleEstimatorSpec] =
        [.mezo, .lozo]
        + [(ScaleEstimatorSpec.Kind.subzero, 4, nil), (.sparseMeZO, nil, 0.5)]
        .compactMap { (kind: ScaleEstimatorSpec.Kind, rank: Int?, sparsity: Double?) in
            try? ScaleEstimatorSpec(kind: kind, rank: rank, sparsity: sparsity)
        }

    @Test func specsAreAllValid() {
        #expect(Self.specs.map(\.name) == ["mezo", "lozo(r=2)", "subzero(r=4)", "sparse-mezo(s=0.5)"])
    }

    static func distribution(_ spec: ScaleEstimatorSpec, theta: Parameters<Float>) throws
        -> any PerturbationDistribution
    {
        switch spec.kind {
        case .mezo: GaussianRGE()
        case .lozo: try LOZO(rank: spec.rank ?? 2)
        case .subzero: try SubZeroRankCapped(rank: spec.rank ?? 8, refreshInterval: 1)
        case .sparseMeZO:
            try SparseMeZO(
                sparsity: spec.sparsity ?? 0.8,
                maskMode: .fixed(SparseMeZO.mask(for: theta, sparsity: spec.sparsity ?? 0.8)))
        }
    }

    /// The products (c₀, p, w) equal ⟨g, Z⟩, Σ S_t⟨G_t, Z_t⟩ and Σ S_t²‖Z_t‖² of the materialised Z.
    @Test(arguments: specs)
    func productsMatchTheMaterialisedPerturbation(spec: ScaleEstimatorSpec) throws {
        let layout = try Self.layout()
        let theta = try Parameters<Float>(
            layout: layout, values: RandomFill.gaussian(Float.self, count: layout.count, key: PRNGKey(seed: 23)))
        var g = RandomFill.gaussian(Float.self, count: layout.count, key: PRNGKey(seed: 24))
        for j in 0..<5 { g[j] = 0 }  // a zero row of W0: the low-rank path skips it
        var products = DirectionalProducts(gradient: g, layout: layout)
        let d = try Self.distribution(spec, theta: theta)
        for step in 0..<3 {
            let z = try d.perturbation(
                step: step, key: PRNGKey(seed: 25).fold(in: step), parameters: theta, use: .measurement)
            let (c0, p, w) = products.products(z)
            var ec0 = 0.0
            var ep = 0.0
            var ew = 0.0
            for (t, tensor) in layout.tensors.enumerated() {
                // Float: the stream the Float model is perturbed with (Double streams differ).
                let zt = (z.materialize(tensor: t) as [Float]).map(Double.init)
                let s = z.gradientScale(tensor: t)
                let a = zip(zt, g[tensor.range]).reduce(0.0) { $0 + $1.0 * Double($1.1) }
                ec0 += a
                ep += s * a
                ew += s * s * zt.reduce(0) { $0 + $1 * $1 }
            }
            // Low-rank tensors come from Double factors, so agreement is to Float rounding of Z.
            #expect(
                abs(c0 - ec0) <= 1e-5 * (abs(ec0) + 1) && abs(p - ep) <= 1e-5 * (abs(ep) + 1)
                    && abs(w / ew - 1) <= 1e-6,
                "\(spec.name) step \(step): (\(c0), \(p), \(w)) vs (\(ec0), \(ep), \(ew)), seeds 23-25")
        }
    }

    /// MULTI-TENSOR-MOMENTS as implemented: the Monte Carlo mean of ‖ĝ₀‖²/‖g‖² = c₀²w/‖g‖² over 20 000
    /// perturbations is within 5 standard errors of `ScaleTheory.predict` (seeded; false-fail ≈ 6e-7).
    @Test(arguments: specs)
    func theoryMatchesMonteCarlo(spec: ScaleEstimatorSpec) throws {
        let layout = try Self.layout()
        let seed: UInt64 = 26
        let theta = try Parameters<Float>(
            layout: layout, values: RandomFill.gaussian(Float.self, count: layout.count, key: PRNGKey(seed: seed)))
        let g = RandomFill.gaussian(Float.self, count: layout.count, key: PRNGKey(seed: seed + 1))
        let mask = spec.sparsity.map { SparseMeZO.mask(for: theta, sparsity: $0) }
        let theory = try ScaleTheory.predict(spec, layout: layout, gradient: g, mask: mask)
        let g2 = g.reduce(0.0) { $0 + Double($1) * Double($1) }
        var products = DirectionalProducts(gradient: g, layout: layout)
        let d = try Self.distribution(spec, theta: theta)
        let values = try (0..<20_000).map { k -> Double in
            let z = try d.perturbation(
                step: k, key: PRNGKey(seed: seed + 2).fold(in: k), parameters: theta, use: .measurement)
            let (c0, _, w) = products.products(z)
            return c0 * c0 * w / g2
        }
        let i = ConfidenceInterval.mean(values)
        #expect(
            abs(i.estimate - theory.secondMomentRatio) <= 5 * i.standardError,
            "\(spec.name): \(i.estimate) ± \(i.standardError) vs theory \(theory.secondMomentRatio), seed \(seed)")
    }

    /// MeZO's linearised cosine by Monte Carlo agrees with c_d (seeded, 5 SE).
    @Test func linearisedCosineOfMeZOIsCd() throws {
        let layout = try Self.layout()
        let theta = Parameters<Float>(zeros: layout)
        let g = RandomFill.gaussian(Float.self, count: layout.count, key: PRNGKey(seed: 27))
        let i = try EstimatorQuality.linearisedCosine(
            at: theta, spec: .mezo, gradient: g, samples: 4000, key: PRNGKey(seed: 28))
        let cd = ScaleTheory.gaussianCosine(dimension: layout.count)
        #expect(
            abs(i.estimate - cd) <= 5 * i.standardError, "\(i.estimate) ± \(i.standardError) vs c_d \(cd), seeds 27/28")
    }

    /// Summaries from hand-made records: the cosine uses only the sign of c; with c = c₀ the control
    /// variate returns the theory exactly.
    @Test func summariesFollowTheRecords() throws {
        let theory = ScaleTheory(
            secondMomentRatio: 7, cosine: 0.4, cosineExact: true, dimension: 5, relativeBias: 0, formula: "")
        let same = [DrawRecord(c: 2, c0: 2, p: 1, w: 4), DrawRecord(c: -1, c0: -1, p: -1, w: 4)]
        let row = EstimatorQuality.summarise(
            same, spec: .mezo, theory: theory, gradientNorm: 1, epsilon: 1e-3, passes: 2, secondsPerDraw: 0)
        #expect(row.secondMomentRatioControlled.estimate == 7 && row.secondMomentRatioControlled.standardError == 0)
        #expect(row.secondMomentRelativeToTheory.estimate == 1)
        #expect(row.cosine.estimate == 0.5 && row.cosineControlled?.estimate == 0.4)
        #expect(row.signAgreement == 1 && row.coefficientRelativeError == 0)
        #expect(row.secondMomentRatio.estimate == (16 + 4) / 2)
        let flipped = DrawRecord(c: 1, c0: -1, p: -1, w: 4)
        #expect(flipped.cosine(gradientNorm: 1) == -0.5 && flipped.linearisedCosine(gradientNorm: 1) == 0.5)
        let mixed = EstimatorQuality.summarise(
            same + [flipped], spec: .mezo, theory: theory, gradientNorm: 1, epsilon: 1e-3, passes: 2,
            secondsPerDraw: 0)
        #expect(abs(mixed.signAgreement - 2.0 / 3) < 1e-15)
        #expect(abs(try #require(mixed.cosineControlled).estimate - (0.4 - 1.0 / 3)) < 1e-12)
        let encoded = try JSONEncoder().encode(row)
        #expect(String(decoding: encoded, as: UTF8.self).contains("\"lower\""))
    }

    /// End to end on a small random encoder (no assets): every estimator's E‖ĝ‖² agrees with the theory
    /// within the claims' ±10 % band, the coefficient with the directional derivative to 1 %.
    @Test(arguments: specs)
    func endToEndOnASmallEncoder(spec: ScaleEstimatorSpec) throws {
        let config = EncoderConfig(
            vocabSize: 20, hidden: 8, layers: 2, heads: 2, intermediate: 16, maxPositions: 8, classes: 2)
        let objective = try SentenceClassificationObjective<Float>(
            config: config, sequences: [[1, 2], [1, 5, 2], [1, 7, 8, 2], [1, 3, 3, 9, 2]],
            labels: [0, 1, 1, 0])
        let theta = objective.encoder.layout.initialParameters(Float.self, key: PRNGKey(seed: 29), std: 0.3)
        let g = try objective.gradient(theta, batch: .full)
        let row = try EstimatorQuality.row(
            objective, at: theta, spec: spec, gradient: g, draws: 60, epsilon: 1e-3, key: PRNGKey(seed: 30))
        #expect(row.draws == 60 && row.forwardPassesPerDraw == 2)
        #expect(
            abs(row.secondMomentRelativeToTheory.estimate - 1) < 0.1,
            "\(spec.name): \(row.secondMomentRelativeToTheory), seeds 29/30")
        #expect(row.coefficientRelativeError < 0.01, "\(spec.name): \(row.coefficientRelativeError), seeds 29/30")
        expectZOError("draws") {
            _ = try EstimatorQuality.row(
                objective, at: theta, spec: spec, gradient: g, draws: 0, epsilon: 1e-3, key: PRNGKey(seed: 1))
        }
        expectZOError("do not match") {
            _ = try EstimatorQuality.row(
                objective, at: theta, spec: spec, gradient: [1], draws: 2, epsilon: 1e-3, key: PRNGKey(seed: 1))
        }
    }

    /// On the real model (assets): a few LOZO draws at the embedding-only model are within the band.
    @Test(.enabled(if: Assets.modelPresent && Assets.vaderPresent, Assets.skipMessage))
    func realModelSmoke() throws {
        let problem = try ScaleProblem.load(ScaleSetup(layers: 0, batch: 4, maxLength: 16, seed: 31))
        let report = try EstimatorQuality.measure(problem, estimators: [.lozo], draws: 4, key: PRNGKey(seed: 32))
        let row = try #require(report.rows.first)
        #expect(
            abs(row.secondMomentRelativeToTheory.estimate - 1) < 0.1, "\(row.secondMomentRelativeToTheory), seeds 31/32"
        )
        #expect(report.withoutRecords().rows.allSatisfy { $0.records.isEmpty })
    }
}
