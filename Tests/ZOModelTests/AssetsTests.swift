import Foundation
import Testing
import ZOCore
import ZOModel
import ZOTestSupport

@Suite struct AssetsTests {
    /// Under `make test` the assets were just fetched: a cache the tests cannot find (a moved source
    /// file, a wrong root) must fail here instead of silently skipping every asset-gated test.
    @Test(.enabled(if: Assets.required)) func assetsAreFoundWhenRequired() {
        #expect(
            Assets.modelPresent && Assets.vaderPresent,
            "ZOCHECK_REQUIRE_ASSETS=1 but no assets at \(Assets.cache.directory.path); run `make assets`")
    }

    @Test func environmentOverridesTheCacheDirectory() {
        #expect(AssetCache.defaultDirectory(environment: ["ZOCHECK_CACHE": "/tmp/somewhere"]).path == "/tmp/somewhere")
        let fallback = AssetCache.defaultDirectory(environment: [:])
        #expect(fallback.path.hasSuffix(".cache/assets"))
        // An empty override is treated as unset.
        #expect(AssetCache.defaultDirectory(environment: ["ZOCHECK_CACHE": ""]) == fallback)
    }

    @Test func pinnedDigestsAreWellFormed() {
        for asset in Asset.allCases {
            #expect(
                asset.sha256.count == 64 && asset.sha256.allSatisfy { $0.isHexDigit && !$0.isUppercase }, "\(asset)")
            #expect(asset.byteCount > 0)
        }
        #expect(Set(Asset.allCases.map(\.relativePath)).count == Asset.allCases.count)
    }

    /// The script and the Swift table must pin the same digests.
    @Test func scriptPinsTheSameDigests() throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/fetch-assets.sh")
        let text = try String(contentsOf: script, encoding: .utf8)
        for asset in Asset.allCases {
            #expect(
                text.contains("\(asset.sha256)  \(asset.relativePath)"),
                "\(asset) not pinned identically in fetch-assets.sh")
        }
    }

    @Test func missingAssetNamesTheFix() throws {
        let cache = AssetCache(directory: try scratchDirectory("missing"))
        #expect(!cache.isPresent(.vocabulary))
        #expect(!cache.hasRequiredAssets)
        expectZOError("run `make assets`") { _ = try cache.url(for: .vocabulary) }
        expectZOError("missing asset vocabulary") { _ = try cache.url(for: .vocabulary) }
    }

    @Test func corruptAssetsAreRejected() throws {
        let dir = try scratchDirectory("corrupt")
        let cache = AssetCache(directory: dir)
        let url = cache.path(of: .modelConfig)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: url)
        expectZOError("has 2 bytes, expected 612") { _ = try cache.url(for: .modelConfig) }
        // Right size, wrong bytes: only the hash catches it.
        try Data(repeating: UInt8(ascii: " "), count: Asset.modelConfig.byteCount).write(to: url)
        #expect(cache.isPresent(.modelConfig))
        expectZOError("expected \(Asset.modelConfig.sha256) (corrupt)") { _ = try cache.url(for: .modelConfig) }
        expectZOError("run `make assets`") { _ = try cache.url(for: .modelConfig) }
        try? FileManager.default.removeItem(at: dir)
    }

    /// A verified file leaves a stamp; replacing the file (new mtime) forces a fresh hash.
    @Test(.enabled(if: Assets.modelPresent, Assets.skipMessage))
    func verificationStampIsInvalidatedByAChange() throws {
        let dir = try scratchDirectory("stamp")
        let cache = AssetCache(directory: dir)
        let url = cache.path(of: .modelConfig)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let good = try Data(contentsOf: Assets.cache.url(for: .modelConfig))
        try good.write(to: url)
        #expect(try cache.url(for: .modelConfig) == url)
        let stamp = dir.appendingPathComponent(".verified/modelConfig")
        #expect(try String(contentsOf: stamp, encoding: .utf8).hasPrefix(Asset.modelConfig.sha256 + " 612 "))
        var bad = good
        bad[bad.startIndex] = UInt8(ascii: "[")
        try FileManager.default.removeItem(at: url)
        try bad.write(to: url)
        try FileManager.default.setAttributes(
            [.modificationDate: Date(timeIntervalSince1970: 1_000_000)], ofItemAtPath: url.path)
        expectZOError("(corrupt)") { _ = try cache.url(for: .modelConfig) }
        try? FileManager.default.removeItem(at: dir)
    }

    @Test(.enabled(if: Assets.modelPresent && Assets.vaderPresent, Assets.skipMessage))
    func downloadedAssetsVerify() throws {
        for asset in Asset.allCases where !asset.isOptional {
            let url = try Assets.cache.url(for: asset)
            #expect(FileManager.default.fileExists(atPath: url.path))
        }
        // Independently of the per-process cache: the model's real digest.
        #expect(try AssetCache.sha256Hex(of: Assets.cache.path(of: .modelWeights)) == Asset.modelWeights.sha256)
    }
}
