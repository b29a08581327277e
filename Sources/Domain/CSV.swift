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
        try forEachRow(text) { rows.append($0) }
        return rows
    }

    /// Reads a whole document record by record, handing each to `body` as soon as it is read,
    /// so a large file is never held twice (its text, and all of its records); the records are
    /// those of `parse`. A format error is found only when the reading reaches it.
    public static func forEachRow(_ text: String, _ body: (Row) -> Void) throws(FormatError) {
        var text = text
        if let error = text.withUTF8({ forEachRow(utf8: $0, body) }) { throw error }
    }

    /// The parser over the document's UTF-8 bytes. Every byte it acts on (comma, quote, line
    /// ends) is ASCII, which never occurs inside a multi-byte scalar, so each field is whole
    /// scalars; runs of plain bytes are copied at once (a scalar at a time, appended to a
    /// `String`, was a fifth of an import).
    private static func forEachRow(utf8 bytes: UnsafeBufferPointer<UInt8>, _ body: (Row) -> Void) -> FormatError? {
        let comma = UInt8(ascii: ","), quote = UInt8(ascii: "\""), lineFeed = UInt8(ascii: "\n"), carriageReturn = UInt8(ascii: "\r")
        var fields: [String] = []
        var field: [UInt8] = []
        var line = 1
        var rowStart = 1
        var afterQuote = false
        var sawAnything = false
        // Blank lines wait until a record follows them: those at the very end are dropped.
        var blankLines: [Int] = []
        var index = 0

        func endField() {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
        }
        func endRow(blank: Bool) {
            if blank {
                blankLines.append(rowStart)
            } else {
                for blankLine in blankLines { body(Row(line: blankLine, fields: [""])) }
                blankLines.removeAll()
                body(Row(line: rowStart, fields: fields))
            }
            fields.removeAll(keepingCapacity: true)
        }

        while index < bytes.count {
            switch bytes[index] {
            case comma:
                endField()
                afterQuote = false
                sawAnything = true
                index += 1
            case carriageReturn:
                guard index + 1 < bytes.count, bytes[index + 1] == lineFeed else {
                    return FormatError(line: line, message: "a carriage return outside quotes must be followed by a line feed")
                }
                index += 1
            case lineFeed:
                let blank = !sawAnything && field.isEmpty && fields.isEmpty
                endField()
                endRow(blank: blank)
                sawAnything = false
                afterQuote = false
                line += 1
                rowStart = line
                index += 1
            case quote:
                if afterQuote || !field.isEmpty {
                    return FormatError(line: line, message: "a quote may only open a field or be doubled inside a quoted field")
                }
                sawAnything = true
                index += 1
                // Up to the closing quote: a doubled quote is one quote and the field goes on.
                while true {
                    var end = index
                    while end < bytes.count, bytes[end] != quote {
                        if bytes[end] == lineFeed { line += 1 }
                        end += 1
                    }
                    guard end < bytes.count else {
                        return FormatError(line: rowStart, message: "a quoted field is never closed")
                    }
                    field.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[index..<end]))
                    if end + 1 < bytes.count, bytes[end + 1] == quote {
                        field.append(quote)
                        index = end + 2
                    } else {
                        index = end + 1
                        afterQuote = true
                        break
                    }
                }
            default:
                if afterQuote {
                    return FormatError(line: line, message: "text after the closing quote of a field")
                }
                var end = index + 1
                while end < bytes.count {
                    let byte = bytes[end]
                    if byte == comma || byte == quote || byte == lineFeed || byte == carriageReturn { break }
                    end += 1
                }
                field.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[index..<end]))
                sawAnything = true
                index = end
            }
        }
        if sawAnything || !field.isEmpty || !fields.isEmpty {
            endField()
            endRow(blank: false)
        }
        return nil
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
