import Foundation
import Testing
import ZOReports

@Suite struct ReportWriterTests {
    static func sample(failingFigure: Bool = false) -> Report {
        var d = Dataset(
            name: "points", description: "x and y",
            columns: [Column("x", unit: "s", "time"), Column("y", "value"), Column("tag", "label")])
        d.append([.number(1), .number(0.5), .text("a,b")])
        d.append([.number(2), .number(.nan), .text("c")])
        let f = Figure(
            name: failingFigure ? "bad name!" : "fig", title: "y vs x", xLabel: "x (s)", yLabel: "y", logY: true,
            caption: "test",
            series: [Series("y", style: .band, x: [1, 2], y: [0.5, 0.7], lower: [0.4, 0.6], upper: [0.6, 0.8])])
        return Report(
            name: "sample", title: "Sample", claims: ["X"], summary: ["**bold** and `code`"],
            headlines: [Headline("h", 1.5, unit: "s")], datasets: [d], figures: [f])
    }

    static func tempRoot() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent(
            "zocheck-report-\(UUID().uuidString)", isDirectory: true)
    }

    @Test func writesEveryPartAndTheCSVRoundTrips() throws {
        let root = Self.tempRoot()
        defer { try? FileManager.default.removeItem(at: root) }
        let p = Provenance.capture(commandLine: ["zocheck", "x", "--seed", "7"], seed: 7).finished(after: 1.25)
        let written = try ReportWriter(root: root, gnuplot: nil).write(Self.sample(), provenance: p)
        let dir = written.directory
        for file in ["report.md", "report.html", "report.json", "data/points.csv", "data/points.json", "plots/fig.gp"] {
            #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent(file).path), "missing \(file)")
        }
        let csv = try String(contentsOf: dir.appendingPathComponent("data/points.csv"), encoding: .utf8)
        #expect(csv == "x,y,tag\n1,0.5,\"a,b\"\n2,nan,c\n")
        let doc = try JSONDecoder().decode(
            ReportWriter.Document.self, from: Data(contentsOf: dir.appendingPathComponent("report.json")))
        #expect(doc.report.datasets[0].rows[0][1] == .number(0.5))
        #expect(doc.report.datasets[0].rows[1][1].number?.isNaN == true)
        #expect(doc.provenance.seed == 7 && doc.provenance.wallSeconds == 1.25)
        let md = try String(contentsOf: dir.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(md.contains("zocheck x --seed 7") && md.contains("gnuplot not found"))
        let html = try String(contentsOf: dir.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(html.contains("<strong>bold</strong>") && html.contains("<code>code</code>"))
    }

    @Test func rendersPNGAndSVGAndEmbedsThePNG() throws {
        guard let gnuplot = Gnuplot.executable() else {
            print("gnuplot not installed: skipping rendering (the scripts are still tested above)")
            return
        }
        let root = Self.tempRoot()
        defer { try? FileManager.default.removeItem(at: root) }
        let written = try ReportWriter(root: root, gnuplot: gnuplot).write(
            Self.sample(), provenance: Provenance.capture(seed: 1))
        #expect(written.rendered == ["fig"] && written.renderProblems.isEmpty)
        let png = try Data(contentsOf: written.directory.appendingPathComponent("plots/fig.png"))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        let svg = try String(contentsOf: written.directory.appendingPathComponent("plots/fig.svg"), encoding: .utf8)
        #expect(svg.contains("<svg"))
        let html = try String(contentsOf: written.directory.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(html.contains("data:image/png;base64,iVBOR"))
    }

    @Test func aFailedWriteLeavesThePreviousReportAndNoPartialDirectory() throws {
        let root = Self.tempRoot()
        defer { try? FileManager.default.removeItem(at: root) }
        let writer = ReportWriter(root: root, gnuplot: nil)
        try writer.write(Self.sample(), provenance: Provenance.capture(seed: 1))
        let before = try Data(contentsOf: root.appendingPathComponent("sample/report.json"))
        #expect(throws: ReportError.self) {
            try writer.write(Self.sample(failingFigure: true), provenance: Provenance.capture(seed: 2))
        }
        let after = try Data(contentsOf: root.appendingPathComponent("sample/report.json"))
        #expect(before == after)
        let entries = try FileManager.default.contentsOfDirectory(atPath: root.path)
        #expect(entries == ["sample"], "left behind: \(entries)")
    }

    @Test func aRewriteReplacesTheWholeDirectory() throws {
        let root = Self.tempRoot()
        defer { try? FileManager.default.removeItem(at: root) }
        let writer = ReportWriter(root: root, gnuplot: nil)
        try writer.write(Self.sample(), provenance: Provenance.capture(seed: 1))
        try Data("stale".utf8).write(to: root.appendingPathComponent("sample/data/stale.csv"))
        var second = Self.sample()
        second.title = "Second"
        try writer.write(second, provenance: Provenance.capture(seed: 2))
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("sample/data/stale.csv").path))
        let md = try String(contentsOf: root.appendingPathComponent("sample/report.md"), encoding: .utf8)
        #expect(md.hasPrefix("# Second"))
    }

    @Test func gnuplotScriptHasDataBlocksLogScaleAndBothTerminals() {
        let s = Gnuplot.script(Self.sample().figures[0])
        #expect(s.contains("$s0 << EOD\n1 0.5 0.4 0.6\n2 0.7 0.6 0.8\nEOD"))
        #expect(s.contains("set logscale y") && !s.contains("set logscale x"))
        #expect(s.contains("filledcurves") && s.contains("set terminal pngcairo") && s.contains("set terminal svg"))
    }
}

extension ReportWriterTests {
    /// A figure with NaN and ∞ points still writes report.json, and `ReportWriter.decoder` reads them back.
    @Test func nonFiniteFigurePointsRoundTrip() throws {
        let root = Self.tempRoot()
        defer { try? FileManager.default.removeItem(at: root) }
        var r = Self.sample()
        r.figures[0].series[0].y = [.nan, .infinity]
        let written = try ReportWriter(root: root, gnuplot: nil).write(r, provenance: Provenance.capture(seed: 3))
        let doc = try ReportWriter.decoder.decode(
            ReportWriter.Document.self, from: Data(contentsOf: written.directory.appendingPathComponent("report.json")))
        let y = doc.report.figures[0].series[0].y
        #expect(y[0].isNaN && y[1] == .infinity)
        #expect(Gnuplot.script(r.figures[0]).contains("1 nan 0.4 0.6"))
    }
}

/// Crash safety (issue 15): one writer per report, recovery of what killed runs left.
extension ReportWriterTests {
    @Test func aSecondWriterIsRefusedWithThePid() throws {
        let root = Self.tempRoot()
        defer { try? FileManager.default.removeItem(at: root) }
        let writer = ReportWriter(root: root, gnuplot: nil)
        let lock = try writer.lock("sample")
        do {
            try writer.write(Self.sample(), provenance: Provenance.capture(seed: 1))
            Issue.record("a second writer was let in")
        } catch let error as ReportError {
            #expect(error.description.contains("in use by pid \(getpid())"), "\(error)")
        }
        try writer.write(Self.sample(), provenance: Provenance.capture(seed: 2), holding: lock)
        lock.release()
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.path) == ["sample"])
    }

    /// A previous report stranded in `.sample.old-<pid>` by the two-rename scheme (killed between
    /// the renames) is moved back, so that even a failing next write leaves it visible; partial
    /// directories of dead or other processes are removed.
    @Test func aStrandedReportIsRecoveredAndPartialsAreRemoved() throws {
        let root = Self.tempRoot()
        defer { try? FileManager.default.removeItem(at: root) }
        let writer = ReportWriter(root: root, gnuplot: nil)
        try writer.write(Self.sample(), provenance: Provenance.capture(seed: 5))
        let fm = FileManager.default
        try fm.moveItem(at: root.appendingPathComponent("sample"), to: root.appendingPathComponent(".sample.old-4242"))
        try fm.createDirectory(
            at: root.appendingPathComponent(".sample.partial-4243"), withIntermediateDirectories: true)
        try fm.createDirectory(at: root.appendingPathComponent(".sample.partial-1"), withIntermediateDirectories: true)
        #expect(throws: ReportError.self) {
            try writer.write(Self.sample(failingFigure: true), provenance: Provenance.capture(seed: 6))
        }
        #expect(try fm.contentsOfDirectory(atPath: root.path) == ["sample"])
        let doc = try JSONDecoder().decode(
            ReportWriter.Document.self, from: Data(contentsOf: root.appendingPathComponent("sample/report.json")))
        #expect(doc.provenance.seed == 5)
    }

    /// A rewrite never shows a missing report: the exchange leaves <name> complete at every instant
    /// (checked by a reader polling while 20 rewrites run).
    @Test func aReaderAlwaysSeesACompleteReport() throws {
        let root = Self.tempRoot()
        defer { try? FileManager.default.removeItem(at: root) }
        let writer = ReportWriter(root: root, gnuplot: nil)
        try writer.write(Self.sample(), provenance: Provenance.capture(seed: 0))
        let md = root.appendingPathComponent("sample/report.md").path
        let done = ManagedAtomicFlag()
        let reader = Thread {
            var misses = 0
            while !done.isSet { if !FileManager.default.fileExists(atPath: md) { misses += 1 } }
            done.record(misses)
        }
        reader.start()
        for seed in 1...20 { try writer.write(Self.sample(), provenance: Provenance.capture(seed: UInt64(seed))) }
        done.set()
        while done.result == nil { usleep(1000) }
        #expect(done.result == 0, "report.md was missing \(done.result ?? -1) times")
    }
}

/// A flag and a result shared with a reader thread.
final class ManagedAtomicFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var flag = false
    private var value: Int?
    var isSet: Bool { lock.withLock { flag } }
    var result: Int? { lock.withLock { value } }
    func set() { lock.withLock { flag = true } }
    func record(_ v: Int) { lock.withLock { value = v } }
}
