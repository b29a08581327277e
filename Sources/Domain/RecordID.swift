import Foundation

/// A row id: a lowercase UUID. New ids are UUIDv7 (RFC 9562), so they sort by creation time.
public struct RecordID: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let text: String

    /// Accepts any UUID in canonical 8-4-4-4-12 form, in either case.
    public init?(_ raw: String) {
        let lower = raw.lowercased()
        let groups = lower.split(separator: "-", omittingEmptySubsequences: false)
        guard groups.map(\.count) == [8, 4, 4, 4, 12],
              groups.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isHexDigit } }) else { return nil }
        text = lower
    }

    /// A new UUIDv7: 48 bits of Unix milliseconds, version 7, 74 random bits.
    public static func generate(
        at unixMillis: Int64 = Int64(Date().timeIntervalSince1970 * 1000),
        using generator: inout some RandomNumberGenerator
    ) -> RecordID {
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<6 {
            bytes[index] = UInt8(truncatingIfNeeded: unixMillis >> (8 * (5 - index)))
        }
        for index in 6..<16 {
            bytes[index] = UInt8.random(in: .min ... .max, using: &generator)
        }
        bytes[6] = 0x70 | (bytes[6] & 0x0F)
        bytes[8] = 0x80 | (bytes[8] & 0x3F)
        let hex = bytes.map { byte in
            let digits = String(byte, radix: 16)
            return digits.count == 1 ? "0" + digits : digits
        }.joined()
        let characters = Array(hex)
        let text = [0..<8, 8..<12, 12..<16, 16..<20, 20..<32]
            .map { String(characters[$0]) }
            .joined(separator: "-")
        return RecordID(text)!
    }

    public static func generate() -> RecordID {
        var generator = SystemRandomNumberGenerator()
        return generate(using: &generator)
    }

    public var description: String { text }

    public static func < (lhs: RecordID, rhs: RecordID) -> Bool { lhs.text < rhs.text }
}
