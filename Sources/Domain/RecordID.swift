import Foundation

/// A row id: a lowercase UUID. New ids are UUIDv7 (RFC 9562), so they sort by creation time.
public struct RecordID: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let text: String

    /// Accepts any UUID in canonical 8-4-4-4-12 form, in either case. Read byte by byte: every
    /// pulled field and pushed change carries one, and this runs for each.
    public init?(_ raw: String) {
        var length = 0, upper = false
        for byte in raw.utf8 {
            switch (length, byte) {
            case (8, UInt8(ascii: "-")), (13, UInt8(ascii: "-")), (18, UInt8(ascii: "-")), (23, UInt8(ascii: "-")): break
            case (8, _), (13, _), (18, _), (23, _): return nil
            case (_, UInt8(ascii: "0")...UInt8(ascii: "9")), (_, UInt8(ascii: "a")...UInt8(ascii: "f")): break
            case (_, UInt8(ascii: "A")...UInt8(ascii: "F")): upper = true
            default: return nil
            }
            length += 1
            if length > 36 { return nil }
        }
        guard length == 36 else { return nil }
        text = upper ? raw.lowercased() : raw
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
        // Two draws, not ten: the system generator costs a system call per draw.
        let high = generator.next(), low = generator.next()
        for index in 6..<8 { bytes[index] = UInt8(truncatingIfNeeded: high >> (8 * (index - 6))) }
        for index in 8..<16 { bytes[index] = UInt8(truncatingIfNeeded: low >> (8 * (index - 8))) }
        bytes[6] = 0x70 | (bytes[6] & 0x0F)
        bytes[8] = 0x80 | (bytes[8] & 0x3F)
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(36)
        for (index, byte) in bytes.enumerated() {
            if index == 4 || index == 6 || index == 8 || index == 10 { text.append(UInt8(ascii: "-")) }
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return RecordID(validated: String(decoding: text, as: UTF8.self))
    }

    private init(validated text: String) { self.text = text }

    public static func generate() -> RecordID {
        var generator = SystemRandomNumberGenerator()
        return generate(using: &generator)
    }

    public var description: String { text }

    public static func < (lhs: RecordID, rhs: RecordID) -> Bool { lhs.text < rhs.text }
}
