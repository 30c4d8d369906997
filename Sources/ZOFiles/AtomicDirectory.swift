import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Puts a completely written directory in place of another so that the destination path always
/// names a complete directory: the previous one until the commit point, the new one after.
///
/// - Destination missing: `rename(2)` (atomic).
/// - Destination present: one atomic exchange of the two names — Linux `renameat2(…,
///   RENAME_EXCHANGE)` (glibc ≥ 2.28; looked up with `dlsym` because Glibc's module does not
///   export it), Darwin `renamex_np(…, RENAME_SWAP)` — after which the staged path holds the
///   previous directory, which is then removed. A process killed after the exchange leaves that
///   previous directory under the staged name; `removeStale` deletes it on the next run.
/// - File systems without an exchange (EINVAL, ENOSYS, ENOTSUP): the portable fallback moves
///   the staged files over the destination's one by one (`rename(2)` of a file over a file is
///   atomic), `commitLast` last, then deletes the destination's files the new set lacks. The
///   destination stays a visible directory of complete files throughout; a kill in the middle
///   leaves a mix of old and new files (never a missing or half-written file), which the next
///   write replaces.
public enum AtomicDirectory {
    /// How `install` replaced the destination (for tests and logs).
    public enum Method: String, Sendable {
        case renamed, exchanged, fileByFile
    }

    /// Test hook: when true, `install` skips the exchange and uses the portable fallback.
    nonisolated(unsafe) public static var forceFallback = false

    /// Installs `staged` at `destination` (same parent file system); see the type's comment.
    @discardableResult
    public static func install(_ staged: URL, at destination: URL, commitLast: String? = nil)
        throws(FileSafetyError) -> Method
    {
        let (from, to) = (staged.path, destination.path)
        var info = stat()
        if lstat(to, &info) != 0, errno == ENOENT {
            guard rename(from, to) == 0 else { throw failure("rename", from, to, errno) }
            return .renamed
        }
        if !forceFallback {
            let status = exchange(from, to)
            if status == 0 {
                try? FileManager.default.removeItem(atPath: from)
                return .exchanged
            }
            guard [EINVAL, ENOSYS, ENOTSUP, EOPNOTSUPP].contains(status) else {
                throw failure("exchange", from, to, status)
            }
        }
        try moveFiles(from: staged, to: destination, commitLast: commitLast)
        try? FileManager.default.removeItem(atPath: from)
        return .fileByFile
    }

    /// Atomically exchanges two paths; 0 or the errno (ENOSYS when the platform has no exchange).
    static func exchange(_ a: String, _ b: String) -> Int32 {
        #if os(Linux)
            typealias RenameAt2 =
                @convention(c) (
                    Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32
                ) -> Int32
            guard let symbol = dlsym(nil, "renameat2") else { return ENOSYS }
            let renameat2 = unsafeBitCast(symbol, to: RenameAt2.self)
            let renameExchange: UInt32 = 1 << 1  // RENAME_EXCHANGE in <linux/fs.h>
            return renameat2(AT_FDCWD, a, AT_FDCWD, b, renameExchange) == 0 ? 0 : errno
        #elseif canImport(Darwin)
            return renamex_np(a, b, UInt32(RENAME_SWAP)) == 0 ? 0 : errno
        #else
            return ENOSYS
        #endif
    }

    /// The fallback: every file of `staged` renamed over its counterpart, `commitLast` last; then
    /// the destination's files and directories that the new set lacks are removed.
    static func moveFiles(from staged: URL, to destination: URL, commitLast: String?) throws(FileSafetyError) {
        let fm = FileManager.default
        let root = staged.standardizedFileURL.path
        var files: [String] = []
        var directories: [String] = []
        if let walker = fm.enumerator(atPath: root) {
            while let relative = walker.nextObject() as? String {
                var isDirectory: ObjCBool = false
                _ = fm.fileExists(atPath: root + "/" + relative, isDirectory: &isDirectory)
                if isDirectory.boolValue { directories.append(relative) } else { files.append(relative) }
            }
        }
        if let commitLast, let k = files.firstIndex(of: commitLast) { files.append(files.remove(at: k)) }
        for relative in directories.sorted() {
            let target = destination.appendingPathComponent(relative).path
            var isDirectory: ObjCBool = false
            if fm.fileExists(atPath: target, isDirectory: &isDirectory), !isDirectory.boolValue {
                try? fm.removeItem(atPath: target)
            }
            do { try fm.createDirectory(atPath: target, withIntermediateDirectories: true) } catch {
                throw FileSafetyError(
                    "cannot create \(relative) in the destination", path: target,
                    fix: "check the directory's permissions and free space")
            }
        }
        for relative in files {
            let (from, to) = (root + "/" + relative, destination.appendingPathComponent(relative).path)
            guard rename(from, to) == 0 else { throw failure("rename", from, to, errno) }
        }
        let keep = Set(files + directories)
        let existing = (fm.enumerator(atPath: destination.path)?.allObjects as? [String]) ?? []
        for relative in existing.sorted(by: >) where !keep.contains(relative) {
            try? fm.removeItem(atPath: destination.appendingPathComponent(relative).path)
        }
    }

    /// Removes `<parent>/<prefix><pid>` entries whose pid is not a running process, and those of
    /// any pid except this one when the caller holds the directory's lock (`underLock`): then no
    /// live writer can own them. Returns the names removed.
    @discardableResult
    public static func removeStale(in parent: URL, prefix: String, underLock: Bool) -> [String] {
        let fm = FileManager.default
        let me = getpid()
        var removed: [String] = []
        for name in (try? fm.contentsOfDirectory(atPath: parent.path)) ?? [] {
            guard let pid = ProcessLiveness.pid(inName: name, prefix: prefix), pid != me,
                underLock || !ProcessLiveness.isAlive(pid)
            else { continue }
            if (try? fm.removeItem(at: parent.appendingPathComponent(name))) != nil { removed.append(name) }
        }
        return removed.sorted()
    }

    private static func failure(_ operation: String, _ from: String, _ to: String, _ code: Int32) -> FileSafetyError {
        FileSafetyError(
            "cannot \(operation) \(from) and \(to): \(String(cString: strerror(code)))", path: to,
            fix: "check the directory's permissions and free space")
    }
}
