/// The element types a parameter buffer can hold: `Float` (the transformer) and `Double`
/// (synthetic checks, where rounding must not hide a 1e-12 property).
///
/// The requirements route the hot fills to a type-specific implementation so that generic
/// code stays fast after specialisation.
public protocol ZOScalar: BinaryFloatingPoint, Codable, Sendable, CustomStringConvertible
where Self.RawSignificand: FixedWidthInteger {
    /// Fill `buffer[i]` with element `offset + i` of the standard-normal stream under `key`.
    static func fillGaussian(_ buffer: UnsafeMutableBufferPointer<Self>, key: PRNGKey, offset: Int)
    /// Fill `buffer[i]` with element `offset + i` of the uniform [0, 1) stream under `key`.
    static func fillUniform(_ buffer: UnsafeMutableBufferPointer<Self>, key: PRNGKey, offset: Int)
    /// A short name for reports ("f32", "f64").
    static var dtypeName: String { get }
}

extension Float: ZOScalar {
    @inlinable
    public static func fillGaussian(_ buffer: UnsafeMutableBufferPointer<Float>, key: PRNGKey, offset: Int) {
        RandomFill.gaussianFloat(buffer, key: key, offset: offset)
    }
    @inlinable
    public static func fillUniform(_ buffer: UnsafeMutableBufferPointer<Float>, key: PRNGKey, offset: Int) {
        RandomFill.uniformFloat(buffer, key: key, offset: offset)
    }
    public static var dtypeName: String { "f32" }
}

extension Double: ZOScalar {
    @inlinable
    public static func fillGaussian(_ buffer: UnsafeMutableBufferPointer<Double>, key: PRNGKey, offset: Int) {
        RandomFill.gaussianDouble(buffer, key: key, offset: offset)
    }
    @inlinable
    public static func fillUniform(_ buffer: UnsafeMutableBufferPointer<Double>, key: PRNGKey, offset: Int) {
        RandomFill.uniformDouble(buffer, key: key, offset: offset)
    }
    public static var dtypeName: String { "f64" }
}
