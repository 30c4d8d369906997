import ArgumentParser
import Foundation
import ZOCheck

/// An estimator with the label the reports show, and the same estimator at another ε (which the
/// bias-vs-epsilon notebook sweeps): given, or derived for a `ZOEstimator` (any `EpsilonAdjustable`).
public struct LabelledEstimator: Sendable {
    public let label: String
    public let estimator: any GradientEstimator
    /// The estimator at perturbation radius ε; nil when it has no ε to vary.
    public let atEpsilon: (@Sendable (Double) throws -> any GradientEstimator)?

    public init(
        _ label: String, _ estimator: any GradientEstimator,
        atEpsilon: (@Sendable (Double) throws -> any GradientEstimator)? = nil
    ) {
        self.label = label
        self.estimator = estimator
        if let atEpsilon {
            self.atEpsilon = atEpsilon
        } else if let adjustable = estimator as? any EpsilonAdjustable {
            self.atEpsilon = { try adjustable.withEpsilon($0) }
        } else {
            self.atEpsilon = nil
        }
    }
}

/// An estimator that can be rebuilt at another perturbation radius ε.
public protocol EpsilonAdjustable: Sendable {
    func withEpsilon(_ epsilon: Double) throws -> any GradientEstimator
}

extension ZOEstimator: EpsilonAdjustable {
    /// The same distribution, scheme, samples and mode at ε.
    public func withEpsilon(_ epsilon: Double) throws -> any GradientEstimator {
        try ZOEstimator(distribution, epsilon: epsilon, scheme: scheme, samples: samples, mode: mode)
    }
}

/// What a researcher's own executable adds to the `zocheck` command tree (`ZOCheckCLI.main`): estimators
/// shown beside the built-ins by `compare` and the synthetic notebooks (variance-vs-dimension,
/// bias-vs-epsilon, convergence-rates), and claims appended to the catalog of `claims`, `audit`,
/// `verify` and the calibration notebook. `zocheck` itself registers nothing.
public struct ZOCheckExtensions: Sendable {
    public var estimators: [LabelledEstimator]
    public var claims: [Claim]

    public init(estimators: [LabelledEstimator] = [], claims: [Claim] = []) {
        self.estimators = estimators
        self.claims = claims
    }

    /// What this process registered (empty unless started through `ZOCheckCLI.main`), or what the current
    /// task registered with `withRegistered`.
    public static var current: ZOCheckExtensions { scoped ?? Registry.shared.get() }

    @TaskLocal static var scoped: ZOCheckExtensions?

    /// Runs `body` with `extensions` registered for the current task only (tests that run notebooks for
    /// an estimator in-process, beside other tests).
    public static func withRegistered<R>(_ extensions: ZOCheckExtensions, _ body: () throws -> R) rethrows -> R {
        try $scoped.withValue(extensions, operation: body)
    }

    /// The catalog the commands use: `Catalog.standard` followed by the registered claims.
    public static var catalog: Catalog {
        get throws {
            let mine = current.claims
            guard !mine.isEmpty else { return .standard }
            do {
                return try Catalog(Catalog.standard.claims + mine)
            } catch {
                throw ValidationError("\(error) (a registered claim reuses a catalog id: rename it)")
            }
        }
    }

    /// Registers `extensions` for this process (the commands read `current`).
    public static func register(_ extensions: ZOCheckExtensions) { Registry.shared.set(extensions) }
}

/// The process-wide registration, behind a lock.
private final class Registry: @unchecked Sendable {
    static let shared = Registry()
    private let lock = NSLock()
    private var value = ZOCheckExtensions()

    func get() -> ZOCheckExtensions {
        lock.lock()
        defer { lock.unlock() }
        return value
    }

    func set(_ v: ZOCheckExtensions) {
        lock.lock()
        defer { lock.unlock() }
        value = v
    }
}

/// The entry point of a researcher's own executable: the whole `zocheck` command tree (claims, audit,
/// compare, notebooks, …) with their estimators and claims registered.
///
/// ```swift
/// // Sources/my-zocheck/main.swift
/// import MyEstimator
/// import ZOCheckCLI
/// ZOCheckCLI.main(ZOCheckExtensions(estimators: [LabelledEstimator("Rademacher", try ZOEstimator(...))]))
/// ```
public enum ZOCheckCLI {
    /// Registers `extensions` and runs the command tree on `arguments` (default: the process's).
    public static func main(_ extensions: ZOCheckExtensions, arguments: [String]? = nil) {
        ZOCheckExtensions.register(extensions)
        ZOCheckCommand.main(arguments)
    }
}
