import Foundation
import Testing
import ZOCheck

/// Every claim of the catalog points at a derivation that exists: its `proof` names a file under
/// `Proofs/` that contains the anchor (a heading whose GitHub-style anchor equals the fragment, or an
/// explicit `<a id="…">` / `{#…}` anchor), and `Proofs/README.md` lists the claim id. Also every
/// relative `file.md#anchor` link inside `Proofs/*.md` resolves.
@Suite struct ProofAnchorTests {
    /// The package root: Tests/ZOClaimsTests/ProofAnchorTests.swift → three levels up.
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func read(_ relativePath: String) -> String? {
        try? String(contentsOf: root.appendingPathComponent(relativePath), encoding: .utf8)
    }

    /// GitHub's heading slug: lowercase; letters, digits, '-' and '_' kept; spaces → '-'; everything
    /// else (punctuation, symbols, LaTeX delimiters) dropped.
    static func githubAnchor(_ heading: String) -> String {
        var out = ""
        for ch in heading.lowercased() {
            if ch.isLetter || ch.isNumber || ch == "-" || ch == "_" {
                out.append(ch)
            } else if ch == " " {
                out.append("-")
            }
        }
        return out
    }

    /// All anchors a Markdown file defines: heading slugs (with GitHub's "-1", "-2" suffixes for
    /// repeats), `<a id="…">` / `<a name="…">` and `{#…}` attributes. Fenced code is skipped.
    static func anchors(in text: String) -> Set<String> {
        var result = Set<String>()
        var seen: [String: Int] = [:]
        var inFence = false
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = String(raw)
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") {
                inFence.toggle()
                continue
            }
            if inFence { continue }
            for marker in ["<a id=\"", "<a name=\""] {
                var rest = Substring(line)
                while let start = rest.range(of: marker) {
                    let after = rest[start.upperBound...]
                    guard let end = after.firstIndex(of: "\"") else { break }
                    result.insert(String(after[..<end]))
                    rest = after[end...]
                }
            }
            var headingText: String? = nil
            let hashes = trimmed.prefix { $0 == "#" }.count
            if (1...6).contains(hashes), trimmed.dropFirst(hashes).first == " " {
                headingText = String(trimmed.dropFirst(hashes)).trimmingCharacters(in: .whitespaces)
            }
            guard var heading = headingText else { continue }
            if let open = heading.range(of: "{#", options: .backwards), heading.hasSuffix("}") {
                result.insert(String(heading[open.upperBound..<heading.index(before: heading.endIndex)]))
                heading = String(heading[..<open.lowerBound]).trimmingCharacters(in: .whitespaces)
            }
            let slug = githubAnchor(heading)
            let count = seen[slug, default: 0]
            result.insert(count == 0 ? slug : "\(slug)-\(count)")
            seen[slug] = count + 1
        }
        return result
    }

    /// Whether `id` occurs in `text` as a whole token (not inside a longer id such as
    /// LOZO-SECOND-MOMENT inside LOZO-SECOND-MOMENT-CIRCULATING).
    static func mentions(_ text: String, id: String) -> Bool {
        let isIdCharacter: (Character) -> Bool = { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
        var searchStart = text.startIndex
        while let range = text.range(of: id, range: searchStart..<text.endIndex) {
            let before = range.lowerBound == text.startIndex ? nil : text[text.index(before: range.lowerBound)]
            let after = range.upperBound == text.endIndex ? nil : text[range.upperBound]
            if !(before.map(isIdCharacter) ?? false) && !(after.map(isIdCharacter) ?? false) { return true }
            searchStart = range.upperBound
        }
        return false
    }

    @Test func githubAnchorsFollowGitHubsRules() {
        #expect(Self.githubAnchor("1. Difference schemes") == "1-difference-schemes")
        #expect(Self.githubAnchor("ZO-SGD-RATE — the rate in d and T") == "zo-sgd-rate--the-rate-in-d-and-t")
        #expect(Self.githubAnchor("Median of means (MoM)") == "median-of-means-mom")
        let text =
            "# A\n## Same\n## Same\n```\n## not a heading\n```\n<a id=\"explicit-one\"></a>\n### Custom {#custom-id}\n"
        let found = Self.anchors(in: text)
        #expect(found == ["a", "same", "same-1", "explicit-one", "custom-id", "custom"])
        #expect(Self.mentions("| LOZO-SECOND-MOMENT-CIRCULATING |", id: "LOZO-SECOND-MOMENT") == false)
        #expect(Self.mentions("| LOZO-SECOND-MOMENT |", id: "LOZO-SECOND-MOMENT"))
    }

    @Test(arguments: Catalog.standard.claims.map(\.id))
    func proofAnchorExists(id: String) throws {
        let claim = try #require(Catalog.standard.claim(id: id))
        let parts = claim.proof.split(separator: "#", maxSplits: 1).map(String.init)
        try #require(parts.count == 2, "\(id): proof '\(claim.proof)' has no #anchor")
        let (file, fragment) = (parts[0], parts[1])
        #expect(file.hasPrefix("Proofs/"), "\(id): proof file '\(file)' is not under Proofs/")
        let text = try #require(Self.read(file), "\(id): \(file) does not exist under \(Self.root.path)")
        let found = Self.anchors(in: text).contains(fragment)
        #expect(found, "\(id): \(file) has no heading or anchor '#\(fragment)'")
    }

    @Test func readmeListsEveryCatalogClaim() throws {
        let readme = try #require(Self.read("Proofs/README.md"), "Proofs/README.md is missing")
        let missing = Catalog.standard.claims.map(\.id).filter { !Self.mentions(readme, id: $0) }
        #expect(missing.isEmpty, "Proofs/README.md does not mention: \(missing)")
    }

    /// Relative links `[text](other.md#anchor)` and `(#anchor)` between the Proofs files resolve.
    @Test func internalLinksResolve() throws {
        let proofs = Self.root.appendingPathComponent("Proofs")
        let files = try FileManager.default.contentsOfDirectory(atPath: proofs.path).filter { $0.hasSuffix(".md") }
        #expect(!files.isEmpty)
        var broken: [String] = []
        for file in files {
            let text = try #require(Self.read("Proofs/\(file)"))
            var rest = Substring(text)
            while let open = rest.range(of: "](") {
                let after = rest[open.upperBound...]
                guard let close = after.firstIndex(of: ")") else { break }
                let target = String(after[..<close])
                rest = after[close...]
                guard !target.contains("://"), let hash = target.firstIndex(of: "#") else { continue }
                let path = String(target[..<hash])
                let fragment = String(target[target.index(after: hash)...])
                let targetFile = path.isEmpty ? file : path
                guard targetFile.hasSuffix(".md"), !targetFile.contains("/") else { continue }
                guard let targetText = Self.read("Proofs/\(targetFile)"),
                    Self.anchors(in: targetText).contains(fragment)
                else {
                    broken.append("\(file) → \(target)")
                    continue
                }
            }
        }
        #expect(broken.isEmpty, "broken links: \(broken)")
    }
}
