/// What an element loop applies to each element.
///
/// A type rather than a closure: a loop instantiated for a concrete function type is compiled
/// with the function's body inlined, while a closure costs an indirect call per element. The
/// activations and arithmetic that follow every convolution use concrete types (see
/// ``HotFunctions``); the rest of the registry passes closures through ``UnaryClosure`` and
/// ``BinaryClosure``.
protocol UnaryFunction {
    associatedtype Input
    associatedtype Output
    func callAsFunction(_ x: Input) -> Output
}

/// Two-operand counterpart of ``UnaryFunction``.
protocol BinaryFunction {
    associatedtype First
    associatedtype Second
    associatedtype Output
    func callAsFunction(_ a: First, _ b: Second) -> Output
}

/// A closure as a ``UnaryFunction`` (called per element).
struct UnaryClosure<Input, Output>: UnaryFunction {
    let body: (Input) -> Output
    func callAsFunction(_ x: Input) -> Output { body(x) }
}

/// A closure as a ``BinaryFunction`` (called per element).
struct BinaryClosure<First, Second, Output>: BinaryFunction {
    let body: (First, Second) -> Output
    func callAsFunction(_ a: First, _ b: Second) -> Output { body(a, b) }
}

/// The functions of the operators that run on every pixel of every layer.
enum HotFunctions {
    struct Relu: UnaryFunction {
        func callAsFunction(_ x: Float) -> Float { max(0, x) }
    }

    struct PRelu: BinaryFunction {
        func callAsFunction(_ x: Float, _ slope: Float) -> Float { x >= 0 ? x : x * slope }
    }

    struct Add: BinaryFunction {
        func callAsFunction(_ a: Float, _ b: Float) -> Float { a + b }
    }

    struct Sub: BinaryFunction {
        func callAsFunction(_ a: Float, _ b: Float) -> Float { a - b }
    }

    struct Mul: BinaryFunction {
        func callAsFunction(_ a: Float, _ b: Float) -> Float { a * b }
    }
}
