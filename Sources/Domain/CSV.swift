import Foundation

/// RFC 4180 CSV: comma separated, fields with commas, quotes or line breaks in double quotes,
/// a quote inside doubled. Reading accepts CRLF or LF line ends; writing uses LF.
public enum CSV {
    /// A malformed document, with the line on which the bad record starts.
    public struct FormatError: Error, Sendable, Hashable, CustomStringConvertible {
        public var line: Int
        public var message: String
        public var description: String { "line \(line): \(message)" }
    }

    /// One record of a document and the line it starts on (1-based).
    public struct Row: Sendable, Hashable {
        public var line: Int
        public var fields: [String]
    }

    /// Splits a whole document into records. A blank line at the very end is ignored.
    public static func parse(_ text: String) throws(FormatError) -> [Row] {
        var rows: [Row] = []
        var fields: [String] = []
        var field = String.UnicodeScalarView()
        var line = 1
        var rowStart = 1
        var inQuotes = false
        var afterQuote = false
        var sawAnything = false
        var trailingBlankLines = 0
        var iterator = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil

        func endRow() {
            fields.append(String(field))
            field = String.UnicodeScalarView()
            rows.append(Row(line: rowStart, fields: fields))
            fields = []
            sawAnything = false
        }

        while let scalar = pending ?? iterator.next() {
            pending = nil
            if inQuotes {
                if scalar == "\"" {
                    let next = iterator.next()
                    if next == "\"" {
                        field.append("\"")
                    } else {
                        inQuotes = false
                        afterQuote = true
                        pending = next
                    }
                } else {
                    if scalar == "\n" { line += 1 }
                    field.append(scalar)
                }
                continue
            }
            switch scalar {
            case ",":
                fields.append(String(field))
                field = String.UnicodeScalarView()
                afterQuote = false
                sawAnything = true
            case "\r":
                let next = iterator.next()
                if next != "\n" {
                    throw FormatError(line: line, message: "a carriage return outside quotes must be followed by a line feed")
                }
                pending = next
            case "\n":
                let blank = !sawAnything && field.isEmpty && fields.isEmpty
                trailingBlankLines = blank ? trailingBlankLines + 1 : 0
                endRow()
                afterQuote = false
                line += 1
                rowStart = line
            case "\"":
                if afterQuote || !field.isEmpty {
                    throw FormatError(line: line, message: "a quote may only open a field or be doubled inside a quoted field")
                }
                inQuotes = true
                sawAnything = true
            default:
                if afterQuote {
                    throw FormatError(line: line, message: "text after the closing quote of a field")
                }
                field.append(scalar)
                sawAnything = true
            }
        }
        if inQuotes {
            throw FormatError(line: rowStart, message: "a quoted field is never closed")
        }
        if sawAnything || !field.isEmpty || !fields.isEmpty {
            endRow()
            trailingBlankLines = 0
        }
        rows.removeLast(trailingBlankLines)
        return rows
    }

    /// One record as a line, without the line end.
    public static func line(_ fields: [String]) -> String {
        fields.map(escape).joined(separator: ",")
    }

    static func escape(_ field: String) -> String {
        let needsQuotes = field.unicodeScalars.contains { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }
            || field.first == " " || field.last == " "
        guard needsQuotes else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
