/// The value of one field of one row, in the form it has in the SQL column and on the wire.
///
/// Every field of every entity is a text, an integer or null: decimals travel as text so they
/// keep their exact digits, tags as text joined with `;`, the `deleted` flag as an integer.
public enum FieldValue: Sendable, Hashable {
    case null
    case text(String)
    case integer(Int64)

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
