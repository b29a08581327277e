import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What the standard output is: its width, and whether to use colour.
struct Terminal {
    var width: Int
    var useColor: Bool

    static let current: Terminal = {
        let environment = ProcessInfo.processInfo.environment
        let isTTY = isatty(STDOUT_FILENO) == 1
        var width = 0
        if isTTY {
            var size = winsize()
            if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0 { width = Int(size.ws_col) }
        }
        if width <= 0, let columns = environment["COLUMNS"].flatMap(Int.init), columns > 0 { width = columns }
        if width <= 0 { width = 120 }
        let noColor = !(environment["NO_COLOR"] ?? "").isEmpty || environment["TERM"] == "dumb"
        return Terminal(width: max(width, 40), useColor: isTTY && !noColor)
    }()

    func bold(_ text: String) -> String { useColor ? "\u{1B}[1m\(text)\u{1B}[0m" : text }
    func dim(_ text: String) -> String { useColor ? "\u{1B}[2m\(text)\u{1B}[0m" : text }
}

/// A table for humans: left-aligned columns, the flexible one shrunk so the table fits.
struct TextTable {
    var headers: [String]
    var rows: [[String]] = []
    /// The column that gives up width when the table is too wide (its cells end in "…").
    var flexibleColumn: Int

    func render(width: Int, terminal: Terminal = .current) -> String {
        let cells = rows.map { $0.map(Self.oneLine) }
        var widths = headers.indices.map { column in
            max(headers[column].count, cells.map { $0[column].count }.max() ?? 0)
        }
        // Too wide: the flexible column gives up width first (down to 12), then the widest of
        // the others (down to 6), never the first column, which holds the ids.
        let separators = 2 * (headers.count - 1)
        var excess = widths.reduce(0, +) + separators - width
        if excess > 0 {
            let cut = min(excess, max(0, widths[flexibleColumn] - 12))
            widths[flexibleColumn] -= cut
            excess -= cut
        }
        while excess > 0 {
            guard let widest = widths.indices.dropFirst().max(by: { widths[$0] < widths[$1] }), widths[widest] > 6 else { break }
            widths[widest] -= 1
            excess -= 1
        }
        func line(_ values: [String]) -> String {
            values.indices.map { column in
                let text = Self.fit(values[column], widths[column])
                return column == values.count - 1 ? text : text.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
        var out = terminal.bold(line(headers)) + "\n"
        for row in cells { out += line(row) + "\n" }
        return out
    }

    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    static func fit(_ text: String, _ width: Int) -> String {
        text.count <= width ? text : String(text.prefix(max(0, width - 1))) + "…"
    }
}
