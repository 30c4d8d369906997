import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Where a report's numbers come from: the exact command line, the seed, the source commit, the
/// machine and the wall time. Every report records one (report.md, report.html, report.json).
public struct Provenance: Sendable, Codable, Equatable {
    public var commandLine: [String]
    public var seed: UInt64?
    public var commit: String
    public var commitDirty: Bool
    public var machine: Machine
    public var started: String
    public var wallSeconds: Double

    public struct Machine: Sendable, Codable, Equatable {
        public var hostname: String
        public var os: String
        public var cpu: String
        public var logicalCores: Int
        public var avx512: Bool
        public var openblasCoreType: String
        public var threads: Int?
    }

    public init(
        commandLine: [String], seed: UInt64?, commit: String, commitDirty: Bool, machine: Machine,
        started: String, wallSeconds: Double
    ) {
        self.commandLine = commandLine
        self.seed = seed
        self.commit = commit
        self.commitDirty = commitDirty
        self.machine = machine
        self.started = started
        self.wallSeconds = wallSeconds
    }

    /// The command line as one shell-quoted string.
    public var command: String { commandLine.map(Self.shellQuote).joined(separator: " ") }

    static func shellQuote(_ s: String) -> String {
        if !s.isEmpty, s.allSatisfy({ $0.isLetter || $0.isNumber || "-_./=:,+@%".contains($0) }) { return s }
        return "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// Captures everything but the wall time (set by `finished(after:)`).
    public static func capture(commandLine: [String] = CommandLine.arguments, seed: UInt64?, threads: Int? = nil)
        -> Provenance
    {
        let (commit, dirty) = gitCommit()
        return Provenance(
            commandLine: commandLine, seed: seed, commit: commit, commitDirty: dirty,
            machine: machine(threads: threads), started: ISO8601DateFormatter().string(from: Date()), wallSeconds: 0)
    }

    public func finished(after seconds: Double) -> Provenance {
        var p = self
        p.wallSeconds = seconds
        return p
    }

    /// `git rev-parse HEAD` and whether tracked files differ (`git diff --quiet HEAD`); "unknown"
    /// outside a work tree or without git.
    static func gitCommit() -> (String, Bool) {
        guard let head = run("/usr/bin/env", ["git", "rev-parse", "HEAD"]), head.status == 0 else {
            return ("unknown", false)
        }
        let dirty = run("/usr/bin/env", ["git", "diff", "--quiet", "HEAD", "--"]).map { $0.status != 0 } ?? false
        return (head.output.trimmingCharacters(in: .whitespacesAndNewlines), dirty)
    }

    static func machine(threads: Int?) -> Machine {
        var host = [CChar](repeating: 0, count: 256)
        gethostname(&host, 255)
        var u = utsname()
        uname(&u)
        func field<T>(_ t: T) -> String {
            withUnsafeBytes(of: t) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        }
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model =
            cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .map { String($0.split(separator: ":", maxSplits: 1).last ?? "").trimmingCharacters(in: .whitespaces) }
            ?? "unknown"
        return Machine(
            hostname: String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self),
            os: "\(field(u.sysname)) \(field(u.release)) \(field(u.machine))", cpu: model,
            logicalCores: ProcessInfo.processInfo.activeProcessorCount,
            avx512: cpuinfo.contains(" avx512f"),
            openblasCoreType: ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] ?? "",
            threads: threads)
    }

    /// Runs a program, returning its exit status and standard output (nil when it cannot start).
    static func run(_ path: String, _ arguments: [String], cwd: URL? = nil) -> (status: Int32, output: String)? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = arguments
        if let cwd { p.currentDirectoryURL = cwd }
        let out = Pipe()
        p.standardOutput = out
        p.standardError = Pipe()
        do { try p.run() } catch { return nil }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
