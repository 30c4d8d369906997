import Foundation

/// Sparse MeZO (Liu et al., "Sparse MeZO: Less Parameters for Better Performance in Zeroth-Order
/// LLM Fine-Tuning", arXiv 2402.15751): perturb only small-magnitude weights.
///
/// Z = m ⊙ z with z ~ N(0, I) (the same keyed stream as MeZO) and a per-tensor mask m_i = 1 for
/// the k = round((1 − s)·n) entries of smallest |θ_i| (ties broken by index, so the count is
/// exact: |density − (1 − s)| ≤ 1/(2n)); s is the sparsity (0.8 is the paper's best).
/// The threshold h_t (k-th smallest |θ|) is reported per tensor. The mask must come from the
/// **unperturbed** θ (claim SPARSE-MASK-UNPERTURBED); `.dynamic` recomputes it every step from the
/// θ passed in, `.fixed` takes it once from θ₀.
///
/// Moments on a quadratic (Proofs/estimators.md §Sparse MeZO): E ĝ = m ⊙ g,
/// E‖ĝ‖² = (d̂ + 2)‖m ⊙ g‖², d̂ = Σ m_i. Claims: SPARSE-UNBIASED-MASKED, SPARSE-SECOND-MOMENT, SPARSE-MASK-DENSITY.
public struct SparseMeZO: PerturbationDistribution {
    /// Per-tensor masks as bitsets, with the thresholds they came from.
    public struct Mask: Sendable, Equatable {
        public let bits: [[UInt64]]
        public let thresholds: [Double]
        public let kept: [Int]

        public func isKept(tensor t: Int, _ i: Int) -> Bool { (bits[t][i >> 6] >> UInt64(i & 63)) & 1 == 1 }
        public let totalCount: Int
        /// Fraction of all entries that are perturbed.
        public var density: Double { Double(kept.reduce(0, +)) / Double(totalCount) }
    }

    public enum MaskMode: Sendable {
        /// Recompute the mask every step from the unperturbed θ_t.
        case dynamic
        /// One mask for the whole run.
        case fixed(Mask)
    }

    public let sparsity: Double
    public let maskMode: MaskMode

    /// - Parameter sparsity: fraction of entries NOT perturbed, in [0, 1).
    public init(sparsity: Double, maskMode: MaskMode = .dynamic) throws(ZOError) {
        guard sparsity.isFinite, sparsity >= 0, sparsity < 1 else {
            throw ZOError(
                "sparsity must be in [0, 1), got \(sparsity)", at: "SparseMeZO",
                fix: "pass the fraction of weights to leave unperturbed, e.g. 0.8 (the paper's best)")
        }
        self.sparsity = sparsity
        self.maskMode = maskMode
    }

    /// Sparse MeZO with the mask fixed from θ₀.
    public init<T: ZOScalar>(sparsity: Double, fixedMaskFrom initial: Parameters<T>) throws(ZOError) {
        try self.init(sparsity: sparsity)
        self = try SparseMeZO(sparsity: sparsity, maskMode: .fixed(Self.mask(for: initial, sparsity: sparsity)))
        // (the first init validates `sparsity` before the mask is computed from it)
    }

    public var name: String {
        if case .fixed = maskMode { return "sparse-mezo(s=\(sparsity),fixed)" }
        return "sparse-mezo(s=\(sparsity))"
    }

    /// The mask of the k = round((1−s)·n) smallest-magnitude entries of each tensor.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func mask<T: ZOScalar>(for parameters: Parameters<T>, sparsity: Double) -> Mask {
        let tensors = parameters.layout.tensors
        if T.self == Float.self {
            // Radix selection on the Float bits (MagnitudeSelection): the same threshold and bits as
            // the quickselect path below. Tensors are independent: concurrently for a large model
            // (each tensor by the same serial code, results stored by index, so the bits do not change).
            var words = [[UInt64]](repeating: [], count: tensors.count)
            var hs = [Double](repeating: 0, count: tensors.count)
            let ks = tensors.map { min($0.count, Int((Double($0.count) * (1 - sparsity)).rounded())) }
            parameters.values.withUnsafeBufferPointer { all in
                words.withUnsafeMutableBufferPointer { wp in
                    hs.withUnsafeMutableBufferPointer { hp in
                        ParallelChunks.forEach(tensors.count, elements: all.count) { t in
                            let (word, h) = UnsafeBufferPointer(rebasing: all[tensors[t].range]).withMemoryRebound(
                                to: Float.self
                            ) {
                                MagnitudeSelection.smallestMagnitudeBits($0, keep: ks[t])
                            }
                            wp[t] = word
                            hp[t] = h
                        }
                    }
                }
            }
            return Mask(bits: words, thresholds: hs, kept: ks, totalCount: parameters.count)
        }
        var bits: [[UInt64]] = []
        var thresholds: [Double] = []
        var kept: [Int] = []
        for (t, spec) in tensors.enumerated() {
            let n = spec.count
            let k = min(n, Int((Double(n) * (1 - sparsity)).rounded()))
            let values = Array(parameters.tensor(t))
            var word = [UInt64](repeating: 0, count: (n + 63) / 64)
            var h = -Double.infinity
            if k > 0 {
                var mags = values.map { Swift.abs(Double($0)) }
                h = Selection.kthSmallest(&mags, k - 1)
                // Keep every |θ| < h, then entries equal to h in index order until k are kept.
                var below = 0
                for v in values where Swift.abs(Double(v)) < h { below += 1 }
                var ties = k - below
                for (i, v) in values.enumerated() {
                    let a = Swift.abs(Double(v))
                    if a < h || (a == h && ties > 0) {
                        if a == h { ties -= 1 }
                        word[i >> 6] |= 1 << UInt64(i & 63)
                    }
                }
            }
            bits.append(word)
            thresholds.append(h)
            kept.append(k)
        }
        return Mask(bits: bits, thresholds: thresholds, kept: kept, totalCount: parameters.count)
    }

    public struct Sample: Perturbation {
        public let layout: ParameterLayout
        public let key: PRNGKey
        public let step: Int
        public let mask: Mask

        public init(layout: ParameterLayout, key: PRNGKey, step: Int, mask: Mask) {
            self.layout = layout
            self.key = key
            self.step = step
            self.mask = mask
        }

        // Pre-specialised: called through protocol witnesses from other modules, where a generic
        // body runs ~10× slower (value-witness calls per element; measured in fine-tuning profiles).
        @_specialize(where T == Float)
        @_specialize(where T == Double)
        public func fill<T: ZOScalar>(tensor t: Int, into buffer: UnsafeMutableBufferPointer<T>) {
            T.fillGaussian(buffer, key: PerturbationKey.key(key, role: .dense, index: step, tensor: t), offset: 0)
            ScalarKernels.zeroUnset(buffer, bits: mask.bits[t])
        }

        /// w ← w + T(α)·(m ⊙ z), streamed in blocks of 4096 (no tensor-sized buffer); a masked entry
        /// adds T(α)·0, exactly what the materialising default adds, so both paths agree bit for bit.
        @_specialize(where T == Float)
        @_specialize(where T == Double)
        public func addScaled<T: ZOScalar>(_ alpha: Double, tensor t: Int, to w: UnsafeMutableBufferPointer<T>) {
            addScaled(alpha, tensor: t, elements: 0..<w.count, to: w)
        }

        /// Blocks of 4096 stream elements: the Gaussians, the unkept ones zeroed from the mask's
        /// words, then w += T(α)·z (a·0 added for unkept entries, as before: the same bits).
        @_specialize(where T == Float)
        @_specialize(where T == Double)
        public func addScaled<T: ZOScalar>(
            _ alpha: Double, tensor t: Int, elements range: Range<Int>, to w: UnsafeMutableBufferPointer<T>
        ) {
            let a = T(alpha)
            let streamKey = PerturbationKey.key(key, role: .dense, index: step, tensor: t)
            let words = mask.bits[t]
            let block = 4096
            withUnsafeTemporaryAllocation(of: T.self, capacity: block) { tmp in
                var start = range.lowerBound
                while start < range.upperBound {
                    // Whole mask words: start the block at a multiple of 64 (the head of an unaligned range is skipped).
                    let first = start & ~63
                    let n = min(first + block, range.upperBound) - first
                    let chunk = UnsafeMutableBufferPointer(rebasing: tmp[0..<n])
                    T.fillGaussian(chunk, key: streamKey, offset: first)
                    // Unchecked pointers, no index arithmetic in the loops (it kept them scalar):
                    // the same selects and the same w[i] += a·z[i] as before, now vectorised.
                    guard let z = chunk.baseAddress, let wb = w.baseAddress else { return }
                    words.withUnsafeBufferPointer { bits in
                        guard let bits = bits.baseAddress else { return }
                        for j in stride(from: 0, to: n, by: 64) {
                            let word = bits[(first &+ j) &>> 6]
                            if word == ~0 { continue }
                            let zj = z + j
                            let len = Swift.min(64, n &- j)
                            for i in 0..<len { zj[i] = (word &>> UInt64(i)) & 1 != 0 ? zj[i] : 0 }
                        }
                    }
                    // w[first + i − lower] for i in (start − first)..<n: one base pointer, one count.
                    let skip = start &- first
                    let dst = wb + (start &- range.lowerBound)
                    let src = z + skip
                    for i in 0..<(n &- skip) { dst[i] += a * src[i] }
                    start = first + n
                }
            }
        }
    }

    public func perturbation<T: ZOScalar>(
        step: Int, key: PRNGKey, parameters: Parameters<T>,
        use: PerturbationUse
    ) throws(ZOError) -> Sample {
        switch maskMode {
        case .dynamic:
            return Sample(
                layout: parameters.layout, key: key, step: step, mask: Self.mask(for: parameters, sparsity: sparsity))
        case .fixed(let m):
            guard m.bits.count == parameters.layout.tensors.count, m.totalCount == parameters.count else {
                throw ZOError(
                    "the fixed mask was computed for a different layout", at: name,
                    fix: "build SparseMeZO(sparsity:fixedMaskFrom:) from parameters of the same layout")
            }
            return Sample(layout: parameters.layout, key: key, step: step, mask: m)
        }
    }
}

/// Selection without a full sort (Hoare's quickselect with median-of-three), O(n) expected.
public enum Selection {
    /// The element that would be at index `k` of `values` sorted ascending; reorders `values`.
    public static func kthSmallest(_ values: inout [Double], _ k: Int) -> Double {
        precondition(k >= 0 && k < values.count, "kthSmallest: k out of range")
        var lo = 0
        var hi = values.count - 1
        while lo < hi {
            let mid = lo + (hi - lo) / 2
            // Median of three as pivot.
            let a = values[lo]
            let b = values[mid]
            let c = values[hi]
            let pivot = max(min(a, b), min(max(a, b), c))
            var i = lo
            var j = hi
            while i <= j {
                while values[i] < pivot { i += 1 }
                while values[j] > pivot { j -= 1 }
                if i <= j {
                    values.swapAt(i, j)
                    i += 1
                    j -= 1
                }
            }
            if k <= j { hi = j } else if k >= i { lo = i } else { return values[k] }
        }
        return values[k]
    }
}
