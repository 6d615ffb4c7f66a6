extension Dim: CustomStringConvertible {
    /// A compact formula: `4`, `N`, `4*H`, `H + 2`, `floor((H - 1)/2) + 1`, `?` for unknown.
    public var description: String {
        guard let polynomial else { return "?" }
        return polynomial.description
    }
}

extension Dim.Polynomial: CustomStringConvertible {
    var description: String {
        if terms.isEmpty { return "0" }
        // Highest degree first, then by name, constant last: "4*H*W + H + 2".
        let ordered = terms.sorted { lhs, rhs in
            if lhs.key.isEmpty != rhs.key.isEmpty { return !lhs.key.isEmpty }
            return lhs.key.map(\.sortKey).joined(separator: "*") < rhs.key.map(\.sortKey).joined(separator: "*")
        }
        var text = ""
        for (index, (monomial, coefficient)) in ordered.enumerated() {
            let magnitude = abs(coefficient)
            if index == 0 {
                if coefficient < 0 { text += "-" }
            } else {
                text += coefficient < 0 ? " - " : " + "
            }
            let factors = monomial.map(\.description)
            if factors.isEmpty {
                text += String(magnitude)
            } else {
                if magnitude != 1 { text += "\(magnitude)*" }
                text += factors.joined(separator: "*")
            }
        }
        return text
    }
}

extension Dim.Atom: CustomStringConvertible {
    var description: String {
        switch self {
        case .symbol(let name): name
        case .floorDivision(let p, let d):
            p.terms.count == 1 && p.constant == nil && p.terms.first?.value == 1
                ? "floor(\(p)/\(d))" : "floor((\(p))/\(d))"
        }
    }
}
