import Foundation

/// What a field holds, and so how its text is parsed and checked.
public enum FieldType: Sendable, Hashable {
    /// Free text up to a length, trimmed; newlines allowed only where `multiline`.
    case text(maxLength: Int, multiline: Bool)
    /// One of a fixed list of spellings.
    case choice([String])
    /// A non-negative exact decimal.
    case decimal
    /// An exact decimal from 0 to 100.
    case percent
    /// An active ISO 4217 code.
    case currency
    /// A calendar date, `YYYY-MM-DD`.
    case date
    /// A year, 1900–2200.
    case year
    /// An absolute http or https URL.
    case url
    /// Short labels, stored joined with `;`.
    case tags
    /// The id of a row of another entity.
    case reference(entity: String)
}

extension FieldType {
    /// The most bytes one stored value can hold: the longest text field (4,000 characters) at
    /// 4 bytes a character. Tags (at most `maxTags` of 50 characters) and URLs stay below it.
    /// Messages that carry many values are bounded with it (PROTOCOL §5.3).
    public static let maxStoredBytes = 16_000
    /// The most tags one row carries.
    public static let maxTags = 50

    /// Parses the text an analyst typed (a flag, a CSV cell) into the stored value.
    /// Empty text is no value.
    public func parse(_ raw: String) throws(ValidationError) -> FieldValue {
        // One spelling per text: canonical composition (NFC), so "é" typed two ways is one value.
        // Text below U+0300 (UTF-8 lead bytes under 0xCC) is NFC already, and Foundation's
        // normalization is slow: a tenth of an import.
        var trimmed = raw.trimmed
        if trimmed.withUTF8Bytes({ $0.contains { $0 >= 0xCC } }) { trimmed = trimmed.precomposedStringWithCanonicalMapping }
        if trimmed.isEmpty { return .null }
        switch self {
        case .text(let maxLength, let multiline):
            // Fewer bytes than the limit is fewer characters: most text is not counted.
            if trimmed.utf8.count > maxLength, trimmed.count > maxLength {
                throw ValidationError(field: nil, "is \(trimmed.count) characters long; the limit is \(maxLength)")
            }
            // Characters can hold many code points (stacked accents): bound the bytes too.
            if trimmed.utf8.count > 4 * maxLength {
                throw ValidationError(field: nil, "is \(trimmed.utf8.count) bytes long; the limit is \(4 * maxLength)")
            }
            let forbidden = trimmed.containsControl(allowingLineBreaks: multiline)
            if forbidden {
                throw ValidationError(field: nil, multiline ? "contains control characters" : "must be one line without control characters")
            }
            return .text(trimmed)
        case .choice(let allowed):
            guard allowed.contains(trimmed) else {
                throw ValidationError(field: nil, "\(quoted(trimmed)) is not one of \(allowed.joined(separator: ", "))")
            }
            return .text(trimmed)
        case .decimal:
            guard let number = ExactDecimal(trimmed) else {
                throw ValidationError(field: nil, "\(quoted(trimmed)) is not a non-negative decimal like 17000000 or 94.48")
            }
            return .text(number.text)
        case .percent:
            guard let number = ExactDecimal(trimmed) else {
                throw ValidationError(field: nil, "\(quoted(trimmed)) is not a percentage like 94.48")
            }
            guard number <= ExactDecimal.hundred else {
                throw ValidationError(field: nil, "\(number.text) is outside 0–100")
            }
            return .text(number.text)
        case .currency:
            guard let code = CurrencyCode(trimmed) else {
                throw ValidationError(field: nil, "\(quoted(trimmed)) is not an active ISO 4217 currency code")
            }
            return .text(code.code)
        case .date:
            guard let date = CalendarDate(trimmed) else {
                throw ValidationError(field: nil, "\(quoted(trimmed)) is not a real date in the form YYYY-MM-DD")
            }
            return .text(date.description)
        case .year:
            guard let year = Int64(trimmed), (1900...2200).contains(year) else {
                throw ValidationError(field: nil, "\(quoted(trimmed)) is not a year from 1900 to 2200")
            }
            return .integer(year)
        case .url:
            guard trimmed.count <= 2000, trimmed.utf8.count <= 8000, let url = URLComponents(string: trimmed),
                  let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
                  let host = url.host, !host.isEmpty else {
                throw ValidationError(field: nil, "\(quoted(trimmed)) is not an http(s) URL")
            }
            return .text(trimmed)
        case .tags:
            return try Self.parseTags(Self.splitTags(trimmed).map(String.init))
        case .reference:
            guard let id = RecordID(trimmed) else {
                throw ValidationError(field: nil, "\(quoted(trimmed)) is not an id")
            }
            return .text(id.text)
        }
    }

    /// The tags of a `;`-joined text, split at every `;` scalar (read as bytes: a `;` that a
    /// combining mark follows is one Character, which a split by Character would miss).
    public static func splitTags(_ joined: String) -> [Substring] {
        joined.utf8.split(separator: UInt8(ascii: ";")).map { Substring($0) }
    }

    /// Tags given one by one (repeated `--tag`, a JSON array): trimmed, de-duplicated, in order.
    public static func parseTags(_ tags: [String]) throws(ValidationError) -> FieldValue {
        var seen: [String] = []
        for tag in tags {
            let trimmed = tag.trimmed
            if trimmed.isEmpty { continue }
            guard trimmed.count <= 50,
                  !trimmed.unicodeScalars.contains(where: { $0 == ";" || $0.isControl }) else {
                throw ValidationError(field: nil, "\(quoted(trimmed)) is not a tag (one line, at most 50 characters, no ';')")
            }
            if !seen.contains(trimmed) { seen.append(trimmed) }
            guard seen.count <= maxTags else {
                throw ValidationError(field: nil, "has more than \(maxTags) tags")
            }
        }
        return seen.isEmpty ? .null : .text(seen.joined(separator: ";"))
    }
}

func quoted(_ text: String) -> String {
    let shown = text.count > 60 ? String(text.prefix(57)) + "..." : text
    return "\"\(shown)\""
}

extension String {
    /// Whether the text holds a control character (`Unicode.Scalar.isControl`), tab and line
    /// feed allowed when `allowingLineBreaks`. Read as UTF-8: the C0 controls and DEL are
    /// single bytes, the C1 controls U+0080–U+009F are 0xC2 followed by 0x80–0x9F.
    func containsControl(allowingLineBreaks: Bool) -> Bool {
        withUTF8Bytes { bytes in
            var afterC2 = false
            for byte in bytes {
                if afterC2, byte <= 0x9F { return true }
                afterC2 = byte == 0xC2
                if byte < 0x20 || byte == 0x7F {
                    if allowingLineBreaks, byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\t") { continue }
                    return true
                }
            }
            return false
        }
    }
}

extension Unicode.Scalar {
    /// General category Control (Cc): U+0000–U+001F and U+007F–U+009F. Unicode's stability
    /// policy fixes this set for good, and the table lookup of `properties.generalCategory` was
    /// a tenth of an import.
    public var isControl: Bool { value < 0x20 || (0x7F...0x9F).contains(value) }
}
