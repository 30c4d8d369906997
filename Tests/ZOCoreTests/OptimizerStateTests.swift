import Testing
import ZOCore

/// Snapshots continue a run bit for bit: k steps, snapshot, restore into a fresh optimizer,
/// k more steps must equal 2k uninterrupted steps (parameters and state).
@Suite struct OptimizerStateTests {
    let layout: ParameterLayout
    let problem: DenseQuadratic<Double>

    init() throws {
        layout = try networkLayout()
        problem = DenseQuadratic<Double>(layout: layout, key: PRNGKey(seed: 41))
    }

    /// Runs steps `range` of LOZO-M (ν = 2, so V refreshes inside each half) from (θ, opt).
    func lozoM(_ theta: inout Parameters<Double>, _ opt: inout LOZOMomentum, _ range: Range<Int>) throws {
        let estimator = try ZOEstimator(try LOZO(rank: 2, lazyInterval: 2), epsilon: 1e-3)
        for step in range {
            let e = try estimator.measure(problem, at: theta, step: step, key: PRNGKey(seed: 42))
            try opt.update(&theta, estimate: e, estimator: estimator)
        }
    }

    @Test func lozoMomentumResumesBitIdentically() throws {
        let theta0: Parameters<Double> = try randomParameters(layout, key: PRNGKey(seed: 43))
        var a = theta0
        var optA = try LOZOMomentum(layout: layout, learningRate: 0.05, beta: 0.9)
        try lozoM(&a, &optA, 0..<6)
        var b = theta0
        var optB = try LOZOMomentum(layout: layout, learningRate: 0.05, beta: 0.9)
        try lozoM(&b, &optB, 0..<3)
        let saved = optB.snapshot
        #expect(saved.integers["lastStep"] == 2 && saved.arrays["basis.0"] != nil)
        var fresh = try LOZOMomentum(layout: layout, learningRate: 0.05, beta: 0.9)
        try fresh.restore(saved)
        try lozoM(&b, &fresh, 3..<6)
        #expect(a.values == b.values)
        #expect(optA.snapshot == fresh.snapshot)
    }

    @Test func firstOrderOptimizersResumeBitIdentically() throws {
        let theta0: Parameters<Double> = try randomParameters(layout, key: PRNGKey(seed: 44))
        func run<O: GradientOptimizer & SnapshottingOptimizer>(_ make: () throws -> O) throws {
            var a = theta0
            var optA = try make()
            for _ in 0..<6 { try optA.update(&a, gradient: try problem.gradient(a)) }
            var b = theta0
            var optB = try make()
            for _ in 0..<3 { try optB.update(&b, gradient: try problem.gradient(b)) }
            var fresh = try make()
            try fresh.restore(optB.snapshot)
            for _ in 0..<3 { try fresh.update(&b, gradient: try problem.gradient(b)) }
            #expect(a.values == b.values, "\(O.self)")
            #expect(optA.snapshot == fresh.snapshot, "\(O.self)")
        }
        try run { try SGD(layout: layout, learningRate: 0.05, momentum: 0.5, weightDecay: 0.01) }
        try run { try Adam(layout: layout, learningRate: 0.01, weightDecay: 0.01) }
    }

    @Test func mismatchedSnapshotsThrowAndLeaveStateUnchanged() throws {
        var adam = try Adam(layout: layout)
        let before = adam.snapshot
        #expect(throws: ZOError.self) {
            try adam.restore(OptimizerSnapshot(arrays: ["firstMoment": [1]], integers: ["step": 1]))
        }
        #expect(adam.snapshot == before)
        var sgd = try SGD(layout: layout, learningRate: 0.1)
        #expect(throws: ZOError.self) { try sgd.restore(before) }
        var zo = try ZOSGD(learningRate: 0.1)
        #expect(throws: ZOError.self) { try zo.restore(before) }
        try zo.restore(OptimizerSnapshot())
        var lozoM = try LOZOMomentum(layout: layout, learningRate: 0.1)
        #expect(throws: ZOError.self) { try lozoM.restore(OptimizerSnapshot(arrays: ["momentum.0": []])) }
        var arrays = lozoM.snapshot.arrays
        arrays["momentum.1"] = [1, 2]  // a vector tensor of 6 values
        #expect(throws: ZOError.self) { try lozoM.restore(OptimizerSnapshot(arrays: arrays)) }
    }
}
