/// A plain-text table with left-aligned text columns and right-aligned numeric columns.
struct TextTable {
    enum Alignment { case left, right }

    var columns: [(title: String, alignment: Alignment)]
    var rows: [[String]] = []

    init(_ columns: [(String, Alignment)]) {
        self.columns = columns.map { (title: $0.0, alignment: $0.1) }
    }

    mutating func append(_ row: [String]) { rows.append(row) }

    /// The table, indented by `indent` spaces, one line per row after a header line.
    func render(indent: Int = 2) -> String {
        let all = [columns.map(\.title)] + rows
        let widths = columns.indices.map { column in all.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0 }
        let pad = String(repeating: " ", count: indent)
        return all.map { row in
            let cells = columns.indices.map { column -> String in
                let text = column < row.count ? row[column] : ""
                let fill = String(repeating: " ", count: widths[column] - text.count)
                return columns[column].alignment == .left ? text + fill : fill + text
            }
            return pad + cells.joined(separator: "  ").trimmingTrailingSpaces()
        }.joined(separator: "\n")
    }
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var result = self
        while result.last == " " { result.removeLast() }
        return result
    }
}
