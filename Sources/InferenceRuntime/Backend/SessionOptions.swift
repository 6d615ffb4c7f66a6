public import Foundation

/// How a backend should prepare a session.
public struct SessionOptions: Sendable, Hashable {
    /// How much the library may rewrite the graph before running it.
    public enum GraphOptimization: String, Sendable, Hashable, Codable, CaseIterable {
        case disabled, basic, extended, all
    }

    /// The arithmetic the library may use.
    public enum Precision: String, Sendable, Hashable, Codable {
        /// float32 throughout: outputs match the model's reference.
        case accurate
        /// Let the library use bfloat16/float16 where the device is faster with them; outputs
        /// differ slightly (OpenVINO on AVX-512-BF16 CPUs: about 53–55 dB from float32).
        case fast
    }

    /// Intra-op threads; `nil` lets the library choose (usually one per core).
    public var threads: Int?
    public var graphOptimization: GraphOptimization
    public var precision: Precision
    /// Where a library keeps compiled or optimized models so a second load does no conversion
    /// work; `nil` disables the cache.
    public var cacheDirectory: URL?
    /// Static shapes for inputs with dynamic dimensions, for libraries that compile per shape.
    public var inputShapes: [String: [Int]]

    public init(
        threads: Int? = nil, graphOptimization: GraphOptimization = .all, precision: Precision = .accurate,
        cacheDirectory: URL? = nil, inputShapes: [String: [Int]] = [:]
    ) {
        self.threads = threads
        self.graphOptimization = graphOptimization
        self.precision = precision
        self.cacheDirectory = cacheDirectory
        self.inputShapes = inputShapes
    }
}
