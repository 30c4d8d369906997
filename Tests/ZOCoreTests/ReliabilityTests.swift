import Testing
import ZOCore

/// Sizes from outside input are overflow-checked and checked against memory before allocation, and a
/// restored optimizer state that does not fit is an error, not a trap (issue 15).
@Suite struct ReliabilityTests {
    func expectError(_ fragment: String, _ body: () throws -> Void) {
        do {
            try body()
            Issue.record("expected a ZOError mentioning '\(fragment)'")
        } catch let e as ZOError {
            #expect(e.description.contains(fragment), "\(e.description)")
            #expect(!e.fix.isEmpty)
        } catch { Issue.record("expected ZOError, got \(error)") }
    }

    @Test func sizeArithmeticIsOverflowChecked() throws {
        #expect(try MemoryBudget.product([3, 4, 5], "x", at: "t", fix: "f") == 60)
        expectError("overflows a 64-bit size") { _ = try MemoryBudget.product([Int.max, 2], "x", at: "t", fix: "f") }
        expectError("negative") { _ = try MemoryBudget.product([-1, 2], "x", at: "t", fix: "f") }
        expectError("overflows a 64-bit size") { _ = try MemoryBudget.sum([Int.max, 1], "x", at: "t", fix: "f") }
        expectError("needs about 1.00 GiB of memory; this machine allows 0.50 GiB") {
            try MemoryBudget.check(1 << 30, "a buffer", at: "t", fix: "f", limit: 1 << 29)
        }
        #expect(MemoryBudget.limitBytes > 0)
    }

    /// `bench gaussian --count 9223372036854775807` used to end in SIGSEGV.
    @Test func gaussianFillOfAnImpossibleCountIsAnError() {
        expectError("overflows a 64-bit size") {
            _ = try Benchmarks.gaussianFill(Double.self, count: Int.max, repetitions: 1, key: PRNGKey(seed: 1))
        }
        expectError("of memory") {
            _ = try Benchmarks.gaussianFill(Float.self, count: Int.max / 8, repetitions: 1, key: PRNGKey(seed: 1))
        }
        expectError("count must be ≥ 1") {
            _ = try Benchmarks.gaussianFill(Float.self, count: 0, repetitions: 1, key: PRNGKey(seed: 1))
        }
    }

    /// A layout whose size overflows, or whose Float buffer exceeds memory, is refused when built.
    @Test func layoutSizesAreChecked() {
        expectError("overflows a 64-bit size") { _ = try ParameterLayout([("W", [Int.max, 2])]) }
        expectError("overflows a 64-bit size") { _ = try ParameterLayout([("a", [Int.max]), ("b", [Int.max])]) }
        expectError("of memory") { _ = try ParameterLayout([("W", [1 << 20, 1 << 20])]) }
    }

    /// LOZO-M state that does not fit the layout (counts ≤ 0, another rank, a basis without its
    /// momentum, non-finite values, unknown names) is refused by restore; `update` re-checks (a state
    /// of another rank used to index out of range: SIGILL).
    @Test func lozoMomentumRefusesStateThatDoesNotFit() throws {
        let layout = try networkLayout()
        var opt = try LOZOMomentum(layout: layout, learningRate: 0.1)
        let fresh = opt.snapshot
        func refused(_ change: (inout OptimizerSnapshot) -> Void, _ fragment: String) {
            var s = fresh
            s.arrays["momentum.0"] = [Double](repeating: 0, count: 6 * 2)
            s.arrays["basis.0"] = [Double](repeating: 0, count: 5 * 2)
            s.integers["lastStep"] = 3
            change(&s)
            expectError(fragment) { try opt.restore(s) }
            #expect(opt.snapshot == fresh, "a refused restore must leave the optimizer unchanged")
        }
        refused({ $0.arrays["basis.0"] = [] }, "are not m×r and n×r")
        refused({ $0.arrays["basis.0"] = nil }, "are not m×r and n×r")
        refused({ $0.arrays["basis.0"] = [Double](repeating: 0, count: 5 * 3) }, "are not m×r and n×r")
        refused({ $0.arrays["momentum.0"] = [Double](repeating: 0, count: 6 * 6) }, "are not m×r and n×r")
        refused({ $0.arrays["momentum.0"] = [] }, "are not m×r and n×r")
        refused({ $0.arrays["momentum.1"] = [] }, "momentum.1 has 0 values (expected 6)")
        refused({ $0.arrays["basis.1"] = [1] }, "momentum.1 has 6 values (expected 6) and a basis")
        refused({ $0.arrays["momentum.0"]?[3] = .nan }, "non-finite")
        refused({ $0.arrays["extra"] = [1] }, "unknown array 'extra'")
        refused({ $0.integers["lastStep"] = -1 }, "lastStep -1 must be ≥ 0")
        refused({ $0.integers["step"] = 1 }, "unknown integer 'step'")
        var good = fresh
        good.arrays["momentum.0"] = [Double](repeating: 0.5, count: 6 * 1)
        good.arrays["basis.0"] = [Double](repeating: 1, count: 5 * 1)
        try opt.restore(good)  // a rank-1 state is consistent on its own …
        let problem = DenseQuadratic<Double>(layout: layout, key: PRNGKey(seed: 41))
        var theta: Parameters<Double> = try randomParameters(layout, key: PRNGKey(seed: 43))
        let estimator = try ZOEstimator(try LOZO(rank: 2, lazyInterval: 2), epsilon: 1e-3)
        let e = try estimator.measure(problem, at: theta, step: 4, key: PRNGKey(seed: 42))
        expectError("does not fit its [6, 5] shape at rank 2") {  // … but not for a rank-2 estimator
            try opt.update(&theta, estimate: e, estimator: estimator)
        }
    }

    @Test func firstOrderSnapshotsMustBeFinite() throws {
        let layout = try networkLayout()
        var sgd = try SGD(layout: layout, learningRate: 0.1, momentum: 0.9)
        var arrays = sgd.snapshot.arrays
        arrays["velocity"]?[0] = .infinity
        expectError("non-finite") { try sgd.restore(OptimizerSnapshot(arrays: arrays)) }
    }
}
