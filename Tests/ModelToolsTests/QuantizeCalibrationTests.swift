import Foundation
import ModelTools
import ONNXModel
import Tessera
import Testing
import TesseraTestSupport

/// Calibration gives the same ranges whichever library runs the float model.
@Suite("Quantizer calibration")
struct QuantizeCalibrationTests {
    @Test("calibrating on the reference engine alone chooses ONNX Runtime's scales and zero points")
    func referenceEngine() async throws {
        let model = try QuantizeTestSupport.convModel()
        let options = QuantizationOptions(perChannel: true)
        let preprocessing = CalibrationPreprocessing(model: model, manifest: nil)
        let all = BackendCatalog.discover().backends
        let onORT = try await Quantizer(backends: all).quantize(
            model, options: options, calibration: .random(count: 3), preprocessing: preprocessing)
        let reference = try #require(all.first { $0.id == .reference })
        let onReference = try await Quantizer(backends: [reference]).quantize(
            model, options: options, calibration: .random(count: 3), preprocessing: preprocessing)
        #expect(onORT.calibrationDevice.hasPrefix("onnxruntime"))
        #expect(onReference.calibrationDevice.hasPrefix("reference"))
        let expected = onORT.model.graph.initializersByName
        for stored in onReference.model.graph.initializers where stored.name.hasSuffix("_scale") || stored.name.hasSuffix("_zero_point") {
            let want = try #require(expected[stored.name]).tensor.doubleValues()
            let got = try stored.tensor.doubleValues()
            for (a, b) in zip(got, want) { #expect(abs(a - b) <= 1e-5 * abs(b), "\(stored.name): \(got) vs \(want)") }
        }
    }
}
