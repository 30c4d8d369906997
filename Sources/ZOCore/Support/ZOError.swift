/// An actionable error: what was wrong, where, and how to fix it. Bad input never traps.
public struct ZOError: Error, CustomStringConvertible, Equatable, Sendable {
    public var what: String
    public var location: String
    public var fix: String

    public init(_ what: String, at location: String, fix: String) {
        self.what = what
        self.location = location
        self.fix = fix
    }

    public var description: String { "\(what) (in \(location)). Fix: \(fix)" }
}

/// Argument checks shared by every estimator, so that messages are uniform.
public enum Check {
    public static func positive(_ value: Double, _ name: String, at location: String, fix: String? = nil)
        throws(ZOError)
    {
        guard value.isFinite, value > 0 else {
            throw ZOError(
                "\(name) must be a finite number > 0, got \(value)", at: location,
                fix: fix ?? "pass a positive \(name)")
        }
    }

    public static func positive(_ value: Int, _ name: String, at location: String, fix: String? = nil) throws(ZOError) {
        guard value > 0 else {
            throw ZOError("\(name) must be ≥ 1, got \(value)", at: location, fix: fix ?? "pass \(name) ≥ 1")
        }
    }

    public static func finiteLoss(_ value: Double, at location: String) throws(ZOError) {
        guard value.isFinite else {
            throw ZOError(
                "the objective returned a non-finite loss (\(value))", at: location,
                fix: "lower the learning rate or ε, or check the objective for overflow at the current parameters")
        }
    }
}
