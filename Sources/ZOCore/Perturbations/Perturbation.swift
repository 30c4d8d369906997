/// Why a perturbation is being generated. Every correct distribution returns the same numbers
/// for both uses; only `LOZOReferenceFaithful` (a planted bug) does not.
public enum PerturbationUse: Sendable, Hashable {
    /// Generated to evaluate f(θ ± εZ).
    case measurement
    /// Regenerated to apply the update θ ← θ − η ĝ.
    case update
}

/// The role of a random draw inside a perturbation; part of the key derivation so that U, V,
/// Z₀ and dense draws of one tensor are independent.
public enum DrawRole: UInt64, Sendable {
    case dense = 1
    case lowRankU = 2
    case lowRankV = 3
    case core = 4
    case sample = 5
}

/// Key derivation for perturbations: a pure function of (root, role, index, tensor), where
/// `index` is the step for per-step draws and the block `⌊step/ν⌋` for lazily resampled ones.
public enum PerturbationKey {
    @inlinable
    public static func key(_ root: PRNGKey, role: DrawRole, index: Int, tensor: Int) -> PRNGKey {
        root.fold(in: role.rawValue).fold(in: index).fold(in: tensor)
    }
}

/// Z = U Vᵀ for one matrix tensor: U is rows×rank, V is cols×rank, both row-major, in Double.
public struct LowRankFactors: Sendable, Equatable {
    public let rows: Int
    public let cols: Int
    public let rank: Int
    public let u: [Double]
    public let v: [Double]

    public init(rows: Int, cols: Int, rank: Int, u: [Double], v: [Double]) {
        precondition(
            u.count == rows * rank && v.count == cols * rank, "LowRankFactors: factor sizes do not match the shape")
        self.rows = rows
        self.cols = cols
        self.rank = rank
        self.u = u
        self.v = v
    }

    /// w ← w + α·U Vᵀ, one row at a time; each entry is `T(α)·T(Σ_k u_ik v_jk)`, the same rounding
    /// as `fill` followed by an axpy, so fused and materialised paths agree bit for bit.
    @inlinable
    // Pre-specialised: called through protocol witnesses from other modules, where a generic
    // body runs ~10× slower (value-witness calls per element; measured in fine-tuning profiles).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func addScaledProduct<T: ZOScalar>(_ alpha: Double, to w: UnsafeMutableBufferPointer<T>) {
        let a = T(alpha)
        let n = cols
        // Unchecked pointers (the sizes are the initialiser's precondition); the row sums of `rowSums`.
        u.withUnsafeBufferPointer { up in
            columnsOfV.withUnsafeBufferPointer { vp in
                guard let ub = up.baseAddress, let vt = vp.baseAddress, let wb = w.baseAddress else { return }
                withUnsafeTemporaryAllocation(of: Double.self, capacity: n) { sp in
                    guard let s = sp.baseAddress else { return }
                    for i in 0..<rows {
                        Self.rowSums(ub + i &* rank, columns: vt, cols: n, rank: rank, into: s)
                        let wi = wb + i &* n
                        for j in 0..<n { wi[j] += a * T(s[j]) }
                    }
                }
            }
        }
    }

    /// buffer ← U Vᵀ, row-major rows×cols: each entry T(Σ_k u_ik v_jk), summed in Double from 0 in k order
    /// and rounded once (`fill` of the low-rank distributions).
    @inlinable
    // Pre-specialised: reached through protocol witnesses from other modules (the low-rank `fill`),
    // where a generic body runs ~10× slower (value-witness calls per element).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func write<T: ZOScalar>(into buffer: UnsafeMutableBufferPointer<T>) {
        for i in 0..<rows {
            for j in 0..<cols {
                var s = 0.0
                for k in 0..<rank { s += u[i * rank + k] * v[j * rank + k] }
                buffer[i * cols + j] = T(s)
            }
        }
    }

    /// V's columns stored contiguously: element k·cols + j is v_jk (the operand of `rowSums`).
    public var columnsOfV: [Double] {
        var vt = [Double](repeating: 0, count: cols * rank)
        for j in 0..<cols { for k in 0..<rank { vt[k * cols + j] = v[j * rank + k] } }
        return vt
    }

    /// s[j] = Σ_k u_k·v_jk for j < n: s from 0, then the k terms in order, the one summation every
    /// low-rank product here uses (materialised, fused update, LOZO-M). Over V's contiguous columns
    /// `vt` (`columnsOfV`) the loop over j is unit-stride and vectorises, whatever the rank.
    @inlinable @inline(__always)
    public static func rowSums(
        _ u: UnsafePointer<Double>, columns vt: UnsafePointer<Double>, cols n: Int, rank r: Int,
        into s: UnsafeMutablePointer<Double>
    ) {
        s.update(repeating: 0, count: n)
        for k in 0..<r {
            let uk = u[k]
            let vk = vt + k &* n
            for j in 0..<n { s[j] += uk * vk[j] }
        }
    }

    /// Z = U Vᵀ, row-major rows×cols.
    public func product() -> [Double] {
        var z = [Double](repeating: 0, count: rows * cols)
        for i in 0..<rows {
            for j in 0..<cols {
                var s = 0.0
                for k in 0..<rank { s += u[i * rank + k] * v[j * rank + k] }
                z[i * cols + j] = s
            }
        }
        return z
    }
}

/// One step's perturbation Z over all tensors, with the per-tensor gradient scale:
/// the estimate is ĝ_t = c · scale_t · Z_t. It is a value: it can be materialised (tests,
/// synthetic problems) or applied tensor by tensor without materialising the whole of Z.
public protocol Perturbation: Sendable {
    var layout: ParameterLayout { get }
    /// Write Z restricted to tensor `t` (row-major, `layout.tensors[t].count` values).
    func fill<T: ZOScalar>(tensor t: Int, into buffer: UnsafeMutableBufferPointer<T>)
    /// The factor in ĝ_t = c · scale_t · Z_t (1 for MeZO, 1/r for LOZO matrices, …).
    func gradientScale(tensor t: Int) -> Double
    /// Z_t = U Vᵀ when the perturbation of tensor t has that structure (LOZO, SubZero).
    func lowRankFactors(tensor t: Int) -> LowRankFactors?
    /// w ← w + α Z_t without materialising Z_t (streamed for dense draws, row by row from the
    /// factors for low-rank ones). Must add exactly `T(α)·z` for the z that `fill` produces.
    func addScaled<T: ZOScalar>(_ alpha: Double, tensor t: Int, to w: UnsafeMutableBufferPointer<T>)
    /// w ← w + α Z_t[range] for the elements `range` of tensor t (`w.count == range.count`): the same
    /// bits as `addScaled` on the whole tensor, restricted to `range` (a perturbed forward pass
    /// gathers only the embedding rows its tokens read).
    func addScaled<T: ZOScalar>(
        _ alpha: Double, tensor t: Int, elements range: Range<Int>, to w: UnsafeMutableBufferPointer<T>)
}

extension Perturbation {
    public func gradientScale(tensor t: Int) -> Double { 1 }
    public func lowRankFactors(tensor t: Int) -> LowRankFactors? { nil }

    /// Default: low-rank tensors row by row from the factors, others through `fill` (materialised).
    @inlinable
    public func addScaled<T: ZOScalar>(_ alpha: Double, tensor t: Int, to w: UnsafeMutableBufferPointer<T>) {
        if let f = lowRankFactors(tensor: t) {
            f.addScaledProduct(alpha, to: w)
            return
        }
        let z: [T] = materialize(tensor: t)
        z.withUnsafeBufferPointer { ScalarKernels.axpy(T(alpha), $0, w) }
    }

    /// Default: the whole tensor's Z materialised (or its low-rank product), then the slice added.
    /// Dense distributions override it to stream only the range.
    @inlinable
    public func addScaled<T: ZOScalar>(
        _ alpha: Double, tensor t: Int, elements range: Range<Int>, to w: UnsafeMutableBufferPointer<T>
    ) {
        var whole = [T](repeating: 0, count: layout.tensors[t].count)
        whole.withUnsafeMutableBufferPointer { addScaled(alpha, tensor: t, to: $0) }
        // 0 + T(α)·z = T(α)·z exactly, and w + that is what addScaled on the tensor computes.
        for i in 0..<w.count { w[i] += whole[range.lowerBound + i] }
    }

    /// Streams a keyed Gaussian stream into w ← w + α z in blocks of 4096 (no tensor-sized buffer).
    /// `offset` is the stream position of w[0] (a range of a tensor).
    @inlinable
    public static func addScaledGaussian<T: ZOScalar>(
        _ alpha: Double, key: PRNGKey, offset: Int = 0,
        to w: UnsafeMutableBufferPointer<T>
    ) {
        // Reached through `any Perturbation` (the transformer's fused path) this function runs
        // unspecialised, with every `+=` and `*` a witness call; route the two concrete scalars to
        // specialised copies (same operations, same bits).
        if T.self == Float.self {
            w.withMemoryRebound(to: Float.self) { addScaledGaussianBody(alpha, key: key, offset: offset, to: $0) }
        } else if T.self == Double.self {
            w.withMemoryRebound(to: Double.self) { addScaledGaussianBody(alpha, key: key, offset: offset, to: $0) }
        } else {
            addScaledGaussianBody(alpha, key: key, offset: offset, to: w)
        }
    }

    @inlinable
    static func addScaledGaussianBody<T: ZOScalar>(
        _ alpha: Double, key: PRNGKey, offset: Int, to w: UnsafeMutableBufferPointer<T>
    ) {
        let a = T(alpha)
        let block = 4096
        withUnsafeTemporaryAllocation(of: T.self, capacity: block) { tmp in
            var start = 0
            while start < w.count {
                let n = min(block, w.count - start)
                let chunk = UnsafeMutableBufferPointer(rebasing: tmp[0..<n])
                T.fillGaussian(chunk, key: key, offset: offset + start)
                for i in 0..<n { w[start + i] += a * chunk[i] }
                start += n
            }
        }
    }

    /// Z over all tensors, in layout order.
    @inlinable
    public func materialize<T: ZOScalar>(as type: T.Type = T.self) -> [T] {
        [T](unsafeUninitializedCapacity: layout.count) { buf, n in
            for (t, spec) in layout.tensors.enumerated() {
                fill(tensor: t, into: UnsafeMutableBufferPointer(rebasing: buf[spec.range]))
            }
            n = layout.count
        }
    }

    /// Z_t alone.
    @inlinable
    public func materialize<T: ZOScalar>(tensor t: Int, as type: T.Type = T.self) -> [T] {
        let n = layout.tensors[t].count
        return [T](unsafeUninitializedCapacity: n) { buf, k in
            fill(tensor: t, into: buf)
            k = n
        }
    }
}

/// A distribution of perturbations: MeZO's Gaussian, LOZO's low-rank, SubZero's subspace, …
/// Its `perturbation` is a pure function of its arguments. Researchers conform their own
/// distributions to this protocol and get every estimator, optimizer and check for free.
public protocol PerturbationDistribution: Sendable {
    associatedtype Sample: Perturbation
    /// A short name for reports ("mezo", "lozo(r=2,ν=50)").
    var name: String { get }
    /// Throws a `ZOError` when the distribution cannot be used with this layout (rank > min(m, n), …).
    func validate(_ layout: ParameterLayout) throws(ZOError)
    /// The perturbation at `step` under the root `key`. `parameters` are the *unperturbed*
    /// parameters θ_t (Sparse MeZO derives its mask from them).
    func perturbation<T: ZOScalar>(step: Int, key: PRNGKey, parameters: Parameters<T>, use: PerturbationUse)
        throws(ZOError) -> Sample
}

extension PerturbationDistribution {
    public func validate(_ layout: ParameterLayout) throws(ZOError) {}
}

/// Element loops that generic code reaches unspecialised (through `any Perturbation`): each routes
/// `Float` and `Double` to a specialised copy of the same loop, so the arithmetic (and every bit of
/// the result) is unchanged and only the witness-call overhead goes.
public enum ScalarKernels {
    /// y ← y + a·x, elementwise (`y[i] += a * x[i]`).
    @inlinable
    public static func axpy<T: ZOScalar>(_ a: T, _ x: UnsafeBufferPointer<T>, _ y: UnsafeMutableBufferPointer<T>) {
        if T.self == Float.self {
            x.withMemoryRebound(to: Float.self) { xf in
                y.withMemoryRebound(to: Float.self) { yf in
                    axpyBody(unsafeBitCast(a, to: Float.self), xf, yf)
                }
            }
        } else if T.self == Double.self {
            x.withMemoryRebound(to: Double.self) { xd in
                y.withMemoryRebound(to: Double.self) { yd in
                    axpyBody(unsafeBitCast(a, to: Double.self), xd, yd)
                }
            }
        } else {
            axpyBody(a, x, y)
        }
    }

    @inlinable
    static func axpyBody<T: ZOScalar>(_ a: T, _ x: UnsafeBufferPointer<T>, _ y: UnsafeMutableBufferPointer<T>) {
        for i in 0..<min(x.count, y.count) { y[i] += a * x[i] }
    }

    /// buffer[i] ← 0 wherever bit i of `bits` (64 per word, least significant first) is 0.
    @inlinable
    public static func zeroUnset<T: ZOScalar>(_ buffer: UnsafeMutableBufferPointer<T>, bits: [UInt64]) {
        if T.self == Float.self {
            buffer.withMemoryRebound(to: Float.self) { zeroUnsetBody($0, bits: bits) }
        } else if T.self == Double.self {
            buffer.withMemoryRebound(to: Double.self) { zeroUnsetBody($0, bits: bits) }
        } else {
            zeroUnsetBody(buffer, bits: bits)
        }
    }

    @inlinable
    static func zeroUnsetBody<T: ZOScalar>(_ buffer: UnsafeMutableBufferPointer<T>, bits: [UInt64]) {
        let n = buffer.count
        var start = 0
        for word in bits {
            guard start < n else { break }
            let end = min(start + 64, n)
            if word != ~0 {
                for i in start..<end where (word >> UInt64(i - start)) & 1 == 0 { buffer[i] = 0 }
            }
            start = end
        }
    }
}
