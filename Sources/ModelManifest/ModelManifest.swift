/// What Tessera needs to know about a deployable model before touching its file: what it does,
/// how its tensors look, how to tile images for it, and which files (variants) exist for which
/// libraries, with where to fetch them and their SHA-256.
///
/// Schema 1, as `docs/json-output.md` ("Model manifest") documents it:
///
/// ```json
/// { "schema": 1, "id": "realesr-animevideov3-x4", "task": "upscale", "scale": 4,
///   "input":  {"name": "data", "layout": "NCHW", "channels": "RGB", "range": [0, 1], "type": "float32"},
///   "output": {"name": "output", "layout": "NCHW", "channels": "RGB", "range": [0, 1], "type": "float32"},
///   "tiling": {"multipleOf": 1, "overlap": 16, "minTile": 32, "maxTile": 1024},   (optional "border": 18)
///   "variants": [{"precision": "fp32", "file": "x4.onnx", "url": "x4.onnx", "sha256": "…", "bytes": 2490634}] }
/// ```
///
/// Read manifests with ``decode(_:source:)``, which validates every field; the synthesized
/// `Decodable` conformance alone checks types but not values.
public struct ModelManifest: Codable, Sendable, Equatable {
    /// The schema version this code reads and writes.
    public static let currentSchema = 1

    public var schema: Int
    /// The model's name in the store: letters, digits, `.`, `_` and `-`, used as a folder name.
    public var id: String
    public var task: TaskKind
    /// Output size ÷ input size, the same for height and width.
    public var scale: Int
    public var input: Endpoint
    public var output: Endpoint
    public var tiling: Tiling
    /// The files this model exists as, at least one; ``Variant/name`` tells them apart.
    public var variants: [Variant]

    public init(
        id: String, task: TaskKind = .upscale, scale: Int, input: Endpoint, output: Endpoint, tiling: Tiling = Tiling(),
        variants: [Variant]
    ) {
        self.schema = Self.currentSchema
        self.id = id
        self.task = task
        self.scale = scale
        self.input = input
        self.output = output
        self.tiling = tiling
        self.variants = variants
    }

    /// One image tensor of the model's interface.
    public struct Endpoint: Codable, Sendable, Equatable {
        /// The graph input or output name.
        public var name: String
        public var layout: Layout
        public var channels: ChannelOrder
        /// The values that stand for black and full intensity.
        public var range: ValueRange
        public var type: ElementType

        public init(
            name: String, layout: Layout = .nchw, channels: ChannelOrder = .rgb, range: ValueRange = ValueRange(),
            type: ElementType = .float32
        ) {
            self.name = name
            self.layout = layout
            self.channels = channels
            self.range = range
            self.type = type
        }
    }

    /// The value range of an endpoint, written as a two-element list `[lower, upper]`.
    public struct ValueRange: Codable, Sendable, Equatable {
        public var lower: Double
        public var upper: Double

        public init(lower: Double = 0, upper: Double = 1) {
            self.lower = lower
            self.upper = upper
        }

        public init(from decoder: any Decoder) throws {
            var list = try decoder.unkeyedContainer()
            guard list.count == 2 else {
                throw DecodingError.dataCorrupted(
                    DecodingError.Context(
                        codingPath: decoder.codingPath,
                        debugDescription: "expected two numbers [lower, upper], got \(list.count.map(String.init) ?? "?")"))
            }
            lower = try list.decode(Double.self)
            upper = try list.decode(Double.self)
        }

        public func encode(to encoder: any Encoder) throws {
            var list = encoder.unkeyedContainer()
            // Whole numbers print as integers (`[0, 1]`), as people write them.
            for value in [lower, upper] {
                if let whole = Int(exactly: value) { try list.encode(whole) } else { try list.encode(value) }
            }
        }
    }

    /// How to cut an image into tiles for this model, in input pixels.
    public struct Tiling: Codable, Sendable, Equatable {
        /// Tile sides must be a multiple of this (a network that downsamples by 4 needs 4).
        public var multipleOf: Int
        /// Pixels shared by neighbouring tiles, at least the network's receptive-field margin.
        public var overlap: Int
        public var minTile: Int
        public var maxTile: Int
        /// Input pixels the network consumes on each side (its output is `scale · (side − 2·border)`):
        /// `upscale` mirror-pads every tile by this much so the output is `scale` × the input.
        /// Absent (older manifests, most models) means 0. Tile sides plus twice the border must be
        /// sides the network accepts, which `multipleOf` then guarantees.
        public var border: Int?

        public init(multipleOf: Int = 1, overlap: Int = 16, minTile: Int = 32, maxTile: Int = 1024, border: Int? = nil) {
            self.multipleOf = multipleOf
            self.overlap = overlap
            self.minTile = minTile
            self.maxTile = maxTile
            self.border = border
        }
    }
}
