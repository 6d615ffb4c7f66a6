internal import CTesseraORT
import Foundation
import InferenceRuntime
import ONNXModel
import TensorCore

/// A model loaded by ONNX Runtime on one device.
///
/// Immutable after loading; `run` may be called from several threads at once, as ORT allows
/// for `OrtApi::Run` on one session.
final class ORTSession: Session {
    let device: Device
    let inputs: [TensorDescription]
    let outputs: [TensorDescription]
    /// The file ORT actually loaded: the model, or its optimized copy from the cache.
    let loadedFile: URL

    private let handle: ORTSessionHandle
    private let memoryInfo: ORTMemoryInfo
    private let inputNames: CStringArray
    private let outputNames: CStringArray

    private var api: ORTAPI { handle.api }

    private init(handle: ORTSessionHandle, device: Device, memoryInfo: ORTMemoryInfo, loadedFile: URL) throws {
        self.handle = handle
        self.device = device
        self.memoryInfo = memoryInfo
        self.loadedFile = loadedFile
        inputs = try Self.describe(handle, side: .inputs, file: loadedFile)
        outputs = try Self.describe(handle, side: .outputs, file: loadedFile)
        inputNames = CStringArray(inputs.map(\.name))
        outputNames = CStringArray(outputs.map(\.name))
    }

    /// Creates the session, going through the optimized-model cache when `options` names one.
    static func load(model: URL, device: Device, options: SessionOptions, backend: ONNXRuntimeBackend) throws
        -> ORTSession
    {
        guard device.backend == .onnxRuntime else {
            throw BackendError(
                .unsupported, backend: .onnxRuntime, call: "makeSession",
                message: "device \(device.id) belongs to \(device.backend), not ONNX Runtime")
        }
        guard FileManager.default.isReadableFile(atPath: model.path) else {
            throw BackendError(.load, backend: .onnxRuntime, call: "CreateSession", message: "no readable model at \(model.path)")
        }
        var cache: OptimizedModelCache?
        // With optimization off there is nothing to save: the graph would be the model itself.
        if let directory = options.cacheDirectory, options.graphOptimization != .disabled {
            let descriptor = OptimizedModelCache.descriptor(libraryVersion: backend.version, device: device, options: options)
            cache = try OptimizedModelCache(directory: directory, model: model, descriptor: descriptor)
        }
        if let cache {
            if case .filled(let record) = cache.state,
                let session = try loadSaved(cache, record: record, device: device, options: options, backend: backend)
            {
                return session
            }
            if case .uncacheable = cache.state {  // recorded now or by an earlier load
                let plain = try ProviderSetup.options(for: device, settings: options, backend: backend, cached: false)
                return try create(file: model, sessionOptions: plain, device: device, backend: backend)
            }
        }
        let sessionOptions = try ProviderSetup.options(for: device, settings: options, backend: backend, cached: false)
        let temporary = cache?.temporaryFile()
        if let temporary {
            let setPath = try backend.api.require(backend.api.functions.SetOptimizedModelFilePath, "SetOptimizedModelFilePath")
            try backend.api.check(setPath(sessionOptions.handle, temporary.path), call: "SetOptimizedModelFilePath", phase: .setup)
        }
        do {
            let session = try create(file: model, sessionOptions: sessionOptions, device: device, backend: backend)
            if let cache, let temporary {
                cache.commit(temporary)
                cache.save(.init(inputs: session.inputs, outputs: session.outputs, cacheable: true))
            }
            return session
        } catch {
            if let temporary { try? FileManager.default.removeItem(at: temporary) }
            throw error
        }
    }

    /// Loads a saved optimized graph with optimization off; `nil` when it cannot stand in for the
    /// model (unreadable: rebuilt by the caller; a different interface: marked not cacheable).
    private static func loadSaved(
        _ cache: OptimizedModelCache, record: OptimizedModelCache.Record, device: Device, options: SessionOptions,
        backend: ONNXRuntimeBackend
    ) throws -> ORTSession? {
        let session: ORTSession
        do {
            let sessionOptions = try ProviderSetup.options(for: device, settings: options, backend: backend, cached: true)
            session = try create(file: cache.file, sessionOptions: sessionOptions, device: device, backend: backend)
        } catch let error as BackendError where error.kind == .load {
            cache.discard()
            return nil
        }
        // Output dims may legitimately be more precise in the saved graph; names and types may not differ.
        let sameOutputs = session.outputs.map { [$0.name, "\($0.dataType)"] } == record.outputs.map { [$0.name, "\($0.dataType)"] }
        guard session.inputs == record.inputs, sameOutputs else {
            cache.discard()
            cache.save(.init(inputs: record.inputs, outputs: record.outputs, cacheable: false))
            return nil
        }
        return session
    }

    private static func create(file: URL, sessionOptions: ORTSessionOptions, device: Device, backend: ONNXRuntimeBackend)
        throws -> ORTSession
    {
        let api = backend.api
        var session: OpaquePointer?
        let create = try api.require(api.functions.CreateSession, "CreateSession")
        try api.check(create(backend.environment.handle, file.path, sessionOptions.handle, &session),
                      call: "CreateSession", phase: .load)
        guard let session else { throw api.missingResult("CreateSession") }
        let owned = ORTSessionHandle(takingOwnership: session, environment: backend.environment)
        return try ORTSession(handle: owned, device: device, memoryInfo: backend.memoryInfo, loadedFile: file)
    }

    func run(_ given: [String: Tensor]) throws -> [String: Tensor] {
        let ordered = try InputValidation.arrange(given, for: inputs)
        var results = [OpaquePointer?](repeating: nil, count: outputs.count)
        let runFunction = try api.require(api.functions.Run, "Run")
        let status = try TensorBridge.withValues(ordered, api: api, memoryInfo: memoryInfo) { values in
            runFunction(
                handle.handle, nil, inputNames.pointers, values, values.count,
                outputNames.pointers, outputNames.pointers.count, &results)
        }
        return try collect(results, status: status) { description, value in
            try TensorBridge.tensor(from: value, name: description.name, api: api)
        }
    }

    func run(values given: [String: ModelValue]) throws -> [String: ModelValue] {
        let expected = Set(inputs.map(\.name))
        if let unknown = given.keys.sorted().first(where: { !expected.contains($0) }) {
            throw InputValidation.invalid(unknown, "is not an input of this model")
        }
        // Every tensor to lend ORT, flattened: a sequence input contributes its elements, a map
        // its keys then values, a sequence of maps each map's keys and values in turn.
        var tensors: [Tensor] = []
        var bound: [(name: String, shape: BoundShape)] = []
        for description in inputs {
            let name = description.name
            switch given[name] {
            case nil where description.kind.isOptional, .absent? where description.kind.isOptional:
                continue  // left unbound: None
            case nil:
                throw InputValidation.invalid(name, "is missing (\(description.typeDescription))")
            case .tensor(let tensor)? where description.kind == .tensor || description.kind == .optionalTensor:
                tensors.append(try InputValidation.check(tensor, against: description))
                bound.append((name, .tensor))
            case .sequence(let sequence)? where description.kind.isSequence:
                for element in sequence.elements { tensors.append(try InputValidation.check(element, against: description)) }
                bound.append((name, .sequence(sequence.elements.count)))
            case .map(let map)? where description.kind == .map:
                tensors += try InputValidation.check(map, against: description)
                bound.append((name, .map))
            case .mapSequence(let maps)? where description.kind == .mapSequence:
                for map in maps { tensors += try InputValidation.check(map, against: description) }
                bound.append((name, .mapSequence(maps.count)))
            case let other?:
                throw InputValidation.invalid(name, "is \(other.summary), the model takes \(description.typeDescription)")
            }
        }
        let names = CStringArray(bound.map(\.name))
        var results = [OpaquePointer?](repeating: nil, count: outputs.count)
        let runFunction = try api.require(api.functions.Run, "Run")
        let status = try TensorBridge.withValues(tensors, api: api, memoryInfo: memoryInfo) { lent in
            var values: [OpaquePointer?] = []
            var built: [ORTValue] = []  // containers, kept alive through the run
            var offset = 0
            func take(_ count: Int, as type: ONNXType, name: String) throws(BackendError) -> OpaquePointer? {
                let container = try ValueBridge.container(lent[offset..<(offset + count)], type: type, name: name, api: api)
                offset += count
                built.append(container)
                return container.handle
            }
            for input in bound {
                switch input.shape {
                case .tensor:
                    values.append(lent[offset])
                    offset += 1
                case .sequence(let count): values.append(try take(count, as: ONNX_TYPE_SEQUENCE, name: input.name))
                case .map: values.append(try take(2, as: ONNX_TYPE_MAP, name: input.name))
                case .mapSequence(let count):
                    let maps = try (0..<count).map { _ throws(BackendError) in try take(2, as: ONNX_TYPE_MAP, name: input.name) }
                    guard !maps.isEmpty else {
                        throw InputValidation.invalid(input.name, "is an empty sequence, which ONNX Runtime's C API cannot build (CreateValue needs an element)")
                    }
                    let sequence = try ValueBridge.container(maps[...], type: ONNX_TYPE_SEQUENCE, name: input.name, api: api)
                    built.append(sequence)
                    values.append(sequence.handle)
                }
            }
            return withExtendedLifetime(built) {
                runFunction(
                    handle.handle, nil, names.pointers, values, values.count,
                    outputNames.pointers, outputNames.pointers.count, &results)
            }
        }
        return try collect(results, status: status) { description, value in
            try ValueBridge.value(from: value, description: description, api: api)
        }
    }

    /// Run's outputs by name, each converted by `convert`. Every returned value is owned before
    /// Run's status is checked, so a failure releases whatever ONNX Runtime produced.
    private func collect<Output>(
        _ results: [OpaquePointer?], status: OpaquePointer?, _ convert: (TensorDescription, ORTValue) throws -> Output
    ) throws -> [String: Output] {
        let owned = results.map { $0.map { ORTValue(takingOwnership: $0, api: api) } }
        try api.check(status, call: "Run", phase: .run)
        var collected: [String: Output] = [:]
        for (description, value) in zip(outputs, owned) {
            guard let value else { throw api.missingResult("Run") }
            collected[description.name] = try convert(description, value)
        }
        return collected
    }

    private enum Side { case inputs, outputs }

    /// How many lent tensors a bound input takes, and what it is built into.
    private enum BoundShape {
        case tensor, map
        case sequence(Int)
        case mapSequence(Int)
    }

    /// Names, element types and dims of the session's inputs or outputs, as ORT reports them; a
    /// sequence, map or optional is described from the model `file` (its element type needs type-info
    /// calls newer than the API version Tessera asks for).
    private static func describe(_ session: ORTSessionHandle, side: Side, file: URL) throws -> [TensorDescription] {
        let api = session.api
        let fns = api.functions
        let allocator = try api.defaultAllocator()
        let countCall = side == .inputs ? "SessionGetInputCount" : "SessionGetOutputCount"
        let count = try api.require(side == .inputs ? fns.SessionGetInputCount : fns.SessionGetOutputCount, countCall)
        let nameOf = try api.require(side == .inputs ? fns.SessionGetInputName : fns.SessionGetOutputName, "SessionGetName")
        let typeOf = try api.require(
            side == .inputs ? fns.SessionGetInputTypeInfo : fns.SessionGetOutputTypeInfo, "SessionGetTypeInfo")
        var total = 0
        try api.check(count(session.handle, &total), call: countCall, phase: .load)
        return try (0..<total).map { index throws(BackendError) in
            var rawName: UnsafeMutablePointer<CChar>?
            try api.check(nameOf(session.handle, index, allocator, &rawName), call: "SessionGetName", phase: .load)
            let name = api.takeString(rawName, allocator: allocator)
            var rawInfo: OpaquePointer?
            try api.check(typeOf(session.handle, index, &rawInfo), call: "SessionGetTypeInfo", phase: .load)
            guard let rawInfo else { throw api.missingResult("SessionGetTypeInfo") }
            let info = ORTTypeInfo(takingOwnership: rawInfo, api: api)
            var tensorInfo: OpaquePointer?  // borrowed from `info`; not released separately
            let cast = try api.require(fns.CastTypeInfoToTensorInfo, "CastTypeInfoToTensorInfo")
            try api.check(cast(info.handle, &tensorInfo), call: "CastTypeInfoToTensorInfo", phase: .load)
            guard let tensorInfo else { return try describeContainer(named: name, side: side, file: file) }
            let (type, dims) = try TensorBridge.describe(tensorInfo, api: api, phase: .load)
            guard let type else {
                throw BackendError(
                    .unsupported, backend: .onnxRuntime, call: "CreateSession",
                    message: "'\(name)' has an element type this build of Tessera does not know")
            }
            return TensorDescription(name: name, dataType: type, dims: dims)
        }
    }

    /// A sequence, map or optional input or output, as the model file declares it.
    private static func describeContainer(named name: String, side: Side, file: URL) throws(BackendError) -> TensorDescription {
        let role = side == .inputs ? "input" : "output"
        let model: Model
        do { model = try Model(contentsOf: file) } catch {
            throw BackendError(.load, backend: .onnxRuntime, call: "CreateSession", message: "\(file.path): \(error)")
        }
        let declared = side == .inputs ? model.graph.runtimeInputs : model.graph.outputs
        guard let value = declared.first(where: { $0.name == name }), let description = TensorDescription(value) else {
            throw BackendError(
                .unsupported, backend: .onnxRuntime, call: "CreateSession",
                message: "\(role) '\(name)' is neither a tensor, a sequence or optional of tensors, nor a map or sequence of maps; Tessera does not exchange it")
        }
        return description
    }
}
