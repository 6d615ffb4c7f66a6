import CTesseraOpenVINO
import Foundation
import InferenceRuntime
import TensorCore

extension OVSession {
    /// Compiles `url` for `device`, or imports what an earlier load with the same file and
    /// options left in `options.cacheDirectory` (see ``OVCompiledCache``), and describes the result.
    ///
    /// Blocking: compiling a large model takes seconds. Failures of OpenVINO itself are `.load`
    /// errors carrying its message; a shape in `options` that cannot apply is `.invalidInput`.
    /// - Parameter version: the OpenVINO build number, part of the cache key.
    static func compile(
        model url: URL, device: Device, options: SessionOptions, core: OVCore, version: String
    ) throws(BackendError) -> OVSession {
        let api = core.api
        // The file's own declarations name the ports (see PortNaming); the scan skips weights by
        // length over a mapped file, so it costs little next to even a cached load.
        let declared = ONNXInterfaceNames(contentsOf: url)
        var properties: [(String, String)] = []
        // The CPU plugin silently computes in bfloat16 on CPUs that have it, and the GPU plugin in
        // float16; `.accurate` must mean float32, so it is asked for explicitly.
        if options.precision == .accurate { properties.append(("INFERENCE_PRECISION_HINT", "f32")) }
        if let threads = options.threads, threads > 0 { properties.append(("INFERENCE_NUM_THREADS", String(threads))) }
        // OpenVINO has no switch for graph rewriting: `options.graphOptimization` does not apply.

        let cache = options.cacheDirectory.flatMap { directory in
            OVCompiledCache(
                directory: directory, model: url, declared: declared, device: device, properties: properties,
                shapes: options.inputShapes, version: version, core: core)
        }
        let imported = cache?.load(core: core)
        let compiled: OVCompiledModel
        if let imported {
            compiled = imported
        } else {
            if cache == nil, let directory = options.cacheDirectory {
                // What Tessera's cache cannot hold may still be cached by OpenVINO itself.
                try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                properties.append(("CACHE_DIR", directory.path))
            }
            compiled = try readAndCompile(
                url, device: device, options: options, declared: declared, properties: properties, core: core)
        }

        let inputPorts = try ports(of: compiled, count: api.compiledInputsSize, at: api.compiledInputByIndex, "input")
        let outputPorts = try ports(
            of: compiled, count: api.compiledOutputsSize, at: api.compiledOutputByIndex, "output")
        let (inputs, anyRank) = try describe(inputPorts, declared: declared?.inputValues)
        let (outputs, _) = try describe(outputPorts, declared: declared?.outputValues)
        // Stored only once the session is known to be usable: a model Tessera refuses is not kept.
        if imported == nil { cache?.store(compiled) }
        let unused = Set(declared?.inputs ?? []).subtracting(inputs.map(\.name))
        return OVSession(
            device: device, compiledModel: compiled, inputs: inputs, outputs: outputs, unusedInputs: unused,
            anyRankInputs: anyRank, loadedFromCache: imported != nil)
    }

    /// Reads `url` with OpenVINO's ONNX frontend, fixes the dynamic input dimensions named in
    /// `options.inputShapes` and compiles the result with `properties`.
    private static func readAndCompile(
        _ url: URL, device: Device, options: SessionOptions, declared: ONNXInterfaceNames?,
        properties: [(String, String)], core: OVCore
    ) throws(BackendError) -> OVCompiledModel {
        let api = core.api
        var modelHandle: OpaquePointer?
        try api.check(api.coreReadModel(core.handle, url.path, nil, &modelHandle), "ov_core_read_model", kind: .load)
        guard let modelHandle else {
            throw BackendError(.load, backend: .openVINO, call: "ov_core_read_model", message: "returned no model")
        }
        let model = OVModel(takingOwnership: modelHandle, core: core)
        if !options.inputShapes.isEmpty {
            try reshape(model, to: options.inputShapes, declared: declared?.inputValues)
        }
        return try compile(model, device: device.route, properties: properties)
    }

    /// Calls the variadic `ov_core_compile_model` through the trampoline for this many properties.
    private static func compile(_ model: OVModel, device: String, properties: [(String, String)]) throws(BackendError)
        -> OVCompiledModel
    {
        let core = model.core
        let api = core.api
        let f = api.coreCompileModel
        let p = properties
        precondition(p.count <= 3, "add a trampoline for more compile properties")
        var handle: OpaquePointer?
        let status =
            switch p.count {
            case 0: tessera_ov_compile_model_0(f, core.handle, model.handle, device, &handle)
            case 1: tessera_ov_compile_model_2(f, core.handle, model.handle, device, &handle, p[0].0, p[0].1)
            case 2:
                tessera_ov_compile_model_4(
                    f, core.handle, model.handle, device, &handle, p[0].0, p[0].1, p[1].0, p[1].1)
            default:
                tessera_ov_compile_model_6(
                    f, core.handle, model.handle, device, &handle, p[0].0, p[0].1, p[1].0, p[1].1, p[2].0, p[2].1)
            }
        try api.check(status, "ov_core_compile_model", kind: .load)
        guard let handle else {
            throw BackendError(.load, backend: .openVINO, call: "ov_core_compile_model", message: "returned nothing")
        }
        return OVCompiledModel(takingOwnership: handle, core: core)
    }

    /// Gives the model's dynamic inputs the static shapes in `shapes` (keyed by ONNX input name).
    private static func reshape(
        _ model: OVModel, to shapes: [String: [Int]], declared: [ONNXInterfaceNames.Value]?
    ) throws(BackendError)
    {
        let api = model.core.api
        var count = 0
        try api.check(api.modelInputsSize(model.handle, &count), "ov_model_inputs_size", kind: .load)
        var ports: [OVPort] = []
        for index in 0..<count {
            var port: OpaquePointer?
            try api.check(
                api.modelConstInputByIndex(model.handle, index, &port), "ov_model_const_input_by_index", kind: .load)
            if let port { ports.append(OVPort(takingOwnership: port, api: api)) }
        }
        let names = try names(of: ports, declared: declared)
        for requested in shapes.keys.sorted() where !names.contains(requested) {
            throw BackendError(
                .invalidInput, backend: .openVINO, call: "reshape", message: "input '\(requested)' does not exist")
        }
        var targets: [(portName: String, dims: [tessera_ov_dimension])] = []
        for (port, name) in zip(ports, names) {
            guard let shape = shapes[name] else { continue }
            guard shape.allSatisfy({ $0 > 0 }) else {
                throw BackendError(
                    .invalidInput, backend: .openVINO, call: "reshape",
                    message: "input '\(name)': shape \(shape) has a size below 1")
            }
            let current = try port.dims()
            if let current {
                let fits =
                    current.count == shape.count
                    && zip(current, shape).allSatisfy { fixed, wanted in fixed.map { $0 == wanted } ?? true }
                guard fits else {
                    let wanted = current.map { $0.map(String.init) ?? "?" }.joined(separator: "×")
                    throw BackendError(
                        .invalidInput, backend: .openVINO, call: "reshape",
                        message: "input '\(name)' cannot take shape \(shape), its shape is [\(wanted)]")
                }
                if !current.contains(where: { $0 == nil }) { continue }  // already static and equal
            }
            targets.append((try port.anyName(), shape.map { tessera_ov_dimension(min: Int64($0), max: Int64($0)) }))
        }
        guard !targets.isEmpty else { return }
        // One flat buffer of dimensions that the partial shapes point into; OpenVINO only reads
        // it, during the call.
        let flat = UnsafeMutableBufferPointer<tessera_ov_dimension>.allocate(
            capacity: targets.reduce(0) { $0 + $1.dims.count })
        defer { flat.deallocate() }
        var shapesC: [tessera_ov_partial_shape] = []
        var offset = 0
        for target in targets {
            let rank = Int64(target.dims.count)
            let slot = UnsafeMutableBufferPointer(rebasing: flat[offset..<offset + target.dims.count])
            _ = slot.initialize(from: target.dims)
            shapesC.append(
                tessera_ov_partial_shape(rank: tessera_ov_dimension(min: rank, max: rank), dims: slot.baseAddress))
            offset += target.dims.count
        }
        let cNames = targets.map { strdup($0.portName) }
        defer { cNames.forEach { Foundation.free($0) } }
        var constNames = cNames.map { $0.map { UnsafePointer($0) } }
        try api.check(
            api.modelReshape(model.handle, &constNames, shapesC, shapesC.count), "ov_model_reshape", kind: .load)
    }
}

extension OVSession {
    /// Every input or output port of a compiled model, in OpenVINO's order.
    fileprivate static func ports(
        of compiled: OVCompiledModel, count: tessera_ov_compiled_model_ports_size_fn,
        at portAt: tessera_ov_compiled_model_port_by_index_fn, _ what: String
    ) throws(BackendError) -> [OVPort] {
        let api = compiled.core.api
        var total = 0
        try api.check(count(compiled.handle, &total), "ov_compiled_model_\(what)s_size", kind: .load)
        return try (0..<total).map { (index) throws(BackendError) -> OVPort in
            var port: OpaquePointer?
            try api.check(portAt(compiled.handle, index, &port), "ov_compiled_model_\(what)_by_index", kind: .load)
            guard let port else {
                throw BackendError(
                    .load, backend: .openVINO, call: "ov_compiled_model_\(what)_by_index", message: "no port")
            }
            return OVPort(takingOwnership: port, api: api)
        }
    }

    /// The ONNX names of `ports`, as ``PortNaming`` matches them to the file's declarations.
    fileprivate static func names(of ports: [OVPort], declared: [ONNXInterfaceNames.Value]?) throws(BackendError)
        -> [String]
    {
        // The common case needs no more questions to OpenVINO: every declared value is a port.
        if let declared, declared.count == ports.count { return declared.map(\.name) }
        let signatures = try ports.map { (port) throws(BackendError) in
            PortSignature(
                anyName: try port.anyName(), dataType: DataType(openVINO: try port.elementType()), dims: try port.dims())
        }
        return PortNaming.names(of: signatures, declared: declared)
    }

    /// Names, element types and dimensions of `ports`; refuses types Tessera cannot exchange.
    fileprivate static func describe(_ ports: [OVPort], declared: [ONNXInterfaceNames.Value]?) throws(BackendError)
        -> (descriptions: [TensorDescription], anyRank: Set<String>)
    {
        let names = try names(of: ports, declared: declared)
        var anyRank: Set<String> = []
        let descriptions = try zip(ports, names).map { (port, name) throws(BackendError) in
            let type = try port.elementType()
            guard let dataType = DataType(openVINO: type) else {
                throw BackendError(
                    .unsupported, backend: .openVINO, call: "makeSession",
                    message: "'\(name)' has type \(typeName(type)), which Tessera does not exchange with OpenVINO")
            }
            // A dynamic rank is described as no dimensions and remembered, so run() accepts any rank.
            let dims = try port.dims()
            if dims == nil { anyRank.insert(name) }
            return TensorDescription(name: name, dataType: dataType, dims: dims ?? [])
        }
        return (descriptions, anyRank)
    }
}
