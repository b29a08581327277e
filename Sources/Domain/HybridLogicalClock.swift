import Foundation

/// A hybrid logical clock time: wall-clock milliseconds in the high 48 bits, a counter in the
/// low 16. Comparing the raw values orders events; ties between replicas are broken by replica id.
public struct HLCTimestamp: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let rawValue: Int64

    public init(rawValue: Int64) { self.rawValue = rawValue }

    public init(wallMillis: Int64, counter: UInt16) {
        rawValue = wallMillis << 16 | Int64(counter)
    }

    public var wallMillis: Int64 { rawValue >> 16 }
    public var counter: UInt16 { UInt16(truncatingIfNeeded: rawValue) }

    public static let zero = HLCTimestamp(rawValue: 0)

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(Int64.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    /// `2025-07-10T08:30:00.000Z` with `+N` appended when the counter is not zero.
    public var description: String {
        let date = Date(timeIntervalSince1970: Double(wallMillis) / 1000)
        let text = date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
        return counter == 0 ? text : "\(text)+\(counter)"
    }

    public static func < (lhs: HLCTimestamp, rhs: HLCTimestamp) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// The clock a replica or the server stamps its edits with (Kulkarni et al., 2014).
///
/// Pure: the wall time is passed in, so tests drive it. It never goes backwards, even when the
/// wall clock does: a stalled or rewound wall clock advances the counter instead.
public struct HybridLogicalClock: Sendable, Hashable {
    public private(set) var last: HLCTimestamp

    public init(last: HLCTimestamp = .zero) { self.last = last }

    /// The time of a local event (an edit) at wall time `wallMillis`.
    public mutating func tick(wallMillis: Int64) -> HLCTimestamp {
        advance(to: max(last.wallMillis, wallMillis), floor: last)
    }

    /// The time after receiving `remote` (a pulled change) at wall time `wallMillis`.
    public mutating func receive(_ remote: HLCTimestamp, wallMillis: Int64) -> HLCTimestamp {
        let newest = max(last, remote)
        return advance(to: max(newest.wallMillis, wallMillis), floor: newest)
    }

    private mutating func advance(to wall: Int64, floor: HLCTimestamp) -> HLCTimestamp {
        let next: HLCTimestamp
        if wall > floor.wallMillis {
            next = HLCTimestamp(wallMillis: wall, counter: 0)
        } else if floor.counter == .max {
            next = HLCTimestamp(wallMillis: floor.wallMillis + 1, counter: 0)
        } else {
            next = HLCTimestamp(wallMillis: floor.wallMillis, counter: floor.counter + 1)
        }
        last = next
        return next
    }

    /// The current wall time in milliseconds since 1970.
    public static func wallMillisNow() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}
