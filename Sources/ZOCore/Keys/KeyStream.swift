/// A named sub-stream of a key: `key.fold(in: .draws)` folds in the stream's number (2 for the claims'
/// draws), written once, where the stream is defined, next to what it feeds.
///
/// Every module declares its streams in one place, as static members of `KeyStream` (internal to the
/// module, so names never clash across modules); numbered families (`.seedRun(s)` for `100 + s`) are
/// static functions. The numbers are the ones the suite has always used, so every draw keeps its bits.
/// Indices may repeat between streams that never share a parent key (two different claims, say); under
/// one parent key, distinct streams have distinct indices. Folds by data (a draw index k, a step t, a
/// tensor t) stay plain `fold(in: k)`. The table of all streams is Proofs/rng.md#key-streams.
///
/// ZOCore's own derivations are `PerturbationKey` (role, index, tensor: `DrawRole`) and
/// `ZOEstimator.sampleKey` (`DrawRole.sample`, then the sample index).
public struct KeyStream: Sendable, Hashable, CustomStringConvertible {
    /// The datum folded in (`PRNGKey.fold(in:)`).
    public let index: UInt64
    /// What the stream feeds, for tables and messages.
    public let name: String

    /// `index` as `fold(in: Int)` reads it (two's complement for negative values).
    public init(_ name: String, _ index: Int) {
        self.name = name
        self.index = UInt64(bitPattern: Int64(index))
    }

    public var description: String { "\(name) (\(Int64(bitPattern: index)))" }
}

extension PRNGKey {
    /// The child key of a named stream: `fold(in: stream.index)`.
    @inlinable
    public func fold(in stream: KeyStream) -> PRNGKey { fold(in: stream.index) }
}
