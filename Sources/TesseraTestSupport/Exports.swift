// Test files that import TesseraTestSupport also get the tensor types and the seeded generator.
@_exported public import TensorCore
