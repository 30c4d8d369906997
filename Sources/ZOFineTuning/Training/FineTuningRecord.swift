import Foundation
import ZOCore
import ZOModel

// The JSON record of a fine-tuning run, the machine it ran on, the process's memory, and
// atomic JSON files.

/// The JSON record of one `zocheck finetune` run (schema: README "Fine-tuning").
public struct FineTuneRecord: Codable, Sendable {
    public static let formatName = "zocheck-finetune-run/1"
    public var format = formatName
    public var command: [String]
    public var seed: UInt64
    public var config: FineTuneConfig
    public var machine: MachineInfo
    public var parameterCount: Int
    /// Examples in the train, dev and test splits (dev/test evaluations may use fewer: `config.evalLimit`).
    public var splitSizes: [String: Int]
    public var steps: [StepRecord]
    public var evaluations: [EvaluationRecord]
    /// Mean and median wall seconds per training step (evaluations and checkpoints excluded).
    public var meanSecondsPerStep: Double
    public var medianSecondsPerStep: Double
    /// Wall seconds of this process's run (resumed runs: since the resume).
    public var totalSeconds: Double
    /// VmHWM of this process at the end (bytes): the peak resident set, evaluations included.
    public var peakRSSBytes: Int?
    /// Completed steps of the checkpoint this run resumed from.
    public var resumedFromStep: Int?
    public var checkpoints: [String]

    public var before: EvaluationRecord? { evaluations.first { $0.completedSteps == 0 } }
    public var after: EvaluationRecord? { evaluations.last }

    public static func secondsPerStep(_ steps: [StepRecord]) -> (mean: Double, median: Double) {
        guard !steps.isEmpty else { return (0, 0) }
        let s = steps.map(\.seconds).sorted()
        let mid = s.count / 2
        return (s.reduce(0, +) / Double(s.count), s.count % 2 == 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2)
    }
}

/// Where a run ran: enough to compare timings.
public struct MachineInfo: Codable, Sendable, Equatable {
    public var hostname: String
    public var operatingSystem: String
    public var cpuModel: String
    public var logicalCores: Int
    public var memoryBytes: UInt64
    public var blasThreads: Int
    /// OPENBLAS_CORETYPE as set in the environment ("" when unset).
    public var openBLASCoreType: String

    public static var current: MachineInfo {
        let info = ProcessInfo.processInfo
        let cpu =
            (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("model name") }
            .map { $0.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "" }
            ?? "unknown"
        return MachineInfo(
            hostname: info.hostName, operatingSystem: info.operatingSystemVersionString, cpuModel: cpu,
            logicalCores: info.activeProcessorCount, memoryBytes: info.physicalMemory,
            blasThreads: BLASThreads.current, openBLASCoreType: info.environment["OPENBLAS_CORETYPE"] ?? "")
    }
}

/// The process's resident memory, from /proc/self/status (Linux; nil elsewhere).
public enum ProcessMemory {
    /// VmHWM: the peak resident set size since start (or since `resetPeak()`), in bytes.
    public static var peakResidentBytes: Int? { field("VmHWM:") }
    /// VmRSS: the current resident set size, in bytes.
    public static var residentBytes: Int? { field("VmRSS:") }

    /// Resets VmHWM to the current VmRSS (writes "5" to /proc/self/clear_refs, Linux ≥ 4.0), so a
    /// later `peakResidentBytes` measures only what follows. Returns false where unsupported.
    @discardableResult
    public static func resetPeak() -> Bool {
        guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? handle.close() }
        do { try handle.write(contentsOf: Data("5".utf8)) } catch { return false }
        return true
    }

    static func field(_ name: String) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(name) {
            // "VmHWM:\t  123456 kB"
            let parts = line.dropFirst(name.count).split(whereSeparator: { $0 == " " || $0 == "\t" })
            if let kb = parts.first.flatMap({ Int($0) }) { return kb * 1024 }
        }
        return nil
    }
}

/// JSON files for records and checkpoints: sorted keys, non-finite numbers as strings, atomic writes.
public enum RunFiles {
    static func encoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        e.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return e
    }

    static func decoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return d
    }

    /// Encodes and writes atomically (temporary file + rename), creating the parent directory.
    public static func writeJSON<V: Encodable>(_ value: V, to url: URL) throws(ZOError) {
        do {
            let data = try encoder().encode(value)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: url, options: .atomic)
        } catch {
            throw ZOError(
                "cannot write \(url.path): \(error.localizedDescription)", at: "RunFiles.writeJSON",
                fix: "check that the directory is writable and the disk has space")
        }
    }

    /// A decoding error in one line: the coding path and what was wrong (no Foundation dump).
    static func describe(_ error: Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        switch error {
        case .keyNotFound(let key, let context):
            let path = (context.codingPath + [key]).map(\.stringValue).joined(separator: ".")
            return "missing key \"\(path)\""
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return "\(path.isEmpty ? "" : path + ": ")\(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }

    public static func readJSON<V: Decodable>(_ url: URL, as type: V.Type = V.self) throws(ZOError) -> V {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ZOError("cannot read \(url.path)", at: "RunFiles.readJSON", fix: "check the path")
        }
        do { return try decoder().decode(V.self, from: data) } catch {
            throw ZOError(
                "\(url.path) is not a valid \(V.self) JSON file: \(describe(error))", at: "RunFiles.readJSON",
                fix: "pass a file written by zocheck (a damaged checkpoint: resume from an earlier one)")
        }
    }
}
