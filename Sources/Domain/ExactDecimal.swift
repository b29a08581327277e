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

    /// Compares the digits themselves: `Decimal` keeps only 38 digits, fewer than the 42 accepted.
    public static func < (lhs: ExactDecimal, rhs: ExactDecimal) -> Bool {
        let left = lhs.text.split(separator: ".", omittingEmptySubsequences: false)
        let right = rhs.text.split(separator: ".", omittingEmptySubsequences: false)
        // Integer parts have no leading zeros, so a longer one is larger.
        if left[0].count != right[0].count { return left[0].count < right[0].count }
        if left[0] != right[0] { return left[0] < right[0] }
        let leftFraction = left.count == 2 ? String(left[1]) : ""
        let rightFraction = right.count == 2 ? String(right[1]) : ""
        let width = max(leftFraction.count, rightFraction.count)
        func padded(_ digits: String) -> String { digits + String(repeating: "0", count: width - digits.count) }
        return padded(leftFraction) < padded(rightFraction)
    }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
