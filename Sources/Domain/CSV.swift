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
        var text = text
        return try text.withUTF8 { parse(utf8: $0) }.get()
    }

    /// The parser over the document's UTF-8 bytes. Every byte it acts on (comma, quote, line
    /// ends) is ASCII, which never occurs inside a multi-byte scalar, so each field is whole
    /// scalars; runs of plain bytes are copied at once (a scalar at a time, appended to a
    /// `String`, was a fifth of an import).
    private static func parse(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Result<[Row], FormatError> {
        let comma = UInt8(ascii: ","), quote = UInt8(ascii: "\""), lineFeed = UInt8(ascii: "\n"), carriageReturn = UInt8(ascii: "\r")
        var rows: [Row] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var line = 1
        var rowStart = 1
        var afterQuote = false
        var sawAnything = false
        var trailingBlankLines = 0
        var index = 0

        func endField() {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
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
                    return .failure(FormatError(line: line, message: "a carriage return outside quotes must be followed by a line feed"))
                }
                index += 1
            case lineFeed:
                let blank = !sawAnything && field.isEmpty && fields.isEmpty
                trailingBlankLines = blank ? trailingBlankLines + 1 : 0
                endField()
                rows.append(Row(line: rowStart, fields: fields))
                fields.removeAll(keepingCapacity: true)
                sawAnything = false
                afterQuote = false
                line += 1
                rowStart = line
                index += 1
            case quote:
                if afterQuote || !field.isEmpty {
                    return .failure(FormatError(line: line, message: "a quote may only open a field or be doubled inside a quoted field"))
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
                        return .failure(FormatError(line: rowStart, message: "a quoted field is never closed"))
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
                    return .failure(FormatError(line: line, message: "text after the closing quote of a field"))
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
            rows.append(Row(line: rowStart, fields: fields))
            trailingBlankLines = 0
        }
        rows.removeLast(trailingBlankLines)
        return .success(rows)
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
