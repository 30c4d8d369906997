import Foundation
import Testing
import ZOCore
import ZOTransformer

/// Expects `body` to throw a `ZOError` whose description contains `fragment` and that names a fix.
func expectZOError(_ fragment: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) {
    do {
        try body()
        Issue.record("expected a ZOError mentioning '\(fragment)'", sourceLocation: sourceLocation)
    } catch let error as ZOError {
        #expect(error.description.contains(fragment), "message: \(error.description)", sourceLocation: sourceLocation)
        #expect(!error.fix.isEmpty, sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected ZOError, got \(error)", sourceLocation: sourceLocation)
    }
}

/// A fresh empty directory under the system temporary directory, named by the test and the
/// process id (no random names: every run is reproducible).
func scratchDirectory(_ name: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("zocheck-tests-\(ProcessInfo.processInfo.processIdentifier)-\(name)", isDirectory: true)
    try? FileManager.default.removeItem(at: url)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// The default asset cache, and whether the downloaded assets are there (size check only).
/// Tests that need them are gated with `.enabled(if: Assets.modelPresent, Assets.skipMessage)`.
enum Assets {
    static let cache = AssetCache.standard
    static let modelPresent = [Asset.modelWeights, .modelConfig, .vocabulary].allSatisfy(cache.isPresent)
    static let vaderPresent = cache.isPresent(.vaderMovieReviews)
    static let vocabularyPresent = cache.isPresent(.vocabulary)
    static let rottenTomatoesPresent = cache.isPresent(.rottenTomatoes)
    static let skipMessage: Comment = "assets not found in the cache; run `make assets` (or set ZOCHECK_CACHE)"
}

/// A file in the test bundle's Fixtures directory.
func fixtureURL(_ name: String) throws -> URL {
    let url = try #require(Bundle.module.resourceURL).appendingPathComponent("Fixtures").appendingPathComponent(name)
    try #require(FileManager.default.fileExists(atPath: url.path), "missing fixture \(name)")
    return url
}
