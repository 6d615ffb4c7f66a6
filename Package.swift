// swift-tools-version: 6.1
import PackageDescription

// One settings list for every Swift target: Swift 6 language mode (strict concurrency is
// enforced by it) and warnings that would hide unsafe code kept visible.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let argumentParser: Target.Dependency = .product(name: "ArgumentParser", package: "swift-argument-parser")
let swiftProtobuf: Target.Dependency = .product(name: "SwiftProtobuf", package: "swift-protobuf")

let package = Package(
    name: "Tessera",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "ONNXModel", targets: ["ONNXModel"]),
        .executable(name: "tessera", targets: ["TesseraCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
    ],
    targets: [
        // Core library
        .target(name: "TensorCore", swiftSettings: swiftSettings),
        .target(
            name: "ONNXModel",
            dependencies: ["TensorCore", swiftProtobuf],
            exclude: ["Generated/README.md", "Generated/onnx.proto"],
            resources: [.copy("Resources/operator-schemas.json")],
            swiftSettings: swiftSettings
        ),

        // Tools
        .executableTarget(
            name: "TesseraCLI",
            dependencies: ["ONNXModel", argumentParser],
            swiftSettings: swiftSettings
        ),

        // Test support
        .target(name: "TesseraTestSupport", dependencies: ["TensorCore"], swiftSettings: swiftSettings),

        // Tests
        .testTarget(name: "TensorCoreTests", dependencies: ["TensorCore"], swiftSettings: swiftSettings),
        .testTarget(
            name: "ONNXModelTests",
            dependencies: ["ONNXModel", "TesseraTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TesseraCLITests",
            dependencies: ["TesseraTestSupport"],
            swiftSettings: swiftSettings
        ),
    ]
)
