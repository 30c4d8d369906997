import ZOCore

// Shared plumbing for the synthetic problems: scalar conversion, input checks, key tags.
// Every problem computes in Double whatever `T` is; these helpers keep the hot loops
// non-generic (generic `Double(x)` across modules is not guaranteed to be specialised).

/// Converts parameter values to Double without a copy when `T` is already Double.
@inline(__always)
func doubles<T: ZOScalar>(_ values: [T]) -> [Double] {
    if T.self == Double.self { return unsafeBitCast(values, to: [Double].self) }
    if T.self == Float.self {
        let f = unsafeBitCast(values, to: [Float].self)
        return [Double](unsafeUninitializedCapacity: f.count) { buf, n in
            for i in 0..<f.count { buf[i] = Double(f[i]) }
            n = f.count
        }
    }
    return values.map { Double($0) }
}

/// Converts Double results to `T` (rounding once, at the end, when `T` is Float).
@inline(__always)
func scalars<T: ZOScalar>(_ values: [Double], as type: T.Type = T.self) -> [T] {
    if T.self == Double.self { return unsafeBitCast(values, to: [T].self) }
    if T.self == Float.self {
        let f = [Float](unsafeUninitializedCapacity: values.count) { buf, n in
            for i in 0..<values.count { buf[i] = Float(values[i]) }
            n = values.count
        }
        return unsafeBitCast(f, to: [T].self)
    }
    return values.map { T($0) }
}

/// Throws unless `parameters` were built for `layout` (same names, shapes and order).
func checkLayout<T: ZOScalar>(_ parameters: Parameters<T>, _ layout: ParameterLayout, at location: String)
    throws(ZOError)
{
    guard parameters.layout == layout else {
        throw ZOError(
            "parameters have layout \(describe(parameters.layout)) but the problem expects \(describe(layout))",
            at: location, fix: "build the parameters from the problem's `layout` (e.g. start from `initialPoint()`)")
    }
}

/// The values of a vector argument `v` (HVPs), or nil when its length is wrong.
func checkedVector<T: ZOScalar>(_ v: [T], count: Int) -> [Double]? {
    v.count == count ? doubles(v) : nil
}

func describe(_ layout: ParameterLayout) -> String {
    "[" + layout.tensors.map { "\($0.name)\($0.shape)" }.joined(separator: ", ") + "]"
}

/// Validation shared by the constructors: finite arrays and exact lengths.
enum Validate {
    static func count(_ values: [Double], _ expected: Int, _ name: String, at location: String) throws(ZOError) {
        guard values.count == expected else {
            throw ZOError(
                "\(name) has \(values.count) entries but \(expected) are needed", at: location,
                fix: "pass exactly \(expected) values for \(name)")
        }
    }

    static func finite(_ values: [Double], _ name: String, at location: String) throws(ZOError) {
        if let i = values.firstIndex(where: { !$0.isFinite }) {
            throw ZOError("\(name)[\(i)] is \(values[i])", at: location, fix: "pass finite values for \(name)")
        }
    }

    static func positive(_ values: [Double], _ name: String, at location: String) throws(ZOError) {
        if let i = values.firstIndex(where: { !($0.isFinite && $0 > 0) }) {
            throw ZOError(
                "\(name)[\(i)] is \(values[i]); all must be finite and > 0", at: location,
                fix: "pass positive finite values for \(name)")
        }
    }

    static func sizes(_ sizes: [(String, Int)], at location: String) throws(ZOError) {
        for (name, value) in sizes where value < 1 {
            throw ZOError("size \(name) = \(value) must be ≥ 1", at: location, fix: "pass positive sizes")
        }
    }

    static func rank(_ r: Int, _ name: String, limit: Int, at location: String) throws(ZOError) {
        guard r >= 1, r <= limit else {
            throw ZOError(
                "\(name) = \(r) is outside 1…\(limit) (the smaller dimension of its matrix)", at: location,
                fix: "pass 1 ≤ \(name) ≤ \(limit)")
        }
    }
}

/// Fold-in tags for the independent draws of a problem (each component gets its own stream).
enum DrawTag: Int {
    case leftA = 1
    case leftB, target, initial, features, labels, coefficients, frequencies,
        spectrum, noise, start
}

extension PRNGKey {
    func tagged(_ tag: DrawTag) -> PRNGKey { fold(in: tag.rawValue) }
}

/// Σ vᵢ² in Double.
@inline(__always)
func sumOfSquares(_ v: [Double]) -> Double {
    var s = 0.0
    for x in v { s += x * x }
    return s
}

/// Example indices for a `BatchSelection` over `count` examples, ascending: ZOCore's
/// `BatchSelection.exampleIndices` (one keyed Fisher–Yates rule for every data set).
enum Minibatch {
    static func indices(_ batch: BatchSelection, count: Int, at location: String) throws(ZOError) -> [Int] {
        try batch.exampleIndices(count: count, at: location)
    }
}
