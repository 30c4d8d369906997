/// An optimizer's mutable state as named Double arrays and integers: exactly what a checkpoint
/// must store so that a run continues bit-identically (`restore(snapshot)` on a freshly built
/// optimizer with the same hyper-parameters gives the same future updates, bit for bit).
///
/// Names: ZO-SGD has none; LOZO-M `momentum.<t>` (N, m×r, or the dense vector momentum) and
/// `basis.<t>` (V, n×r; absent before the tensor's first update), integer `lastStep`; SGD
/// `velocity`; Adam `firstMoment`, `secondMoment`, integer `step`.
public struct OptimizerSnapshot: Sendable, Equatable {
    public var arrays: [String: [Double]]
    public var integers: [String: Int]

    public init(arrays: [String: [Double]] = [:], integers: [String: Int] = [:]) {
        self.arrays = arrays
        self.integers = integers
    }

    /// Total number of Double values held.
    public var valueCount: Int { arrays.values.reduce(0) { $0 + $1.count } }

    func array(_ name: String, count: Int, at location: String) throws(ZOError) -> [Double] {
        guard let a = arrays[name] else {
            throw ZOError(
                "the snapshot has no array '\(name)'", at: location,
                fix: "restore a snapshot taken from the same optimizer kind and layout")
        }
        guard a.count == count else {
            throw ZOError(
                "array '\(name)' has \(a.count) values, the optimizer needs \(count)", at: location,
                fix: "restore a snapshot taken with the same parameter layout")
        }
        guard a.allSatisfy(\.isFinite) else {
            throw ZOError(
                "array '\(name)' holds non-finite values", at: location,
                fix: "restore a snapshot of a run that had not diverged")
        }
        return a
    }
}

/// An optimizer whose state can be saved and restored (checkpoints).
public protocol SnapshottingOptimizer: Sendable {
    var snapshot: OptimizerSnapshot { get }
    /// Replaces the state; throws (leaving the optimizer unchanged) when the snapshot does not fit.
    mutating func restore(_ snapshot: OptimizerSnapshot) throws(ZOError)
}

extension ZOSGD: SnapshottingOptimizer {
    public var snapshot: OptimizerSnapshot { OptimizerSnapshot() }
    public mutating func restore(_ snapshot: OptimizerSnapshot) throws(ZOError) {
        guard snapshot.arrays.isEmpty, snapshot.integers.isEmpty else {
            throw ZOError(
                "ZO-SGD has no state but the snapshot holds \(snapshot.arrays.count + snapshot.integers.count) entries",
                at: "ZOSGD.restore", fix: "restore a snapshot taken from ZO-SGD")
        }
    }
}

extension LOZOMomentum: SnapshottingOptimizer {
    public var snapshot: OptimizerSnapshot {
        var s = OptimizerSnapshot()
        for (t, m) in momentum.enumerated() { s.arrays["momentum.\(t)"] = m }
        for (t, v) in basis.enumerated() { if let v { s.arrays["basis.\(t)"] = v } }
        if let lastStep { s.integers["lastStep"] = lastStep }
        return s
    }

    /// Checks every array against the layout before replacing anything: a vector tensor's momentum
    /// has the tensor's size; a matrix's (m×n) momentum N is empty (never updated) or m×r and then
    /// comes with its basis V of n×r, one r ∈ 1…min(m, n) per tensor; values finite; no other names.
    public mutating func restore(_ snapshot: OptimizerSnapshot) throws(ZOError) {
        let at = "LOZOMomentum.restore"
        let fix = "restore a snapshot taken from LOZO-M on the same parameter layout"
        let expected = Set((0..<momentum.count).map { "momentum.\($0)" })
        let given = Set(snapshot.arrays.keys.filter { $0.hasPrefix("momentum.") })
        guard given == expected else {
            throw ZOError(
                "the snapshot has momenta for \(given.count) tensors, the optimizer \(expected.count)", at: at,
                fix: fix)
        }
        let known = expected.union((0..<momentum.count).map { "basis.\($0)" })
        if let foreign = snapshot.arrays.keys.first(where: { !known.contains($0) }) {
            throw ZOError("the snapshot holds an unknown array '\(foreign)'", at: at, fix: fix)
        }
        if let foreign = snapshot.integers.keys.first(where: { $0 != "lastStep" }) {
            throw ZOError("the snapshot holds an unknown integer '\(foreign)'", at: at, fix: fix)
        }
        if let last = snapshot.integers["lastStep"], last < 0 {
            throw ZOError("lastStep \(last) must be ≥ 0", at: at, fix: fix)
        }
        for (name, values) in snapshot.arrays where !values.allSatisfy(\.isFinite) {
            throw ZOError(
                "\(name) holds non-finite values", at: at, fix: "restore a snapshot of a run that had not diverged")
        }
        for t in 0..<momentum.count {
            let m = snapshot.arrays["momentum.\(t)"] ?? []
            let v = snapshot.arrays["basis.\(t)"]
            try Self.checkShapes(
                tensor: t, spec: layout.tensors[t], dense: momentum[t].count, momentum: m, basis: v, at: at)
        }
        momentum = (0..<momentum.count).map { snapshot.arrays["momentum.\($0)"] ?? [] }
        basis = (0..<momentum.count).map { snapshot.arrays["basis.\($0)"] }
        lastStep = snapshot.integers["lastStep"]
    }

    static func checkShapes(
        tensor t: Int, spec: TensorSpec, dense: Int, momentum m: [Double], basis v: [Double]?, at: String
    )
        throws(ZOError)
    {
        let fix = "restore a snapshot taken from LOZO-M on the same parameter layout"
        guard spec.kind == .matrix else {
            guard m.count == dense, v == nil else {
                throw ZOError(
                    "momentum.\(t) has \(m.count) values (expected \(dense))\(v == nil ? "" : " and a basis")", at: at,
                    fix: fix)
            }
            return
        }
        if m.isEmpty, v == nil { return }
        let (rows, cols) = (spec.rows, spec.cols)
        let r = m.count / max(rows, 1)
        guard r >= 1, r <= min(rows, cols), m.count == rows * r, let v, v.count == cols * r else {
            throw ZOError(
                """
                momentum.\(t) (\(m.count) values) and basis.\(t) (\(v?.count ?? 0)) are not m×r and n×r for the \
                \(rows)×\(cols) matrix with one rank r in 1…\(min(rows, cols))
                """,
                at: at, fix: fix)
        }
    }
}

extension SGD: SnapshottingOptimizer {
    public var snapshot: OptimizerSnapshot { OptimizerSnapshot(arrays: ["velocity": velocity]) }
    public mutating func restore(_ snapshot: OptimizerSnapshot) throws(ZOError) {
        velocity = try snapshot.array("velocity", count: velocity.count, at: "SGD.restore")
    }
}

extension Adam: SnapshottingOptimizer {
    public var snapshot: OptimizerSnapshot {
        OptimizerSnapshot(arrays: ["firstMoment": firstMoment, "secondMoment": secondMoment], integers: ["step": step])
    }
    public mutating func restore(_ snapshot: OptimizerSnapshot) throws(ZOError) {
        let at = "Adam.restore"
        let m = try snapshot.array("firstMoment", count: firstMoment.count, at: at)
        let v = try snapshot.array("secondMoment", count: secondMoment.count, at: at)
        guard let s = snapshot.integers["step"], s >= 0 else {
            throw ZOError("the snapshot has no step count ≥ 0", at: at, fix: "restore a snapshot taken from Adam")
        }
        firstMoment = m
        secondMoment = v
        step = s
    }
}
