/// A file-system safety operation failed: what happened, on which path, and how to fix it.
/// (ZOFiles has no dependencies; ZOReports and ZOFineTuning wrap it into their own error types.)
public struct FileSafetyError: Error, CustomStringConvertible, Equatable, Sendable {
    public var what: String
    public var path: String
    public var fix: String
    /// The pid holding a lock, when the failure is "in use".
    public var holder: Int32?

    public init(_ what: String, path: String, fix: String, holder: Int32? = nil) {
        self.what = what
        self.path = path
        self.fix = fix
        self.holder = holder
    }

    public var description: String { "\(what) (\(path)). Fix: \(fix)" }
}
