import Foundation
import Testing
import ZOCore
import ZOModel

/// Expects `body` to throw a `ZOError` whose description contains `fragment` and that names a fix.
public func expectZOError(
    _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
) {
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
public func scratchDirectory(_ name: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("zocheck-tests-\(ProcessInfo.processInfo.processIdentifier)-\(name)", isDirectory: true)
    try? FileManager.default.removeItem(at: url)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// The default asset cache, and whether the downloaded assets are there (size check only).
/// Tests that need them are gated with `.enabled(if: Assets.modelPresent, Assets.skipMessage)`.
public enum Assets {
    public static let cache = AssetCache.standard
    public static let modelPresent = [Asset.modelWeights, .modelConfig, .vocabulary].allSatisfy(cache.isPresent)
    public static let vaderPresent = cache.isPresent(.vaderMovieReviews)
    public static let vocabularyPresent = cache.isPresent(.vocabulary)
    public static let rottenTomatoesPresent = cache.isPresent(.rottenTomatoes)
    /// Set by `make test` (which fetches the assets first): a missing cache is then a failure, not a skip.
    public static let required = ProcessInfo.processInfo.environment["ZOCHECK_REQUIRE_ASSETS"] == "1"
    public static let skipMessage: Comment = "assets not found in the cache; run `make assets` (or set ZOCHECK_CACHE)"
}
