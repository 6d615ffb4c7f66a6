/// Overflow-checked arithmetic on ``Dim``.
extension Dim {
    /// Thrown when a dimension expression leaves the range of `Int`.
    public struct OverflowError: Error, Hashable, Sendable, CustomStringConvertible {
        public var description: String { "dimension arithmetic overflows a 64-bit integer" }
    }

    /// `self + other`; unknown if either is.
    public func adding(_ other: Dim) throws(OverflowError) -> Dim {
        guard let a = polynomial, let b = other.polynomial else { return .unknown }
        var terms = a.terms
        for (monomial, c) in b.terms {
            terms[monomial] = try checked((terms[monomial] ?? 0).addingReportingOverflow(c))
        }
        return Dim(polynomial: Polynomial(terms: terms))
    }

    /// `self - other`; unknown if either is.
    public func subtracting(_ other: Dim) throws(OverflowError) -> Dim {
        try adding(other.multiplied(by: -1))
    }

    /// `self * factor` for a constant factor.
    public func multiplied(by factor: Int) throws(OverflowError) -> Dim {
        guard let a = polynomial else { return .unknown }
        var terms: [[Atom]: Int] = [:]
        for (monomial, c) in a.terms { terms[monomial] = try checked(c.multipliedReportingOverflow(by: factor)) }
        return Dim(polynomial: Polynomial(terms: terms))
    }

    /// `self * other`; unknown if either is.
    public func multiplied(by other: Dim) throws(OverflowError) -> Dim {
        guard let a = polynomial, let b = other.polynomial else { return .unknown }
        var terms: [[Atom]: Int] = [:]
        for (ma, ca) in a.terms {
            for (mb, cb) in b.terms {
                let monomial = (ma + mb).sorted { $0.sortKey < $1.sortKey }
                let product = try checked(ca.multipliedReportingOverflow(by: cb))
                terms[monomial] = try checked((terms[monomial] ?? 0).addingReportingOverflow(product))
            }
        }
        return Dim(polynomial: Polynomial(terms: terms))
    }

    /// `floor(self / divisor)` for a positive constant divisor; exact when every coefficient divides.
    public func floorDivided(by divisor: Int) -> Dim {
        guard let a = polynomial, divisor > 0 else { return .unknown }
        if divisor == 1 { return self }
        if let c = a.constant { return .value(floorDivide(c, divisor)) }
        if a.terms.values.allSatisfy({ $0 % divisor == 0 }) {
            return Dim(polynomial: Polynomial(terms: a.terms.mapValues { $0 / divisor }))
        }
        return Dim(polynomial: Polynomial(terms: [[.floorDivision(a, divisor)]: 1]))
    }

    /// `ceil(self / divisor)` for a positive constant divisor.
    public func ceilDivided(by divisor: Int) throws(OverflowError) -> Dim {
        try adding(.value(divisor - 1)).floorDivided(by: divisor)
    }

    /// `self / other` when it divides exactly as polynomials (`H*W*C / C` is `H*W`); otherwise unknown.
    public func exactlyDivided(by other: Dim) -> Dim {
        guard let a = polynomial, let b = other.polynomial, b.terms.count == 1, let (divisorMonomial, dc) = b.terms.first,
            dc != 0
        else { return .unknown }
        var terms: [[Atom]: Int] = [:]
        for (monomial, c) in a.terms {
            guard c % dc == 0, let rest = monomial.removingAll(of: divisorMonomial) else { return .unknown }
            terms[rest] = c / dc
        }
        return Dim(polynomial: Polynomial(terms: terms))
    }

    /// The dimension with `values` substituted for symbols: a constant when every symbol is bound.
    public func substituting(_ values: [String: Int]) throws(OverflowError) -> Dim {
        guard let a = polynomial else { return .unknown }
        var result = Dim.value(0)
        for (monomial, c) in a.terms {
            var term = Dim.value(c)
            for atom in monomial {
                switch atom {
                case .symbol(let name):
                    term = try term.multiplied(by: values[name].map(Dim.value) ?? .symbol(name))
                case .floorDivision(let p, let d):
                    term = try term.multiplied(by: Dim(polynomial: p).substituting(values).floorDivided(by: d))
                }
            }
            result = try result.adding(term)
        }
        return result
    }
}

private func checked(_ result: (partialValue: Int, overflow: Bool)) throws(Dim.OverflowError) -> Int {
    guard !result.overflow else { throw Dim.OverflowError() }
    return result.partialValue
}

private func floorDivide(_ a: Int, _ b: Int) -> Int {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}

extension Array where Element == Dim.Atom {
    /// The multiset difference `self - divisor`, or nil when `divisor` is not contained.
    fileprivate func removingAll(of divisor: [Dim.Atom]) -> [Dim.Atom]? {
        var rest = self
        for atom in divisor {
            guard let index = rest.firstIndex(of: atom) else { return nil }
            rest.remove(at: index)
        }
        return rest
    }
}
