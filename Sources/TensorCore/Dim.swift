/// One dimension of a shape: a known size, an expression over named sizes (`N`, `4*H`,
/// `floor((H + 1)/2)`), or unknown.
///
/// Expressions are kept as polynomials with integer coefficients over *atoms*: symbols and floor
/// divisions of a polynomial by a constant. Two dims that compute the same polynomial compare equal,
/// so `2*H + H` equals `3*H`. Anything that cannot be expressed (a product with an unknown, the
/// division of two symbols) becomes ``unknown``. All arithmetic is overflow-checked and throws,
/// because dimensions come from untrusted model files.
public struct Dim: Hashable, Sendable {
    /// A factor of a monomial.
    indirect enum Atom: Hashable, Sendable {
        case symbol(String)
        /// `floor(numerator / divisor)`, divisor ≥ 2, numerator not a constant.
        case floorDivision(Polynomial, Int)

        var sortKey: String {
            switch self {
            case .symbol(let name): "0" + name
            case .floorDivision(let p, let d): "1" + p.description + "/" + String(d)
            }
        }
    }

    /// A sum of monomials; a monomial is a sorted list of atoms, the empty list being the constant term.
    struct Polynomial: Hashable, Sendable {
        var terms: [[Atom]: Int]

        var constant: Int? {
            if terms.isEmpty { return 0 }
            if terms.count == 1, let c = terms[[]] { return c }
            return nil
        }
    }

    /// `nil` is an unknown dimension.
    let polynomial: Polynomial?

    init(polynomial: Polynomial?) {
        self.polynomial = polynomial.map { Polynomial(terms: $0.terms.filter { $0.value != 0 }) }
    }

    /// A known size.
    public static func value(_ size: Int) -> Dim { Dim(polynomial: Polynomial(terms: size == 0 ? [:] : [[]: size])) }
    /// A named size such as `batch` or `height`.
    public static func symbol(_ name: String) -> Dim { Dim(polynomial: Polynomial(terms: [[.symbol(name)]: 1])) }
    /// A size nothing is known about.
    public static let unknown = Dim(polynomial: nil)

    /// The size when it is a constant.
    public var value: Int? { polynomial?.constant }
    /// True when the dimension is neither known nor expressible.
    public var isUnknown: Bool { polynomial == nil }
    /// The symbol name when the dimension is exactly one symbol.
    public var symbolName: String? {
        guard let terms = polynomial?.terms, terms.count == 1, let (monomial, c) = terms.first, c == 1,
            monomial.count == 1, case .symbol(let name) = monomial[0]
        else { return nil }
        return name
    }

    /// The names of every symbol the expression uses.
    public var symbols: Set<String> {
        guard let polynomial else { return [] }
        return polynomial.symbols
    }
}

extension Dim.Polynomial {
    var symbols: Set<String> {
        var result: Set<String> = []
        for atom in terms.keys.joined() {
            switch atom {
            case .symbol(let name): result.insert(name)
            case .floorDivision(let p, _): result.formUnion(p.symbols)
            }
        }
        return result
    }
}

extension Dim: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int) { self = .value(value) }
}
