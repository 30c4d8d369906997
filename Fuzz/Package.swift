// swift-tools-version: 6.1
// libFuzzer targets for ZOCheck's loaders, kept out of the root package so that the normal build is
// untouched. Build and run: `bash scripts/fuzz.sh` (it calls `swift build -c release --sanitize=fuzzer`
// here). Each target is an executable whose main is libFuzzer's; `-parse-as-library` keeps Swift from
// emitting its own.
import PackageDescription

let fuzz: [SwiftSetting] = [.unsafeFlags(["-parse-as-library"]), .swiftLanguageMode(.v6)]

let package = Package(
    name: "ZOCheckFuzz",
    platforms: [.macOS(.v14)],
    dependencies: [.package(name: "ZOCheck", path: "..")],
    targets: [
        .target(
            name: "FuzzSupport",
            dependencies: [
                .product(name: "ZOModel", package: "ZOCheck"), .product(name: "ZOCore", package: "ZOCheck"),
            ], swiftSettings: [.swiftLanguageMode(.v6)]),
        .executableTarget(
            name: "FuzzSafeTensors",
            dependencies: ["FuzzSupport", .product(name: "ZOModel", package: "ZOCheck")], swiftSettings: fuzz),
        .executableTarget(
            name: "FuzzBertConfig",
            dependencies: ["FuzzSupport", .product(name: "ZOModel", package: "ZOCheck")], swiftSettings: fuzz),
        .executableTarget(
            name: "FuzzVocabulary",
            dependencies: ["FuzzSupport", .product(name: "ZOModel", package: "ZOCheck")], swiftSettings: fuzz),
        .executableTarget(
            name: "FuzzTokenizer",
            dependencies: ["FuzzSupport", .product(name: "ZOModel", package: "ZOCheck")], swiftSettings: fuzz),
        .executableTarget(
            name: "FuzzCheckpointState",
            dependencies: [
                "FuzzSupport", .product(name: "ZOFineTuning", package: "ZOCheck"),
                .product(name: "ZOModel", package: "ZOCheck"), .product(name: "ZOCore", package: "ZOCheck"),
            ], swiftSettings: fuzz),
    ]
)
