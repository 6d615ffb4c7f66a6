import Foundation

/// A valid schema-1 manifest as a JSON object that tests edit one field at a time.
enum ManifestSamples {
    static let source = URL(fileURLWithPath: "/models/x4.json")

    static let digestA = String(repeating: "0123456789abcdef", count: 4)
    static let digestB = String(repeating: "fedcba9876543210", count: 4)

    static var valid: [String: Any] {
        [
            "schema": 1, "id": "realesr-animevideov3-x4", "task": "upscale", "scale": 4,
            "input": ["name": "data", "layout": "NCHW", "channels": "RGB", "range": [0, 1], "type": "float32"],
            "output": ["name": "output", "layout": "NCHW", "channels": "RGB", "range": [0, 1], "type": "float32"],
            "tiling": ["multipleOf": 1, "overlap": 16, "minTile": 32, "maxTile": 1024],
            "variants": [
                [
                    "precision": "fp32", "file": "x4.onnx", "url": "x4.onnx", "sha256": digestA, "bytes": 2_490_634,
                    "summary": [
                        "irVersion": 8, "opsets": ["ai.onnx": 17],
                        "operators": ["ai.onnx:Conv:11", "ai.onnx:PRelu:16", "ai.onnx:DepthToSpace:13"],
                    ],
                ],
                [
                    "library": "openvino", "precision": "fp16", "file": "x4-fp16.onnx",
                    "url": "https://models.example.com/x4/x4-fp16.onnx", "sha256": digestB, "bytes": 1_250_000,
                    "requires": ["minVersion": "2024.1", "minMemoryMB": 512],
                ],
            ],
        ]
    }

    /// `valid` with `edit` applied, serialized.
    static func data(_ edit: (inout [String: Any]) -> Void = { _ in }) throws -> Data {
        var object = valid
        edit(&object)
        return try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    }

    /// Edits the object at `key` (a nested object) in place.
    static func inObject(_ object: inout [String: Any], _ key: String, _ edit: (inout [String: Any]) -> Void) {
        var inner = object[key] as? [String: Any] ?? [:]
        edit(&inner)
        object[key] = inner
    }

    /// Edits variant `index` in place.
    static func inVariant(_ object: inout [String: Any], _ index: Int, _ edit: (inout [String: Any]) -> Void) {
        var variants = object["variants"] as? [[String: Any]] ?? []
        edit(&variants[index])
        object["variants"] = variants
    }
}
