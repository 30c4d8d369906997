import Foundation

/// Fills from keyed streams. Element `n` of each stream is a pure function of `(key, n)`, so a
/// tensor can be filled whole or in pieces, in any order, and the numbers are the same.
///
/// Stream layouts (documented because a reference implementation must reproduce them):
/// - **Float streams** come in chunks of 64 elements. Chunk `c` uses the 16 Philox blocks
///   `b = 16c + j` (j = 0…15, counter `(b_lo, b_hi, 0, 0)`) giving words `w0…w3` per lane.
///   Uniform: element `16k + j` = `(wk[j] >> 9)·2⁻²³`.
///   Gaussian (Box–Muller): `ρa = √(−2 ln(1 − (w0>>9)·2⁻²³))`, angle `2π(w1>>9)·2⁻²³`;
///   elements 0…15 = ρa cos, 16…31 = ρa sin, 32…47 / 48…63 likewise from (w2, w3).
/// - **Double streams** come in chunks of 32: lane j's 64-bit words `a = w0 | w1<<32`,
///   `b = w2 | w3<<32`. Uniform: element j = `(a>>11)·2⁻⁵³`, 16 + j = `(b>>11)·2⁻⁵³`.
///   Gaussian: `ρ = √(−2 ln(((a>>11)+1)·2⁻⁵³))`, angle `2π(b>>11)·2⁻⁵³`; j = ρ cos, 16 + j = ρ sin.
/// The Float Gaussian has its tails cut at √(−2 ln 2⁻²³) ≈ 5.65σ (mass 1.6e-8), the Double one at
/// ≈ 8.57σ; see Proofs/rng.md.
public enum RandomFill {
    // MARK: chunk kernels

    @inlinable @inline(__always)
    static func words16(key: PRNGKey, chunk c: UInt64)
        -> (SIMD16<UInt32>, SIMD16<UInt32>, SIMD16<UInt32>, SIMD16<UInt32>)
    {
        let b = c &* 16
        let lanes = SIMD16<UInt32>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
        let c0 = SIMD16<UInt32>(repeating: UInt32(truncatingIfNeeded: b)) &+ lanes
        let c1 = SIMD16<UInt32>(repeating: UInt32(truncatingIfNeeded: b >> 32))
        return Philox4x32.block16(c0: c0, c1: c1, c2: 0, c3: 0, key: key.words)
    }

    /// 64 Gaussian floats of chunk `c` written to `out[0..<64]`.
    @inlinable @inline(__always)
    public static func gaussianFloatChunk(key: PRNGKey, chunk c: UInt64, out: UnsafeMutablePointer<Float>) {
        let (w0, w1, w2, w3) = words16(key: key, chunk: c)
        // U₁ = 1 − (w>>9)·2⁻²³ ∈ (0, 1], so ln U₁ is finite.
        let ua = 2 - VectorMath.oneToTwo(w0 &>> 9)
        let ub = 2 - VectorMath.oneToTwo(w2 &>> 9)
        let ra = VectorMath.sqrt(-2 * VectorMath.log(ua))
        let rb = VectorMath.sqrt(-2 * VectorMath.log(ub))
        let ta = VectorMath.sinCosTurn(w1 &>> 9)
        let tb = VectorMath.sinCosTurn(w3 &>> 9)
        let raw = UnsafeMutableRawPointer(out)
        raw.storeBytes(of: ra * ta.cos, toByteOffset: 0, as: SIMD16<Float>.self)
        raw.storeBytes(of: ra * ta.sin, toByteOffset: 64, as: SIMD16<Float>.self)
        raw.storeBytes(of: rb * tb.cos, toByteOffset: 128, as: SIMD16<Float>.self)
        raw.storeBytes(of: rb * tb.sin, toByteOffset: 192, as: SIMD16<Float>.self)
    }

    @inlinable @inline(__always)
    public static func uniformFloatChunk(key: PRNGKey, chunk c: UInt64, out: UnsafeMutablePointer<Float>) {
        let (w0, w1, w2, w3) = words16(key: key, chunk: c)
        let raw = UnsafeMutableRawPointer(out)
        raw.storeBytes(of: VectorMath.oneToTwo(w0 &>> 9) - 1, toByteOffset: 0, as: SIMD16<Float>.self)
        raw.storeBytes(of: VectorMath.oneToTwo(w1 &>> 9) - 1, toByteOffset: 64, as: SIMD16<Float>.self)
        raw.storeBytes(of: VectorMath.oneToTwo(w2 &>> 9) - 1, toByteOffset: 128, as: SIMD16<Float>.self)
        raw.storeBytes(of: VectorMath.oneToTwo(w3 &>> 9) - 1, toByteOffset: 192, as: SIMD16<Float>.self)
    }

    /// Lane j's two 64-bit words of Double chunk `c`: `a = w0 | w1<<32`, `b = w2 | w3<<32` (in registers:
    /// no allocation per chunk).
    @inlinable @inline(__always)
    static func doubleWords(key: PRNGKey, chunk c: UInt64) -> (a: SIMD16<UInt64>, b: SIMD16<UInt64>) {
        let (w0, w1, w2, w3) = words16(key: key, chunk: c)
        let a = SIMD16<UInt64>(truncatingIfNeeded: w0) | (SIMD16<UInt64>(truncatingIfNeeded: w1) &<< 32)
        let b = SIMD16<UInt64>(truncatingIfNeeded: w2) | (SIMD16<UInt64>(truncatingIfNeeded: w3) &<< 32)
        return (a, b)
    }

    @inlinable
    public static func gaussianDoubleChunk(key: PRNGKey, chunk c: UInt64, out: UnsafeMutablePointer<Double>) {
        let (a, b) = doubleWords(key: key, chunk: c)
        let scale = 1.0 / 9_007_199_254_740_992.0
        // u ∈ (0, 1] and t ∈ [0, 1) exactly as the scalar reference (integers < 2⁵³ convert exactly).
        let u = (SIMD16<Double>(a &>> 11) + 1) * scale
        let t = SIMD16<Double>(b &>> 11) * scale
        for j in 0..<16 {
            let rho = (-2 * Foundation.log(u[j])).squareRoot()
            let angle = 2 * Double.pi * t[j]
            out[j] = rho * Foundation.cos(angle)
            out[16 + j] = rho * Foundation.sin(angle)
        }
    }

    @inlinable
    public static func uniformDoubleChunk(key: PRNGKey, chunk c: UInt64, out: UnsafeMutablePointer<Double>) {
        let (a, b) = doubleWords(key: key, chunk: c)
        let scale = 1.0 / 9_007_199_254_740_992.0
        let raw = UnsafeMutableRawPointer(out)
        raw.storeBytes(of: SIMD16<Double>(a &>> 11) * scale, toByteOffset: 0, as: SIMD16<Double>.self)
        raw.storeBytes(of: SIMD16<Double>(b &>> 11) * scale, toByteOffset: 128, as: SIMD16<Double>.self)
    }

    // MARK: chunked drivers

    /// Writes elements `[offset, offset + buffer.count)` of a chunked stream: whole chunks go
    /// straight to the buffer, partial ones through a scratch chunk.
    @inlinable @inline(__always)
    static func chunked<T>(
        _ buffer: UnsafeMutableBufferPointer<T>, offset: Int, chunkSize: Int,
        _ kernel: (UInt64, UnsafeMutablePointer<T>) -> Void
    ) {
        precondition(offset >= 0, "stream offsets are non-negative")
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        var pos = 0
        let total = buffer.count
        withUnsafeTemporaryAllocation(of: T.self, capacity: chunkSize) { scratch in
            guard let tmp = scratch.baseAddress else { return }
            while pos < total {
                let element = offset + pos
                let c = element / chunkSize
                let within = element - c * chunkSize
                let n = min(chunkSize - within, total - pos)
                if within == 0 && n == chunkSize {
                    kernel(UInt64(c), base + pos)
                } else {
                    kernel(UInt64(c), tmp)
                    (base + pos).update(from: tmp + within, count: n)
                }
                pos += n
            }
        }
    }

    @inlinable
    public static func gaussianFloat(_ buffer: UnsafeMutableBufferPointer<Float>, key: PRNGKey, offset: Int = 0) {
        chunked(buffer, offset: offset, chunkSize: 64) { gaussianFloatChunk(key: key, chunk: $0, out: $1) }
    }

    @inlinable
    public static func uniformFloat(_ buffer: UnsafeMutableBufferPointer<Float>, key: PRNGKey, offset: Int = 0) {
        chunked(buffer, offset: offset, chunkSize: 64) { uniformFloatChunk(key: key, chunk: $0, out: $1) }
    }

    @inlinable
    public static func gaussianDouble(_ buffer: UnsafeMutableBufferPointer<Double>, key: PRNGKey, offset: Int = 0) {
        chunked(buffer, offset: offset, chunkSize: 32) { gaussianDoubleChunk(key: key, chunk: $0, out: $1) }
    }

    @inlinable
    public static func uniformDouble(_ buffer: UnsafeMutableBufferPointer<Double>, key: PRNGKey, offset: Int = 0) {
        chunked(buffer, offset: offset, chunkSize: 32) { uniformDoubleChunk(key: key, chunk: $0, out: $1) }
    }

    /// ±1 with equal probability: element n is bit (n mod 32) of word ((n/32) mod 4) of block n/128.
    @inlinable
    public static func rademacher<T: ZOScalar>(_ buffer: UnsafeMutableBufferPointer<T>, key: PRNGKey, offset: Int = 0) {
        precondition(offset >= 0, "stream offsets are non-negative")
        var cachedBlock = UInt64.max
        var words = SIMD4<UInt32>()
        for i in 0..<buffer.count {
            let n = UInt64(offset + i)
            let b = n / 128
            if b != cachedBlock {
                words = key.bits(block: b)
                cachedBlock = b
            }
            let w = words[Int((n / 32) % 4)]
            buffer[i] = ((w >> UInt32(n % 32)) & 1) == 0 ? 1 : -1
        }
    }

    /// Uniform on the sphere of radius `radius` (default √count): a Gaussian fill rescaled to that
    /// norm (the norm accumulated in Double). Rotation invariance of N(0, I) makes z/‖z‖ uniform.
    @inlinable
    public static func sphere<T: ZOScalar>(_ buffer: UnsafeMutableBufferPointer<T>, key: PRNGKey, radius: Double? = nil)
    {
        T.fillGaussian(buffer, key: key, offset: 0)
        var s = 0.0
        for v in buffer { s += Double(v) * Double(v) }
        let r = radius ?? Double(buffer.count).squareRoot()
        let f = T(r / s.squareRoot())
        for i in buffer.indices { buffer[i] *= f }
    }

    /// Convenience: an array of `count` Gaussians (stream elements 0..<count).
    @inlinable
    public static func gaussian<T: ZOScalar>(_ type: T.Type = T.self, count: Int, key: PRNGKey) -> [T] {
        [T](unsafeUninitializedCapacity: count) { buf, n in
            T.fillGaussian(buf, key: key, offset: 0)
            n = count
        }
    }

    @inlinable
    public static func uniform<T: ZOScalar>(_ type: T.Type = T.self, count: Int, key: PRNGKey) -> [T] {
        [T](unsafeUninitializedCapacity: count) { buf, n in
            T.fillUniform(buf, key: key, offset: 0)
            n = count
        }
    }
}
