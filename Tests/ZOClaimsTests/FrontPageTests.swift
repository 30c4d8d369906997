import Foundation
import Testing
import ZOCheck

/// The front page stays in step with the catalog and the documentation: README.md names every claim
/// id of `Catalog.standard` (its claim table), and every relative link in README.md and docs/*.md
/// points at a file that exists and, for `file.md#anchor`, at an anchor that file defines.
@Suite struct FrontPageTests {
    @Test func readmeNamesEveryCatalogClaim() throws {
        let readme = try #require(ProofAnchorTests.read("README.md"), "README.md is missing")
        let missing = Catalog.standard.claims.map(\.id).filter { !ProofAnchorTests.mentions(readme, id: $0) }
        #expect(missing.isEmpty, "README.md's claim table does not name: \(missing)")
    }

    /// Relative Markdown links `[text](path)` and `[text](path#anchor)` outside fenced code.
    static func relativeLinks(in text: String) -> [String] {
        var links: [String] = []
        var inFence = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.trimmingCharacters(in: .whitespaces).hasPrefix("```") {
                inFence.toggle()
                continue
            }
            if inFence { continue }
            var rest = Substring(line)
            while let open = rest.range(of: "](") {
                let after = rest[open.upperBound...]
                guard let close = after.firstIndex(of: ")") else { break }
                let target = String(after[..<close])
                rest = after[close...]
                if !target.contains("://"), !target.hasPrefix("mailto:") { links.append(target) }
            }
        }
        return links
    }

    @Test func readmeAndDocsLinksResolve() throws {
        let docs = ProofAnchorTests.root.appendingPathComponent("docs")
        let pages = try FileManager.default.contentsOfDirectory(atPath: docs.path).filter { $0.hasSuffix(".md") }
        #expect(!pages.isEmpty, "docs/ has no Markdown pages")
        var broken: [String] = []
        for page in ["README.md"] + pages.sorted().map({ "docs/" + $0 }) {
            let text = try #require(ProofAnchorTests.read(page))
            let directory = page.lastIndex(of: "/").map { String(page[...$0]) } ?? ""
            for link in Self.relativeLinks(in: text) {
                let parts = link.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
                let path = parts[0].isEmpty ? page : directory + parts[0]
                let target = ProofAnchorTests.root.appendingPathComponent(path).standardized
                guard FileManager.default.fileExists(atPath: target.path) else {
                    broken.append("\(page) → \(link) (no such file)")
                    continue
                }
                guard parts.count == 2 else { continue }
                let targetText = (try? String(contentsOf: target, encoding: .utf8)) ?? ""
                if !ProofAnchorTests.anchors(in: targetText).contains(parts[1]) {
                    broken.append("\(page) → \(link) (no such anchor)")
                }
            }
        }
        #expect(broken.isEmpty, "broken links: \(broken)")
    }
}
