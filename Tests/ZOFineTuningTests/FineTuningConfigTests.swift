import Testing
import ZOCore
import ZOFineTuning
import ZOModel
import ZOTestSupport

@Suite struct FineTuningConfigTests {
    @Test func defaultsValidateForEveryMethod() throws {
        for method in FineTuneMethod.allCases {
            let c = FineTuneConfig.defaults(for: method)
            try c.validate()
            #expect(c.method == method && c.learningRate == FineTuneConfig.defaultLearningRate(method))
            #expect(c.layers == 6 && c.batchSize == 16 && c.maxLength == 64 && c.epsilon == 1e-3 && c.rank == 2)
            #expect(method.forwardEquivalentsPerStep == (method.isZerothOrder ? 2 : 3))
        }
        #expect(FineTuneMethod(rawValue: "lozo-m") == .lozoM && FineTuneMethod(rawValue: "sparse-mezo") == .sparseMeZO)
        #expect(FineTuneMethod.allCases.filter(\.isZerothOrder).count == 5)
    }

    /// Every out-of-range value is a ZOError naming it, with a fix.
    @Test func badValuesThrowActionableErrors() {
        let base = FineTuneConfig.defaults(for: .lozo)
        let cases: [(String, (inout FineTuneConfig) -> Void)] = [
            ("layers = 7", { $0.layers = 7 }), ("layers = 0", { $0.layers = 0 }), ("steps = -1", { $0.steps = -1 }),
            ("batch size 0", { $0.batchSize = 0 }), ("learning rate", { $0.learningRate = -1 }),
            ("learning rate", { $0.learningRate = .nan }),
            ("ε", { $0.epsilon = 0 }), ("rank r = 3", { $0.rank = 3 }), ("ν = 0", { $0.lazyInterval = 0 }),
            ("F = 0", { $0.refreshInterval = 0 }),
            ("sparsity 1.0", { $0.sparsity = 1 }), ("momentum β = 1.0", { $0.momentum = 1 }),
            ("weight decay -0.1", { $0.weightDecay = -0.1 }),
            ("max length 1", { $0.maxLength = 1 }), ("threads = 0", { $0.threads = 0 }),
            ("intervals", { $0.evalEvery = -1 }),
            ("eval limit 0", { $0.evalLimit = 0 }),
        ]
        for (fragment, mutate) in cases {
            var c = base
            mutate(&c)
            expectZOError(fragment) { try c.validate() }
        }
    }

    /// The key schedule: minibatch keys differ per step, and no two roles share a key.
    @Test func keysAreDistinctPerRoleAndStep() {
        let k = FineTuneConfig.defaults(for: .mezo).keys
        let keys = [k.perturbation, k.head, k.encoderInit] + (0..<50).map { k.minibatch(step: $0) }
        #expect(Set(keys).count == keys.count)
        #expect(k.minibatch(step: 3) == FineTuneConfig.defaults(for: .foAdam).keys.minibatch(step: 3))
        var other = FineTuneConfig.defaults(for: .mezo)
        other.seed += 1
        #expect(other.keys.perturbation != k.perturbation)
    }

    @Test func sameTrajectoryIgnoresOnlyTheSchedule() {
        let a = FineTuneConfig.defaults(for: .mezo)
        var b = a
        b.steps = 999
        b.checkpointEvery = 7
        #expect(a.sameTrajectory(as: b))
        b.evalEvery = 3
        #expect(!a.sameTrajectory(as: b))
    }
}
