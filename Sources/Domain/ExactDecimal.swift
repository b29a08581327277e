import Foundation

/// A non-negative decimal number kept as its exact digits ("17000000", "94.48").
///
/// Amounts are never binary floats: the text is the value, normalised only by dropping
/// leading zeros of the integer part, so `"017.50"` is stored as `"17.50"`.
public struct ExactDecimal: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The canonical digits.
    public let text: String

    /// Parses plain decimal digits with an optional fraction (`12`, `12.5`, `0.25`).
    /// Signs, exponents, thousands separators and spaces are refused.
    public init?(_ raw: String) {
        let parts = raw.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let integerPart = parts.first, !integerPart.isEmpty,
              integerPart.allSatisfy(\.isASCIIDigit), integerPart.count <= 30 else { return nil }
        if parts.count == 2 {
            guard !parts[1].isEmpty, parts[1].allSatisfy(\.isASCIIDigit), parts[1].count <= 12 else { return nil }
        }
        let trimmed = integerPart.drop(while: { $0 == "0" })
        let integerText = trimmed.isEmpty ? "0" : String(trimmed)
        text = parts.count == 2 ? integerText + "." + parts[1] : integerText
    }

    /// The value as a Foundation `Decimal`, for comparisons and arithmetic.
    public var decimal: Decimal { Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")) ?? 0 }

    public var description: String { text }

    public static func < (lhs: ExactDecimal, rhs: ExactDecimal) -> Bool { lhs.decimal < rhs.decimal }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
