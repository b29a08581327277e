/// The value of one field of one row, in the form it has in the SQL column and on the wire.
///
/// Every field of every entity is a text, an integer or null: decimals travel as text so they
/// keep their exact digits, tags as text joined with `;`, the `deleted` flag as an integer.
public enum FieldValue: Sendable, Hashable {
    case null
    case text(String)
    case integer(Int64)

    /// Values are equal when their bytes are: Swift's `String ==` calls "é" and "e" + U+0301
    /// equal, but SQLite, the digest and other replicas see different bytes. (Parsing stores
    /// text in NFC, so analysts' look-alike spellings meet as the same bytes anyway.)
    public static func == (lhs: FieldValue, rhs: FieldValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.text(let a), .text(let b)): a.utf8.elementsEqual(b.utf8)
        case (.integer(let a), .integer(let b)): a == b
        default: false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .text(let text):
            hasher.combine(1)
            for byte in text.utf8 { hasher.combine(byte) }
        case .integer(let number):
            hasher.combine(2)
            hasher.combine(number)
        }
    }

    public var isNull: Bool { self == .null }

    /// The text of a `.text` value, the digits of an `.integer`, nil for `.null`.
    public var text: String? {
        switch self {
        case .null: nil
        case .text(let string): string
        case .integer(let number): String(number)
        }
    }

    public var integer: Int64? {
        if case .integer(let number) = self { number } else { nil }
    }
}

extension FieldValue: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let number = try? container.decode(Int64.self) {
            self = .integer(number)
        } else {
            self = .text(try container.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .text(let string): try container.encode(string)
        case .integer(let number): try container.encode(number)
        }
    }
}

extension FieldValue: CustomStringConvertible {
    /// A short human form: `null`, the text, or the number.
    public var description: String { text ?? "null" }
}
