import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An exclusive, non-blocking `flock(2)` on a lock file that guards one directory (a report
/// directory, a checkpoint directory) against a second writer.
///
/// The lock file holds the owner's pid (so that the loser can say "in use by pid N") and is
/// removed on release. Hazard: removing a lock file races with a process that opened it just
/// before the removal and then locks the orphaned inode; `acquire` therefore checks after
/// locking that the path still names the inode it locked (`fstat` against `stat`) and retries
/// otherwise — the usual pattern for unlinked lock files. The kernel drops the lock when the
/// process dies (kill -9 included), so a stale lock file never blocks the next run.
public final class DirectoryLock: @unchecked Sendable {
    /// The lock file.
    public let path: String
    private let lock = NSLock()
    private var fd: Int32

    private init(path: String, fd: Int32) {
        self.path = path
        self.fd = fd
    }

    deinit { release() }

    /// Locks `lockFile` (created when missing; its directory must exist) for `what` (a phrase for
    /// the error, e.g. "report directory reports/verify"). Throws `FileSafetyError` with the
    /// holder's pid when another open description holds the lock — another process, or another
    /// writer of the same directory in this process.
    public static func acquire(_ lockFile: URL, what: String) throws(FileSafetyError) -> DirectoryLock {
        let path = lockFile.path
        for _ in 0..<100 {
            let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard fd >= 0 else {
                let e = errno
                throw FileSafetyError(
                    "cannot open the lock file of the \(what): \(String(cString: strerror(e)))", path: path,
                    fix: "make the directory writable, or choose another one")
            }
            if flock(fd, LOCK_EX | LOCK_NB) != 0 {
                let e = errno
                // The holder writes its pid just after locking: give it a moment before saying
                // "another process" (a loser that starts together with the winner reads an empty file).
                var holder = Self.readPid(fd)
                for _ in 0..<50 where holder == nil && (e == EWOULDBLOCK || e == EAGAIN) {
                    usleep(2_000)
                    holder = Self.readPid(fd)
                }
                close(fd)
                guard e == EWOULDBLOCK || e == EAGAIN else {
                    throw FileSafetyError(
                        "cannot lock the \(what): \(String(cString: strerror(e)))", path: path,
                        fix: "use a local file system that supports flock(2)")
                }
                let who = holder.map { "pid \($0)" } ?? "another process"
                throw FileSafetyError(
                    "the \(what) is in use by \(who)\(holder == getpid() ? " (this process)" : "")", path: path,
                    fix: "wait until that run finishes, or write somewhere else", holder: holder)
            }
            var held = stat()
            var named = stat()
            guard fstat(fd, &held) == 0, stat(path, &named) == 0, held.st_ino == named.st_ino,
                held.st_dev == named.st_dev
            else {
                close(fd)  // the file was removed (or replaced) between open and flock: try again
                continue
            }
            let text = Array("\(getpid())\n".utf8)
            _ = ftruncate(fd, 0)
            _ = text.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
            return DirectoryLock(path: path, fd: fd)
        }
        throw FileSafetyError(
            "the lock file of the \(what) keeps being replaced", path: path,
            fix: "stop the other process that removes it, then retry")
    }

    /// Removes the lock file and releases the lock (idempotent).
    public func release() {
        lock.lock()
        defer { lock.unlock() }
        guard fd >= 0 else { return }
        unlink(path)
        close(fd)
        fd = -1
    }

    /// The pid written in an open lock file, if it reads as one.
    static func readPid(_ fd: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 31, 0) }
        guard n > 0 else { return nil }
        let text = String(decoding: buffer[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return Int32(text)
    }
}

/// Process liveness for stale-file cleanup.
public enum ProcessLiveness {
    /// False only when no process `pid` exists (`kill(pid, 0)` fails with ESRCH); a live process of
    /// another user (EPERM) counts as alive.
    public static func isAlive(_ pid: Int32) -> Bool {
        guard pid > 0 else { return false }
        if kill(pid, 0) == 0 { return true }
        return errno != ESRCH
    }

    /// The pid of a name `<prefix>…-<pid>` (digits after the last "-"), else nil.
    public static func pid(inName name: String, prefix: String) -> Int32? {
        guard name.hasPrefix(prefix), let dash = name.lastIndex(of: "-"),
            name.distance(from: name.startIndex, to: dash) >= prefix.count - 1
        else { return nil }
        let digits = name[name.index(after: dash)...]
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int32(digits)
    }
}
