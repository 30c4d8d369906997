import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Overflow-checked size arithmetic and a memory estimate checked before large allocations.
///
/// Hazard: `[T](repeating:count:)` with a count from user input or a loaded file traps on an
/// overflowing `count * MemoryLayout<T>.stride`, and a merely huge count aborts the process inside
/// the allocator (or is killed by the OOM killer) after minutes of work. Every size derived from
/// outside input is therefore formed with `product` (a ZOError on overflow) and compared with the
/// machine's memory by `check` before anything is allocated.
public enum MemoryBudget {
    /// The memory a process may use: physical RAM, or the cgroup limit (v2 `memory.max`, v1
    /// `memory.limit_in_bytes`) when lower. `ZOCHECK_MEMORY_LIMIT` (bytes) overrides both.
    public static var limitBytes: Int {
        if let text = ProcessInfo.processInfo.environment["ZOCHECK_MEMORY_LIMIT"], let v = Int(text), v > 0 {
            return v
        }
        var limit = Int(clamping: ProcessInfo.processInfo.physicalMemory)
        for path in ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"] {
            if let text = try? String(contentsOfFile: path, encoding: .utf8),
                let v = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)), v > 0
            {
                limit = min(limit, v)
            }
        }
        return limit
    }

    /// ∏ factors, or a ZOError naming `what` when the product overflows Int (or a factor is negative).
    public static func product(_ factors: [Int], _ what: String, at location: String, fix: String) throws(ZOError)
        -> Int
    {
        var p = 1
        for f in factors {
            guard f >= 0 else { throw ZOError("\(what): a size factor is negative (\(f))", at: location, fix: fix) }
            let (q, overflow) = p.multipliedReportingOverflow(by: f)
            guard !overflow else {
                throw ZOError(
                    "\(what): \(factors.map(String.init).joined(separator: " × ")) overflows a 64-bit size",
                    at: location, fix: fix)
            }
            p = q
        }
        return p
    }

    /// Σ terms, or a ZOError on overflow.
    public static func sum(_ terms: [Int], _ what: String, at location: String, fix: String) throws(ZOError) -> Int {
        var s = 0
        for t in terms {
            let (u, overflow) = s.addingReportingOverflow(t)
            guard !overflow, t >= 0 else {
                throw ZOError("\(what): the total size overflows a 64-bit size", at: location, fix: fix)
            }
            s = u
        }
        return s
    }

    /// Throws unless an allocation of `bytes` (the caller's estimate of its peak) fits in
    /// `limit` (default `limitBytes`); the message gives both in GiB.
    public static func check(_ bytes: Int, _ what: String, at location: String, fix: String, limit: Int? = nil)
        throws(ZOError)
    {
        let limit = limit ?? limitBytes
        guard bytes <= limit else {
            throw ZOError(
                "\(what) needs about \(gib(bytes)) of memory; this machine allows \(gib(limit))", at: location,
                fix: fix)
        }
    }

    /// `count` elements of `T`, overflow-checked and checked against the memory limit: the bytes.
    @discardableResult
    public static func check<T>(
        _ count: Int, of type: T.Type, _ what: String, at location: String, fix: String, limit: Int? = nil
    ) throws(ZOError) -> Int {
        let bytes = try product([count, MemoryLayout<T>.stride], what, at: location, fix: fix)
        try check(bytes, what, at: location, fix: fix, limit: limit)
        return bytes
    }

    static func gib(_ bytes: Int) -> String { String(format: "%.2f GiB", Double(bytes) / 1_073_741_824) }
}
