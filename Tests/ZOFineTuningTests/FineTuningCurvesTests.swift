import Foundation
import Testing
import ZOCore
import ZOFineTuning
import ZOModel
import ZOTestSupport

@Suite struct FineTuningCurvesTests {
    @Test func aggregateAndCSVFollowTheSchema() throws {
        let points = LossCurves.aggregate(
            .mezo, metric: "dev_loss", grid: [0, 6, 12], valuesPerSeed: [[1, 2, 3], [3, 2, 1], [2, 2, 2]])
        #expect(points.map(\.forwardPasses) == [0, 6, 12] && points.map(\.n) == [3, 3, 3])
        #expect(points[1].mean == 2 && points[1].sd == 0 && points[1].lower95 == 2 && points[1].upper95 == 2)
        #expect(points[0].values == [1, 3, 2] && points[0].lower95 < 2 && points[0].upper95 > 2)
        var base = FineTuneConfig.defaults(for: .mezo)
        base.layers = 2
        let spec = LossCurves.Spec(methods: [.mezo], seeds: [1, 2, 3], budget: 12, spacing: 6, devLimit: 8, base: base)
        let result = LossCurves.Result(spec: spec, points: points, runs: [])
        let lines = LossCurves.csv(result).split(separator: "\n")
        #expect(lines.first == "method,metric,forward_passes,n,mean,sd,lower95,upper95" && lines.count == 4)
        #expect(lines[2] == "mezo,dev_loss,6,3,2.0,0.0,2.0,2.0")
        let dir = try scratchDirectory("ft-curves")
        let urls = try LossCurves.write(result, to: dir)
        let back: LossCurves.Result = try RunFiles.readJSON(urls.json)
        #expect(back.points == points && back.format == "zocheck-loss-curves/1")
    }

    @Test func specSetsMatchedBudgetsAndValidates() throws {
        let spec = LossCurves.Spec(
            methods: [.mezo, .foAdam], seeds: [1, 2, 3], budget: 240, spacing: 24, devLimit: 64,
            base: FineTuneConfig.defaults(for: .mezo), learningRates: ["fo-adam": 5e-4])
        try spec.validate()
        let zo = spec.config(.mezo, seed: 2)
        let fo = spec.config(.foAdam, seed: 3)
        #expect(zo.steps == 120 && fo.steps == 80 && zo.seed == 2 && fo.evalLimit == 64)
        #expect(fo.learningRate == 5e-4 && zo.learningRate == FineTuneConfig.defaultLearningRate(.mezo))
        var bad = spec
        bad.spacing = 20
        expectZOError("multiple of 6") { try bad.validate() }
        bad = spec
        bad.seeds = [1]
        expectZOError("≥ 2 seeds") { try bad.validate() }
    }
}

extension BLASThreadTests {
    /// A real, tiny run (1 layer, 3 seeds, 12 passes): every grid point present, finite, band ordered.
    @Test(.enabled(if: RealFineTune.available, Assets.skipMessage))
    func lossCurvesRunOnTheRealModel() throws {
        var base = FineTuneConfig.defaults(for: .mezo)
        base.layers = 1
        let spec = LossCurves.Spec(
            methods: [.mezo, .foSGD], seeds: [7, 8, 9], budget: 12, spacing: 6, devLimit: 32, base: base)
        let result = try LossCurves.run(spec, data: try RealFineTune.data.get(), cache: Assets.cache)
        #expect(result.runs.map(\.steps) == [6, 6, 6, 4, 4, 4])
        for method in [FineTuneMethod.mezo, .foSGD] {
            let dev = result.points.filter { $0.method == method && $0.metric == "dev_loss" }
            let train = result.points.filter { $0.method == method && $0.metric == "train_loss" }
            #expect(dev.map(\.forwardPasses) == [0, 6, 12] && train.map(\.forwardPasses) == [6, 12])
            #expect(
                (dev + train).allSatisfy {
                    $0.n == 3 && $0.mean.isFinite && $0.lower95 <= $0.mean && $0.mean <= $0.upper95
                })
        }
        // Every seed starts from its own head, so the dev losses at 0 differ across seeds.
        let start = try #require(
            result.points.first { $0.method == .mezo && $0.metric == "dev_loss" && $0.forwardPasses == 0 })
        #expect(Set(start.values).count == 3)
    }
}
