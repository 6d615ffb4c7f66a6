// swift-tools-version: 6.1
import Foundation
import PackageDescription

// One settings list for every Swift target: Swift 6 language mode (strict concurrency is
// enforced by it) and warnings that would hide unsafe code kept visible.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let argumentParser: Target.Dependency = .product(name: "ArgumentParser", package: "swift-argument-parser")
let swiftProtobuf: Target.Dependency = .product(name: "SwiftProtobuf", package: "swift-protobuf")
let heapModule: Target.Dependency = .product(name: "HeapModule", package: "swift-collections")
let crypto: Target.Dependency = .product(name: "Crypto", package: "swift-crypto")
let asyncHTTPClient: Target.Dependency = .product(name: "AsyncHTTPClient", package: "async-http-client")
let nioCore: Target.Dependency = .product(name: "NIOCore", package: "swift-nio")
let nioHTTP1: Target.Dependency = .product(name: "NIOHTTP1", package: "swift-nio")
let nioSSL: Target.Dependency = .product(name: "NIOSSL", package: "swift-nio-ssl")
let grpcCore: Target.Dependency = .product(name: "GRPCCore", package: "grpc-swift-2")
let grpcTransport: Target.Dependency = .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport")
let hummingbird: Target.Dependency = .product(name: "Hummingbird", package: "hummingbird")
let httpTypes: Target.Dependency = .product(name: "HTTPTypes", package: "swift-http-types")
let logging: Target.Dependency = .product(name: "Logging", package: "swift-log")

let package = Package(
    name: "Tessera",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "ONNXModel", targets: ["ONNXModel"]),
        .library(name: "InferenceRuntime", targets: ["InferenceRuntime"]),
        .library(name: "Tessera", targets: ["Tessera"]),
        .executable(name: "tessera", targets: ["TesseraCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        // Serving and the remote backend (Open Inference Protocol over REST and gRPC), the preview page.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        // Hummingbird's own: the preview server names header fields and quiets the server's log.
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        // AsyncHTTPClient's TLS: the remote backend names a private CA to trust (--remote-ca).
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/grpc/grpc-swift-2", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport", from: "2.9.2"),
    ],
    targets: [
        // Core library
        .target(name: "TensorCore", swiftSettings: swiftSettings),
        .target(
            name: "ONNXModel",
            dependencies: ["TensorCore", swiftProtobuf, heapModule],
            exclude: ["Generated/README.md", "Generated/onnx.proto"],
            resources: [.copy("Resources/operator-schemas.json")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "InferenceRuntime", dependencies: ["ONNXModel", "TensorCore", crypto], swiftSettings: swiftSettings),

        // Inference libraries, loaded at run time: C declarations of our own (no vendored headers,
        // nothing linked), then one Swift target per library.
        .target(name: "CTesseraORT"),
        .target(
            name: "ONNXRuntimeBackend",
            dependencies: ["InferenceRuntime", "ONNXModel", "TensorCore", "CTesseraORT"],
            resources: [.copy("Resources/operators-onnxruntime.json")],
            swiftSettings: swiftSettings
        ),
        .target(name: "CTesseraOpenVINO"),
        .target(
            name: "OpenVINOBackend",
            dependencies: ["InferenceRuntime", "CTesseraOpenVINO"],
            resources: [.copy("Resources/operators-openvino.json")],
            swiftSettings: swiftSettings
        ),
        // The native Swift engine: no C library, always present, the last fallback. Its GEMM
        // register tile is C, compiled for AVX2+FMA beside a portable build, picked at start-up;
        // always optimised, so debug builds (the test suite) do not crawl. (-Wno-psabi: the 8-float
        // vectors only pass between inlined helpers, never across a call.)
        .target(name: "CTesseraKernels", cSettings: [.unsafeFlags(["-O3", "-Wno-psabi"])]),
        .target(
            name: "ReferenceEngine", dependencies: ["InferenceRuntime", "ONNXModel", "TensorCore", "CTesseraKernels"],
            swiftSettings: swiftSettings),
        // Inference servers over the Open Inference Protocol (KServe v2): its messages (shared by
        // the client and `tessera serve`), then the client as a backend with a device per endpoint.
        .target(name: "InferenceProtocol", dependencies: ["TensorCore"], swiftSettings: swiftSettings),
        .target(
            name: "RemoteBackend",
            dependencies: [
                "InferenceProtocol", "InferenceRuntime", "ONNXModel", "TensorCore", asyncHTTPClient, nioCore, nioHTTP1, nioSSL, grpcCore,
                grpcTransport, swiftProtobuf,
            ],
            exclude: ["Generated/README.md"],
            swiftSettings: swiftSettings
        ),
        // `tessera serve`: the protocol's server side, over sessions the caller opens.
        .target(
            name: "InferenceServer",
            dependencies: ["InferenceProtocol", "InferenceRuntime", "TensorCore", hummingbird, httpTypes, nioCore, logging],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Conformance",
            dependencies: ["InferenceRuntime", "ONNXModel", "TensorCore"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Tessera",
            dependencies: [
                "InferenceRuntime", "ONNXModel", "TensorCore", "ONNXRuntimeBackend", "OpenVINOBackend", "ReferenceEngine",
                "RemoteBackend",
            ],
            swiftSettings: swiftSettings
        ),

        // Images: libpng, libjpeg-turbo, libtiff, libwebp, libavif, and libheif and libjxl (read only) from Debian
        // (Scripts/setup.sh installs the -dev packages). A C target rather than a bare module map, because both
        // libpng and libjpeg report errors by longjmp, which only C code can catch.
        .target(
            name: "CImageCodecs",
            linkerSettings: [
                .linkedLibrary("png16"), .linkedLibrary("z"), .linkedLibrary("jpeg"), .linkedLibrary("tiff"),
                .linkedLibrary("webp"), .linkedLibrary("webpmux"), .linkedLibrary("webpdemux"), .linkedLibrary("avif"),
                .linkedLibrary("heif"), .linkedLibrary("jxl"), .linkedLibrary("jxl_threads"),
            ]
        ),
        .target(name: "ImageIO", dependencies: ["CImageCodecs"], swiftSettings: swiftSettings),

        .target(name: "ModelManifest", dependencies: [crypto], swiftSettings: swiftSettings),
        .target(
            name: "ModelTools",
            dependencies: ["ONNXModel", "TensorCore", "InferenceRuntime", "ReferenceEngine", "ImageIO", "ModelManifest"],
            swiftSettings: swiftSettings),
        .target(
            name: "TilePipeline",
            dependencies: ["InferenceRuntime", "ONNXModel", "TensorCore", "ImageIO", "ModelManifest", crypto],
            resources: [.copy("Resources/QualityPhotos")],
            swiftSettings: swiftSettings
        ),

        // The preview page's web server (`tessera preview`); the page's files are compiled into it.
        .target(
            name: "PreviewServer",
            dependencies: ["Tessera", "TilePipeline", "ModelTools", "ImageIO", hummingbird, httpTypes, logging],
            resources: [
                .embedInCode("Resources/index.html"), .embedInCode("Resources/preview.css"),
                .embedInCode("Resources/preview.js"),
            ],
            swiftSettings: swiftSettings
        ),

        // Tools
        .executableTarget(
            name: "TesseraCLI",
            dependencies: [
                "Tessera", "Conformance", "ModelTools", "TilePipeline", "ImageIO", "PreviewServer", "InferenceServer", argumentParser,
            ],
            swiftSettings: swiftSettings
        ),

        // Test support
        .target(
            name: "TesseraTestSupport", dependencies: ["TensorCore", "InferenceRuntime"], swiftSettings: swiftSettings),

        // Tests
        .testTarget(name: "TensorCoreTests", dependencies: ["TensorCore", "TesseraTestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "ONNXModelTests",
            dependencies: ["ONNXModel", "TesseraTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "InferenceRuntimeTests",
            dependencies: ["InferenceRuntime", "TesseraTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ONNXRuntimeBackendTests",
            dependencies: ["ONNXRuntimeBackend", "ONNXModel", "TesseraTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "OpenVINOBackendTests",
            dependencies: ["OpenVINOBackend", "ONNXModel", "TesseraTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RemoteBackendTests",
            dependencies: ["RemoteBackend", "ONNXRuntimeBackend", "ONNXModel", "TilePipeline", "TesseraTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ReferenceEngineTests",
            dependencies: ["ReferenceEngine", "ONNXModel", "Conformance", "TesseraTestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "ConformanceTests",
            dependencies: ["Conformance", "Tessera", "TesseraTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ModelToolsTests",
            dependencies: ["ModelTools", "ONNXModel", "TesseraTestSupport", "Tessera"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ModelManifestTests", dependencies: ["ModelManifest", "TesseraTestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(name: "ImageIOTests", dependencies: ["ImageIO", "TesseraTestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "TilePipelineTests",
            dependencies: ["TilePipeline", "Tessera", "ImageIO", "TesseraTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TesseraTests",
            dependencies: ["Tessera", "TilePipeline", "TesseraTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TesseraCLITests",
            dependencies: ["ONNXModel", "RemoteBackend", "ONNXRuntimeBackend", "TesseraTestSupport"],
            swiftSettings: swiftSettings
        ),
    ]
)

// libFuzzer targets (Fuzz/), only when TESSERA_FUZZ is set: they have no `main` of their own (the
// fuzzer runtime supplies it), so they link only with `--sanitize=fuzzer`, which Scripts/fuzz.sh
// passes in a scratch folder of its own. The normal build never sees them.
if ProcessInfo.processInfo.environment["TESSERA_FUZZ"] != nil {
    package.targets.append(.target(name: "FuzzSupport", path: "Fuzz/FuzzSupport", swiftSettings: swiftSettings))
    let fuzzTargets: [(name: String, dependencies: [Target.Dependency])] = [
        ("FuzzONNX", ["ONNXModel", "FuzzSupport"]),
        ("FuzzNCNN", ["ModelTools", "FuzzSupport"]),
        ("FuzzManifest", ["ModelManifest"]),
        ("FuzzNPY", ["TensorCore"]),
        ("FuzzImage", ["ImageIO", "FuzzSupport"]),
    ]
    for target in fuzzTargets {
        package.targets.append(
            .executableTarget(
                name: target.name, dependencies: target.dependencies, path: "Fuzz/\(target.name)",
                swiftSettings: swiftSettings + [.unsafeFlags(["-parse-as-library"])]))
    }
}
