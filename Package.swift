// swift-tools-version: 6.1
import PackageDescription

// No unsafe flags: SwiftPM refuses them in a versioned dependency. Host-CPU code generation (the
// vector width of Philox and the Gaussian fill) comes from the build command instead: the Makefile
// passes `-Xswiftc -target-cpu -Xswiftc native` (docs/performance.md measures the fill both ways).
let swift6: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "ZOCheck",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "ZOCheck", targets: ["ZOCheck"]),
        // Swift Testing expectations for verdicts (seed override, reproduce line, α budget).
        .library(name: "ZOCheckTesting", targets: ["ZOCheckTesting"]),
        .library(name: "ZOCore", targets: ["ZOCore"]),
        .library(name: "ZOProblems", targets: ["ZOProblems"]),
        .library(name: "ZOModel", targets: ["ZOModel"]),
        .library(name: "ZOFineTuning", targets: ["ZOFineTuning"]),
        .library(name: "ZOStats", targets: ["ZOStats"]),
        .library(name: "ZOExperiments", targets: ["ZOExperiments"]),
        .library(name: "ZOClaims", targets: ["ZOClaims"]),
        .library(name: "ZOReports", targets: ["ZOReports"]),
        .library(name: "ZOFiles", targets: ["ZOFiles"]),
        // The `zocheck` command tree as a library: `ZOCheckCLI.main(ZOCheckExtensions(...))` runs it with a
        // researcher's estimators and claims registered (Examples/MyEstimator's my-zocheck).
        .library(name: "ZOCheckCLI", targets: ["ZOCheckCLI"]),
        .executable(name: "zocheck", targets: ["zocheck"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2")
    ],
    targets: [
        // OpenBLAS cblas + GSL in ONE module: two modules clash on the CBLAS enums (see shim.h).
        .systemLibrary(
            name: "CNumerics",
            path: "Sources/CNumerics",
            providers: [.apt(["libopenblas-dev", "libgsl-dev"])]
        ),
        .target(name: "ZOCore", dependencies: ["CNumerics"], swiftSettings: swift6),
        .target(name: "ZOProblems", dependencies: ["ZOCore"], swiftSettings: swift6),
        .target(name: "ZOStats", dependencies: ["CNumerics"], swiftSettings: swift6),
        // Monte Carlo experiments on synthetic problems (estimator comparisons, sweeps, rates): the
        // computations the notebooks and the claims share.
        .target(name: "ZOExperiments", dependencies: ["ZOCore", "ZOProblems", "ZOStats"], swiftSettings: swift6),
        .target(
            name: "ZOClaims", dependencies: ["ZOCore", "ZOProblems", "ZOStats", "ZOExperiments"],
            swiftSettings: swift6),
        // The pretrained encoder: file formats and assets, WordPiece, the BERT layers with their naive references.
        .target(name: "ZOModel", dependencies: ["ZOCore", "CNumerics"], swiftSettings: swift6),
        // Fine-tuning and the scale experiments on the encoder: data, runner, checkpoints, curves, memory,
        // estimator quality, gradient rank, the escalation and the scale claims; benchmarks.
        .target(
            name: "ZOFineTuning", dependencies: ["ZOCore", "ZOModel", "ZOStats", "ZOClaims", "ZOFiles", "CNumerics"],
            swiftSettings: swift6),
        .target(
            name: "ZOCheck",
            dependencies: [
                "ZOCore", "ZOProblems", "ZOStats", "ZOExperiments", "ZOClaims", "ZOModel",
                "ZOFineTuning",
            ],
            swiftSettings: swift6),
        .target(name: "ZOCheckTesting", dependencies: ["ZOStats"], swiftSettings: swift6),
        .target(name: "ZOCheckCLI", dependencies: ["ZOCheck", "ZONotebooks"], swiftSettings: swift6),
        // Crash-safe directories: flock'd lock files ("in use by pid N"), atomic directory exchange,
        // stale-file cleanup. No dependencies; reports and checkpoints use it.
        .target(name: "ZOFiles", swiftSettings: swift6),
        // Reports: datasets (CSV + JSON with schema), gnuplot figures, report.md/html, atomic writes.
        .target(name: "ZOReports", dependencies: ["ZOFiles"], swiftSettings: swift6),
        // The `zocheck` command tree and its notebooks, as a library the tests run in-process.
        .target(
            name: "ZONotebooks",
            dependencies: ["ZOCheck", "ZOReports", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "notebooks-as-cli",
            exclude: ["main"],
            swiftSettings: swift6
        ),
        .executableTarget(
            name: "zocheck", dependencies: ["ZONotebooks"], path: "notebooks-as-cli/main", swiftSettings: swift6),
        .testTarget(name: "ZOCoreTests", dependencies: ["ZOCore", "ZOProblems", "CNumerics"], swiftSettings: swift6),
        .testTarget(name: "ZOStatsTests", dependencies: ["ZOStats", "ZOCore"], swiftSettings: swift6),
        .testTarget(
            name: "ZOClaimsTests", dependencies: ["ZOCheck", "ZOClaims", "ZOStats", "ZOCore", "ZOProblems"],
            swiftSettings: swift6),
        .testTarget(name: "ZOProblemsTests", dependencies: ["ZOProblems"], swiftSettings: swift6),
        // Helpers shared by the encoder and fine-tuning tests (and the serialized BLAS-thread suite).
        .target(
            name: "ZOTestSupport", dependencies: ["ZOCore", "ZOModel"], path: "Tests/ZOTestSupport",
            swiftSettings: swift6),
        .testTarget(
            name: "ZOModelTests", dependencies: ["ZOModel", "ZOCore", "ZOTestSupport", "CNumerics"],
            resources: [.copy("Fixtures")], swiftSettings: swift6),
        .testTarget(
            name: "ZOFineTuningTests",
            dependencies: [
                "ZOFineTuning", "ZOModel", "ZOClaims", "ZOStats", "ZOCore",
                "ZOTestSupport", "CNumerics",
            ], swiftSettings: swift6),
        // Uses only `import ZOCheck` (public API): a researcher's own distribution, estimator and problem.
        .testTarget(
            name: "NotebookTests", dependencies: ["ZONotebooks", "ZOReports", "ZOCheck"],
            exclude: ["HelpSnapshots"], swiftSettings: swift6),
        .testTarget(name: "ExtensionTests", dependencies: ["ZOCheck", "ZOCheckTesting"], swiftSettings: swift6),
        .testTarget(name: "ZOFilesTests", dependencies: ["ZOFiles"], swiftSettings: swift6),
    ]
)
