import Foundation
import Testing
import ZOFiles

#if canImport(Glibc)
    import Glibc
#endif

private func scratch(_ name: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent(
        "zofiles-\(name)-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

private func write(_ text: String, _ url: URL) throws {
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(text.utf8).write(to: url)
}

private func read(_ url: URL) -> String? { try? String(contentsOf: url, encoding: .utf8) }

@Suite struct DirectoryLockTests {
    /// A second writer (here: a second open description in the same process) is refused with the
    /// holder's pid; after release the lock file is gone and the lock can be taken again.
    @Test func aSecondWriterIsRefusedWithTheHoldersPid() throws {
        let dir = try scratch("lock")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent(".lock")
        let first = try DirectoryLock.acquire(file, what: "test directory")
        #expect(read(file) == "\(getpid())\n")
        do {
            _ = try DirectoryLock.acquire(file, what: "test directory")
            Issue.record("a second lock was granted")
        } catch {
            #expect(error.holder == getpid())
            #expect(error.description.contains("in use by pid \(getpid())"), "\(error)")
        }
        first.release()
        #expect(!FileManager.default.fileExists(atPath: file.path))
        let again = try DirectoryLock.acquire(file, what: "test directory")
        again.release()
    }

    /// A lock held by a child process that is then killed with SIGKILL is free again: the kernel
    /// drops flock locks of a dead process, and the stale lock file does not block.
    @Test func aKilledHoldersLockIsFree() throws {
        let dir = try scratch("lock-kill")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent(".lock")
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        // -o: flock itself holds the lock and `sleep` does not inherit it, so killing flock frees it.
        child.arguments = ["-o", file.path, "sleep", "30"]
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/flock") else { return }
        try child.run()
        defer { if child.isRunning { kill(child.processIdentifier, SIGKILL) } }
        var refused = false
        for _ in 0..<200 where !refused {
            usleep(20_000)
            do {
                let probe = try DirectoryLock.acquire(file, what: "test directory")
                probe.release()
            } catch { refused = true }
        }
        #expect(refused, "flock(1) never took the lock")
        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        let lock = try DirectoryLock.acquire(file, what: "test directory")
        lock.release()
    }
}

@Suite(.serialized) struct AtomicDirectoryTests {
    static func pair(_ name: String) throws -> (root: URL, staged: URL, final: URL) {
        let root = try scratch(name)
        let staged = root.appendingPathComponent(".r.partial-\(getpid())")
        let final = root.appendingPathComponent("r")
        try write("new md", staged.appendingPathComponent("report.md"))
        try write("new csv", staged.appendingPathComponent("data/a.csv"))
        try write("old md", final.appendingPathComponent("report.md"))
        try write("old csv", final.appendingPathComponent("data/a.csv"))
        try write("stale", final.appendingPathComponent("data/stale.csv"))
        return (root, staged, final)
    }

    @Test func aMissingDestinationIsRenamed() throws {
        let root = try scratch("install-new")
        defer { try? FileManager.default.removeItem(at: root) }
        let staged = root.appendingPathComponent(".x.partial-1")
        try write("a", staged.appendingPathComponent("f"))
        let method = try AtomicDirectory.install(staged, at: root.appendingPathComponent("x"))
        #expect(method == .renamed && read(root.appendingPathComponent("x/f")) == "a")
    }

    /// One atomic exchange: the new directory is in place whole, the old one removed, no stale file.
    @Test func anExistingDestinationIsExchangedAtomically() throws {
        let (root, staged, final) = try Self.pair("install-swap")
        defer { try? FileManager.default.removeItem(at: root) }
        let method = try AtomicDirectory.install(staged, at: final, commitLast: "report.md")
        #expect(method == .exchanged)
        #expect(read(final.appendingPathComponent("report.md")) == "new md")
        #expect(read(final.appendingPathComponent("data/a.csv")) == "new csv")
        #expect(!FileManager.default.fileExists(atPath: final.appendingPathComponent("data/stale.csv").path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.path) == ["r"])
    }

    /// The portable fallback gives the same result file by file.
    @Test func theFileByFileFallbackGivesTheSameResult() throws {
        let (root, staged, final) = try Self.pair("install-fallback")
        defer {
            AtomicDirectory.forceFallback = false
            try? FileManager.default.removeItem(at: root)
        }
        AtomicDirectory.forceFallback = true
        let method = try AtomicDirectory.install(staged, at: final, commitLast: "report.md")
        #expect(method == .fileByFile)
        #expect(read(final.appendingPathComponent("report.md")) == "new md")
        #expect(read(final.appendingPathComponent("data/a.csv")) == "new csv")
        #expect(!FileManager.default.fileExists(atPath: final.appendingPathComponent("data/stale.csv").path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.path) == ["r"])
    }

    /// Stale entries of dead pids go; a live pid's entry stays unless the caller holds the lock.
    @Test func removeStaleKeepsLiveWritersEntries() throws {
        let root = try scratch("stale")
        defer { try? FileManager.default.removeItem(at: root) }
        let dead = Process()
        dead.executableURL = URL(fileURLWithPath: "/bin/true")
        try dead.run()
        dead.waitUntilExit()
        let deadName = ".tmp-step-00000001-\(dead.processIdentifier)"
        let liveName = ".tmp-step-00000002-1"  // pid 1 (init) is always alive
        for name in [deadName, liveName, ".tmp-other", "step-00000001"] {
            try FileManager.default.createDirectory(
                at: root.appendingPathComponent(name), withIntermediateDirectories: true)
        }
        #expect(AtomicDirectory.removeStale(in: root, prefix: ".tmp-", underLock: false) == [deadName])
        #expect(AtomicDirectory.removeStale(in: root, prefix: ".tmp-", underLock: true) == [liveName])
        let left = try FileManager.default.contentsOfDirectory(atPath: root.path).sorted()
        #expect(left == [".tmp-other", "step-00000001"])
    }

    @Test func pidsAreReadFromTheNameEnd() {
        #expect(ProcessLiveness.pid(inName: ".bias-vs-epsilon.partial-123", prefix: ".bias-vs-epsilon.partial-") == 123)
        #expect(ProcessLiveness.pid(inName: ".tmp-step-00000010-77", prefix: ".tmp-") == 77)
        #expect(ProcessLiveness.pid(inName: ".tmp-step-x", prefix: ".tmp-") == nil)
        #expect(ProcessLiveness.pid(inName: "report", prefix: ".tmp-") == nil)
    }
}
