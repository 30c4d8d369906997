import Foundation

/// Number formatting for verdict details and reports.
public enum TextFormat {
    /// `x` with `digits` digits after the point.
    public static func fixed(_ x: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", x) }
}
