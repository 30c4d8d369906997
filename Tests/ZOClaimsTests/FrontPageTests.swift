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

/// The README's Swift snippets are copies of `// README-SNIPPET: <name>` regions of Examples/ (which CI
/// compiles and tests against a tagged ZOCheck), so they cannot rot: each `<!-- snippet: <name> -->`
/// block must equal its region, dedented (`scripts/readme-snippets.py` rewrites them).
@Suite struct ReadmeSnippetTests {
    static func regions() throws -> [String: String] {
        let examples = ProofAnchorTests.root.appendingPathComponent("Examples")
        var out: [String: String] = [:]
        let files = FileManager.default.enumerator(atPath: examples.path)?.compactMap { $0 as? String } ?? []
        for file in files where file.hasSuffix(".swift") && !file.contains(".build/") {
            let text = try String(contentsOf: examples.appendingPathComponent(file), encoding: .utf8)
            var name: String?
            var lines: [Substring] = []
            for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if trimmed.hasPrefix("// README-SNIPPET: ") {
                    name = String(trimmed.dropFirst("// README-SNIPPET: ".count))
                    lines = []
                } else if trimmed == "// README-SNIPPET-END", let n = name {
                    let indent =
                        lines.filter { !$0.allSatisfy(\.isWhitespace) }
                        .map { $0.prefix { $0 == " " }.count }.min() ?? 0
                    out[n] = lines.map { $0.count >= indent ? String($0.dropFirst(indent)) : "" }
                        .joined(separator: "\n")
                    name = nil
                } else if name != nil {
                    lines.append(line)
                }
            }
        }
        return out
    }

    @Test func readmeSnippetsAreCopiesOfTheExample() throws {
        let readme = try #require(ProofAnchorTests.read("README.md"), "README.md is missing")
        let regions = try Self.regions()
        let blocks = readme.components(separatedBy: "<!-- snippet: ").dropFirst()
        #expect(!blocks.isEmpty, "README.md has no snippet markers")
        for block in blocks {
            let name = String(block.prefix { $0 != " " })
            let region = try #require(regions[name], "snippet '\(name)' is defined in no Examples/ file")
            guard let open = block.range(of: "```swift\n"),
                let close = block.range(of: "\n```", range: open.upperBound..<block.endIndex)
            else {
                Issue.record("snippet '\(name)' has no fenced Swift block")
                continue
            }
            let shown = String(block[open.upperBound..<close.lowerBound])
            #expect(shown == region, "README snippet '\(name)' differs from Examples/: run scripts/readme-snippets.py")
        }
    }
}
