import Foundation
import Testing
import ZOCheck

/// Every claim id cited anywhere in the sources, the notebooks or Proofs/ names something that
/// exists: a claim of the catalog (`Catalog.standard`) or a result that Proofs/ defines with an
/// explicit anchor (`<a id="…">`). A renamed or removed claim whose old id lingers in a doc comment,
/// a notebook's claim list or a derivation fails here with the file that cites it.
@Suite struct ClaimCitationTests {
    /// Upper-case hyphenated words that are not claim ids (method names and placeholders).
    static let notIds: Set<String> = ["FO-SGD", "FO-ADAM", "ZO-SGD", "FOO-BAR", "CLAIM-ID"]

    /// Claim-id-shaped words of `text`: ≥ 2 hyphen-separated upper-case segments, the first two
    /// alphabetic and ≥ 2 letters long (so "D-2", "SHA-256", "LOZO-M" or "UTF-8" are not ids), not
    /// preceded by a letter, digit, hyphen or '*' (a pattern such as "SCALE-*-MOMENTS" cites no id).
    static func citedIds(_ text: String) -> Set<String> {
        var ids = Set<String>()
        let chars = Array(text.unicodeScalars)
        var i = 0
        func isIdChar(_ c: Unicode.Scalar) -> Bool {
            ("A"..."Z").contains(c) || ("0"..."9").contains(c) || c == "-" || c == "²"
        }
        while i < chars.count {
            guard isIdChar(chars[i]), chars[i] != "-" else {
                i += 1
                continue
            }
            let prev = i > 0 ? chars[i - 1] : " "
            var j = i
            while j < chars.count, isIdChar(chars[j]) { j += 1 }
            var word = String(String.UnicodeScalarView(chars[i..<j]))
            while word.hasSuffix("-") { word.removeLast() }
            i = j
            let letterBefore = CharacterSet.alphanumerics.contains(prev) || prev == "*" || prev == "-"
            let nextIsLower = j < chars.count && CharacterSet.lowercaseLetters.contains(chars[j])
            guard !letterBefore, !nextIsLower, j >= chars.count || chars[j] != "*" else { continue }
            let segments = word.split(separator: "-", omittingEmptySubsequences: false)
            guard segments.count >= 2,
                segments.prefix(2).allSatisfy({ $0.count >= 2 && $0.allSatisfy { ("A"..."Z").contains($0) } })
            else { continue }
            if !notIds.contains(word) { ids.insert(word) }
        }
        return ids
    }

    /// Ids that Proofs/ defines by an explicit `<a id="lower-case-id"></a>` anchor.
    static func proofDefinedIds() throws -> Set<String> {
        var ids = Set<String>()
        for file in try proofFiles() {
            let text = try String(contentsOf: file, encoding: .utf8)
            for part in text.components(separatedBy: "<a id=\"").dropFirst() {
                guard let end = part.firstIndex(of: "\"") else { continue }
                ids.insert(part[..<end].uppercased())
            }
        }
        return ids
    }

    static func proofFiles() throws -> [URL] {
        try FileManager.default.contentsOfDirectory(
            at: ProofAnchorTests.root.appendingPathComponent("Proofs"),
            includingPropertiesForKeys: nil
        )
        .filter { $0.pathExtension == "md" }.sorted { $0.path < $1.path }
    }

    static func swiftFiles(under directory: String) -> [URL] {
        let base = ProofAnchorTests.root.appendingPathComponent(directory)
        guard let walk = FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil) else { return [] }
        return walk.compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }.sorted { $0.path < $1.path }
    }

    /// The extractor finds ids and skips look-alikes (a broken extractor would make the scan vacuous).
    @Test func extractorFindsIdsAndSkipsLookAlikes() {
        let text = """
            Claims: MEZO-UNBIASED, PITFALL-GONE-STALE; see SCALE-*-MOMENTS, FO-SGD, LOZO-M, SHA-256, D-2,
            x-MEZO-SECOND-MOMENT and SPARSE-THEOREM-1.
            """
        #expect(Self.citedIds(text) == ["MEZO-UNBIASED", "PITFALL-GONE-STALE", "SPARSE-THEOREM-1"])
    }

    @Test func everyCitedIdExists() throws {
        let known = Set(Catalog.standard.ids).union(try Self.proofDefinedIds())
        var files = ["Sources", "notebooks-as-cli"].flatMap(Self.swiftFiles(under:))
        files += try Self.proofFiles()
        var stale: [String] = []
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            for id in Self.citedIds(text).subtracting(known).sorted() {
                stale.append(
                    "\(id) in \(file.path.replacingOccurrences(of: ProofAnchorTests.root.path + "/", with: ""))")
            }
        }
        #expect(
            stale.isEmpty,
            "ids cited but neither in the catalog nor anchored in Proofs/: \(stale.joined(separator: "; "))")
        #expect(files.count > 100, "the scan found only \(files.count) files: is the package root right?")
    }
}
