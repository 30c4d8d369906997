// swift-tools-version: 6.1
import PackageDescription

// A researcher's own package: one perturbation distribution (Rademacher ±1 entries), its Swift Testing
// regression tests through ZOCheck's claim templates, and a `my-zocheck` executable that runs the
// tool's reports on it. Inside the ZOCheck repository it depends on the checkout by path; CI
// (scripts/check-example.sh) builds a copy that depends on a locally tagged ZOCheck with `from:`.
let package = Package(
    name: "MyEstimator",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "MyEstimator", targets: ["MyEstimator"]),
        .executable(name: "my-zocheck", targets: ["my-zocheck"]),
    ],
    dependencies: [
        .package(name: "ZOCheck", path: "../..")  // ZOCHECK-DEPENDENCY (rewritten by scripts/check-example.sh)
    ],
    targets: [
        .target(name: "MyEstimator", dependencies: [.product(name: "ZOCheck", package: "ZOCheck")]),
        .executableTarget(
            name: "my-zocheck",
            dependencies: ["MyEstimator", .product(name: "ZOCheckCLI", package: "ZOCheck")]),
        .testTarget(
            name: "MyEstimatorTests",
            dependencies: [
                "MyEstimator", .product(name: "ZOCheck", package: "ZOCheck"),
                .product(name: "ZOCheckTesting", package: "ZOCheck"),
            ]),
    ]
)
