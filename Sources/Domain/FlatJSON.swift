/// A reader for the one-level JSON objects of JSON-lines files: string keys whose values are
/// strings, numbers, null, booleans or arrays of strings.
///
/// Numbers are kept as the exact text the file wrote (`94.480` stays `94.480`), which
/// `JSONDecoder` cannot do: it goes through `Double` or a 38-digit `Decimal`.
enum FlatJSON {
    enum Value: Hashable {
        case null
        case bool(Bool)
        case string(String)
        /// The number's text as written.
        case number(String)
        case strings([String])
    }

    struct SyntaxError: Error, Hashable {
        var message: String
    }

    /// Parses one object; a key that appears twice is an error.
    static func parseObject(_ text: some StringProtocol) throws(SyntaxError) -> [(key: String, value: Value)] {
        var reader = Reader(bytes: Array(text.utf8))
        return try reader.object()
    }

    private struct Reader {
        let bytes: [UInt8]
        var index = 0

        mutating func object() throws(SyntaxError) -> [(key: String, value: Value)] {
            skipSpace()
            try expect(UInt8(ascii: "{"), "a JSON object must start with '{'")
            var members: [(key: String, value: Value)] = []
            var keys = Set<String>()
            skipSpace()
            if peek() == UInt8(ascii: "}") {
                index += 1
            } else {
                while true {
                    skipSpace()
                    let key = try string()
                    guard keys.insert(key).inserted else { throw SyntaxError(message: "the key \"\(key)\" appears twice") }
                    skipSpace()
                    try expect(UInt8(ascii: ":"), "expected ':' after a key")
                    skipSpace()
                    members.append((key, try value()))
                    skipSpace()
                    if peek() == UInt8(ascii: ",") { index += 1; continue }
                    try expect(UInt8(ascii: "}"), "expected ',' or '}'")
                    break
                }
            }
            skipSpace()
            guard index == bytes.count else { throw SyntaxError(message: "text after the end of the object") }
            return members
        }

        mutating func value() throws(SyntaxError) -> Value {
            switch peek() {
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "n"): try literal("null"); return .null
            case UInt8(ascii: "t"): try literal("true"); return .bool(true)
            case UInt8(ascii: "f"): try literal("false"); return .bool(false)
            case UInt8(ascii: "["):
                index += 1
                var items: [String] = []
                skipSpace()
                if peek() == UInt8(ascii: "]") { index += 1; return .strings(items) }
                while true {
                    skipSpace()
                    guard peek() == UInt8(ascii: "\"") else { throw SyntaxError(message: "arrays may hold only strings") }
                    items.append(try string())
                    skipSpace()
                    if peek() == UInt8(ascii: ",") { index += 1; continue }
                    try expect(UInt8(ascii: "]"), "expected ',' or ']'")
                    return .strings(items)
                }
            case let byte? where byte == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte):
                return .number(try number())
            case UInt8(ascii: "{"):
                throw SyntaxError(message: "values may not be objects")
            default:
                throw SyntaxError(message: "expected a value")
            }
        }

        mutating func number() throws(SyntaxError) -> String {
            let start = index
            if peek() == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { throw SyntaxError(message: "a number needs digits") }
            if peek() == UInt8(ascii: ".") {
                index += 1
                guard digits() > 0 else { throw SyntaxError(message: "a number needs digits after '.'") }
            }
            if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
                index += 1
                if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { index += 1 }
                guard digits() > 0 else { throw SyntaxError(message: "a number needs digits in its exponent") }
            }
            return String(decoding: bytes[start..<index], as: UTF8.self)
        }

        mutating func digits() -> Int {
            let start = index
            while let byte = peek(), byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") { index += 1 }
            return index - start
        }

        mutating func string() throws(SyntaxError) -> String {
            try expect(UInt8(ascii: "\""), "expected a string")
            var out: [UInt8] = []
            while true {
                guard let byte = peek() else { throw SyntaxError(message: "a string is never closed") }
                index += 1
                switch byte {
                case UInt8(ascii: "\""):
                    return String(decoding: out, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    guard let escape = peek() else { throw SyntaxError(message: "a string is never closed") }
                    index += 1
                    switch escape {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "u"): out.append(contentsOf: try unicodeEscape())
                    default: throw SyntaxError(message: "an unknown escape in a string")
                    }
                case 0..<0x20:
                    throw SyntaxError(message: "a control character inside a string must be escaped")
                default:
                    out.append(byte)
                }
            }
        }

        /// `\uXXXX`, with a following `\uXXXX` when the first is a high surrogate.
        mutating func unicodeEscape() throws(SyntaxError) -> [UInt8] {
            var code = try hex4()
            if (0xD800...0xDBFF).contains(code) {
                guard peek() == UInt8(ascii: "\\"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "u") else {
                    throw SyntaxError(message: "a lone surrogate in a string")
                }
                index += 2
                let low = try hex4()
                guard (0xDC00...0xDFFF).contains(low) else { throw SyntaxError(message: "a lone surrogate in a string") }
                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(code) {
                throw SyntaxError(message: "a lone surrogate in a string")
            }
            guard let scalar = Unicode.Scalar(code) else { throw SyntaxError(message: "an invalid \\u escape") }
            return Array(String(Character(scalar)).utf8)
        }

        mutating func hex4() throws(SyntaxError) -> UInt32 {
            guard index + 4 <= bytes.count, bytes[index..<index + 4].allSatisfy({ Character(Unicode.Scalar($0)).isHexDigit }),
                  let code = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16) else {
                throw SyntaxError(message: "a \\u escape needs four hex digits")
            }
            index += 4
            return code
        }

        mutating func literal(_ word: String) throws(SyntaxError) {
            let expected = Array(word.utf8)
            guard index + expected.count <= bytes.count, Array(bytes[index..<index + expected.count]) == expected else {
                throw SyntaxError(message: "expected a value")
            }
            index += expected.count
        }

        mutating func expect(_ byte: UInt8, _ message: String) throws(SyntaxError) {
            guard peek() == byte else { throw SyntaxError(message: message) }
            index += 1
        }

        func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func skipSpace() {
            while let byte = peek(), byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { index += 1 }
        }
    }
}
