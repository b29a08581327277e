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
        // Read as bytes: splitting and checking Characters was a few percent of an import.
        var integerDigits = 0, fractionDigits = 0, leadingZeros = 0, sawPoint = false
        for byte in raw.utf8 {
            if byte == UInt8(ascii: ".") {
                guard !sawPoint else { return nil }
                sawPoint = true
            } else if byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                if sawPoint {
                    fractionDigits += 1
                } else {
                    if byte == UInt8(ascii: "0"), leadingZeros == integerDigits { leadingZeros += 1 }
                    integerDigits += 1
                }
            } else {
                return nil
            }
        }
        guard integerDigits >= 1, integerDigits <= 30, !sawPoint || (fractionDigits >= 1 && fractionDigits <= 12) else { return nil }
        // Leading zeros go, but the integer part keeps one digit ("0.25", "0").
        let dropped = leadingZeros == integerDigits ? leadingZeros - 1 : leadingZeros
        text = dropped == 0 ? raw : String(Substring(raw.utf8.dropFirst(dropped)))
    }

    static let hundred = ExactDecimal("100")!

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
