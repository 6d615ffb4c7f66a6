// The umbrella module: one import gives a library user the model IR, the runtime and the backends.
@_exported public import InferenceRuntime
@_exported public import ONNXModel
@_exported public import TensorCore
@_exported public import RemoteBackend
