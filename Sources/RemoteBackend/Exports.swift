// The protocol's message types appear in this target's API (a connection's metadata).
@_exported public import InferenceProtocol
