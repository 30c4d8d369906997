/// A key for keyed, splittable, counter-based randomness (JAX's design, JEP 263 / 9263).
///
/// A key is a value, not a generator: nothing mutates it and no function threads RNG state.
/// New keys come from `split()` and `fold(in:)`, which are themselves Philox blocks under the
/// parent key with a domain tag in the counter, so derived keys never collide with the
/// counters the fills use (tag 0). A perturbation in ZOCheck is a pure function of
/// `(root key, step, tensor, role)`: see `PerturbationKey`.
public struct PRNGKey: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The two 32-bit words of the Philox key.
    public let words: SIMD2<UInt32>

    /// Domain tags in counter word 3 (fills use 0).
    @usableFromInline static let splitTag: UInt32 = 0x5350_4C54  // "SPLT"
    @usableFromInline static let foldTag: UInt32 = 0x464F_4C44  // "FOLD"

    public init(words: SIMD2<UInt32>) { self.words = words }

    /// A root key from a user seed. The seed is the key itself (as in JAX's `PRNGKey(seed)`),
    /// so `PRNGKey(seed: s)` is recorded and reproduced from `s` alone.
    public init(seed: UInt64) {
        self.words = SIMD2(UInt32(truncatingIfNeeded: seed >> 32), UInt32(truncatingIfNeeded: seed))
    }

    /// Two independent child keys.
    @inlinable
    public func split() -> (PRNGKey, PRNGKey) {
        let b = Philox4x32.block(counter: SIMD4(0, 0, 0, PRNGKey.splitTag), key: words)
        return (PRNGKey(words: SIMD2(b[0], b[1])), PRNGKey(words: SIMD2(b[2], b[3])))
    }

    /// `count` independent child keys; `split(count: 2)` equals `split()`.
    @inlinable
    public func split(count: Int) -> [PRNGKey] {
        precondition(count >= 0, "split(count:) needs a non-negative count")
        var out: [PRNGKey] = []
        out.reserveCapacity(count)
        var i: UInt32 = 0
        while out.count < count {
            let b = Philox4x32.block(counter: SIMD4(i, 0, 0, PRNGKey.splitTag), key: words)
            out.append(PRNGKey(words: SIMD2(b[0], b[1])))
            if out.count < count { out.append(PRNGKey(words: SIMD2(b[2], b[3]))) }
            i &+= 1
        }
        return out
    }

    /// A child key determined by `data` (a step, a tensor index, a role, …).
    @inlinable
    public func fold(in data: UInt64) -> PRNGKey {
        let b = Philox4x32.block(
            counter: SIMD4(
                UInt32(truncatingIfNeeded: data), UInt32(truncatingIfNeeded: data >> 32), 0, PRNGKey.foldTag),
            key: words)
        return PRNGKey(words: SIMD2(b[0], b[1]))
    }

    @inlinable
    public func fold(in data: Int) -> PRNGKey { fold(in: UInt64(bitPattern: Int64(data))) }

    /// Raw stream word block `n` under this key (counter `(n_lo, n_hi, 0, 0)`).
    @inlinable
    public func bits(block n: UInt64) -> SIMD4<UInt32> {
        Philox4x32.block(
            counter: SIMD4(UInt32(truncatingIfNeeded: n), UInt32(truncatingIfNeeded: n >> 32), 0, 0), key: words)
    }

    public var description: String {
        "PRNGKey(0x" + String(words[0], radix: 16) + ", 0x" + String(words[1], radix: 16) + ")"
    }
}
