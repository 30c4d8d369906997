/// Whether a tensor is a vector (biases, LayerNorm gains: MeZO-style perturbation, no weight
/// decay) or a matrix (low-rank perturbations, weight decay). Decided by shape, never by name.
public enum TensorKind: String, Codable, Sendable, Hashable {
    case vector
    case matrix
}

/// One named tensor inside the flat parameter buffer. Matrices are row-major `rows × cols`
/// (PyTorch's `[out, in]` weight layout); vectors have `cols == 1`.
public struct TensorSpec: Codable, Sendable, Hashable {
    public let name: String
    public let rows: Int
    public let cols: Int
    public let kind: TensorKind
    /// First element in the flat buffer.
    public let offset: Int
    public var count: Int { rows * cols }
    public var range: Range<Int> { offset..<(offset + count) }
    public var shape: [Int] { kind == .vector ? [rows] : [rows, cols] }
}

/// The layout of all parameters in one flat buffer: names, shapes, offsets.
public struct ParameterLayout: Codable, Sendable, Hashable {
    public let tensors: [TensorSpec]
    public let count: Int

    /// - Parameter entries: names with shapes `[n]` (vector) or `[m, n]` (matrix), in buffer order.
    public init(_ entries: [(name: String, shape: [Int])]) throws(ZOError) {
        var specs: [TensorSpec] = []
        var offset = 0
        var seen = Set<String>()
        for (name, shape) in entries {
            guard !seen.contains(name) else {
                throw ZOError(
                    "duplicate tensor name '\(name)'", at: "ParameterLayout", fix: "give every tensor a unique name")
            }
            seen.insert(name)
            guard shape.count == 1 || shape.count == 2, shape.allSatisfy({ $0 > 0 }) else {
                throw ZOError(
                    """
                    tensor '\(name)' has shape \(shape); only 1-D [n] and 2-D [m, n] shapes with positive sizes \
                    are supported
                    """,
                    at: "ParameterLayout", fix: "reshape higher-rank tensors to 2-D and drop empty ones")
            }
            let spec =
                shape.count == 1
                ? TensorSpec(name: name, rows: shape[0], cols: 1, kind: .vector, offset: offset)
                : TensorSpec(name: name, rows: shape[0], cols: shape[1], kind: .matrix, offset: offset)
            // Sizes may come from a loaded file: overflow-checked, and the Float buffer must fit in memory.
            let fix = "use smaller tensor sizes"
            let size = try MemoryBudget.product(shape, "tensor '\(name)' \(shape)", at: "ParameterLayout", fix: fix)
            offset = try MemoryBudget.sum([offset, size], "the parameter count", at: "ParameterLayout", fix: fix)
            specs.append(spec)
        }
        try MemoryBudget.check(
            offset, of: Float.self, "\(offset) parameters", at: "ParameterLayout", fix: "use a smaller model")
        guard !specs.isEmpty else {
            throw ZOError(
                "a parameter layout needs at least one tensor", at: "ParameterLayout",
                fix: "pass one or more (name, shape) entries")
        }
        self.tensors = specs
        self.count = offset
    }

    /// A single-matrix layout, the common case for synthetic problems.
    public static func matrix(_ name: String = "W", rows: Int, cols: Int) throws(ZOError) -> ParameterLayout {
        try ParameterLayout([(name, [rows, cols])])
    }

    /// A single-vector layout.
    public static func vector(_ name: String = "theta", count: Int) throws(ZOError) -> ParameterLayout {
        try ParameterLayout([(name, [count])])
    }

    public func index(of name: String) -> Int? { tensors.firstIndex { $0.name == name } }
}

/// Parameter values: one flat buffer with named views, in `Float` or `Double`.
public struct Parameters<T: ZOScalar>: Sendable, Equatable {
    public let layout: ParameterLayout
    public var values: [T]

    public init(layout: ParameterLayout, values: [T]) throws(ZOError) {
        guard values.count == layout.count else {
            throw ZOError(
                "got \(values.count) values for a layout of \(layout.count) parameters",
                at: "Parameters.init", fix: "pass exactly layout.count values in layout order")
        }
        self.layout = layout
        self.values = values
    }

    public init(zeros layout: ParameterLayout) {
        self.layout = layout
        self.values = [T](repeating: 0, count: layout.count)
    }

    public var count: Int { values.count }

    /// The values of tensor `t` (a copy-free slice).
    public func tensor(_ t: Int) -> ArraySlice<T> { values[layout.tensors[t].range] }

    public func tensor(named name: String) -> ArraySlice<T>? {
        layout.index(of: name).map { tensor($0) }
    }

    /// Element (i, j) of matrix tensor `t` (row-major).
    public subscript(tensor t: Int, row i: Int, col j: Int) -> T {
        get { values[layout.tensors[t].offset + i * layout.tensors[t].cols + j] }
        set { values[layout.tensors[t].offset + i * layout.tensors[t].cols + j] = newValue }
    }

    /// Mutable access to tensor `t` as a buffer of `rows·cols` row-major values.
    @inlinable
    public mutating func withTensor<R>(_ t: Int, _ body: (UnsafeMutableBufferPointer<T>) throws -> R) rethrows -> R {
        let range = layout.tensors[t].range
        return try values.withUnsafeMutableBufferPointer { all in
            try body(UnsafeMutableBufferPointer(rebasing: all[range]))
        }
    }

    /// The same values converted to another scalar type.
    public func converted<U: ZOScalar>(to: U.Type) -> Parameters<U> {
        // Count is unchanged, so this cannot fail.
        Parameters<U>(unchecked: layout, values: values.map { U($0) })
    }

    @usableFromInline
    init(unchecked layout: ParameterLayout, values: [T]) {
        self.layout = layout
        self.values = values
    }
}
