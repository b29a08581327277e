import Foundation
import Testing
@testable import Domain

@Suite struct HybridLogicalClockTests {
    /// 2025-07-10T08:30:00Z in Unix milliseconds.
    static let morning: Int64 = 1_752_136_200_000

    // MARK: HLCTimestamp

    @Test("The raw value packs wall milliseconds in the high 48 bits and the counter in the low 16")
    func packing() {
        #expect(HLCTimestamp(wallMillis: 1, counter: 2).rawValue == 65_538)
        #expect(HLCTimestamp(wallMillis: 0, counter: .max).rawValue == 65_535)
        #expect(HLCTimestamp(wallMillis: Self.morning, counter: 3).rawValue == 114_827_998_003_200_003)
    }

    @Test("Wall time and counter are read back from the raw value")
    func unpacking() {
        let stamp = HLCTimestamp(rawValue: 114_827_998_003_200_003)
        #expect(stamp.wallMillis == Self.morning)
        #expect(stamp.counter == 3)
        #expect(HLCTimestamp.zero.wallMillis == 0 && HLCTimestamp.zero.counter == 0)
    }

    @Test("Timestamps order by wall time, then by counter")
    func ordering() {
        let early = HLCTimestamp(wallMillis: 1000, counter: 65_535)
        let later = HLCTimestamp(wallMillis: 1001, counter: 0)
        let laterStill = HLCTimestamp(wallMillis: 1001, counter: 1)
        #expect(early < later)
        #expect(later < laterStill)
        #expect([laterStill, early, later].sorted() == [early, later, laterStill])
    }

    @Test("A timestamp is coded in JSON as its raw value")
    func coding() throws {
        let data = try JSONEncoder().encode(HLCTimestamp(wallMillis: 1, counter: 2))
        #expect(String(decoding: data, as: UTF8.self) == "65538")
        #expect(try JSONDecoder().decode(HLCTimestamp.self, from: Data("65538".utf8)) == HLCTimestamp(wallMillis: 1, counter: 2))
    }

    @Test("The description is the UTC time, with the counter appended when not zero")
    func description() {
        #expect(HLCTimestamp(wallMillis: Self.morning, counter: 0).description == "2025-07-10T08:30:00.000Z")
        #expect(HLCTimestamp(wallMillis: Self.morning + 42, counter: 7).description == "2025-07-10T08:30:00.042Z+7")
    }

    // MARK: Clock

    @Test("A tick at a later wall time takes that wall time with a zero counter")
    func tickAdvances() {
        var clock = HybridLogicalClock()
        #expect(clock.tick(wallMillis: 1000) == HLCTimestamp(wallMillis: 1000, counter: 0))
        #expect(clock.tick(wallMillis: 2500) == HLCTimestamp(wallMillis: 2500, counter: 0))
        #expect(clock.last == HLCTimestamp(wallMillis: 2500, counter: 0))
    }

    @Test("Ticks at the same wall time increment the counter")
    func tickSameWall() {
        var clock = HybridLogicalClock()
        let stamps = (0..<3).map { _ in clock.tick(wallMillis: 1000) }
        #expect(stamps == [
            HLCTimestamp(wallMillis: 1000, counter: 0),
            HLCTimestamp(wallMillis: 1000, counter: 1),
            HLCTimestamp(wallMillis: 1000, counter: 2),
        ])
    }

    @Test("When the wall clock goes backwards, ticks keep increasing on the last wall time")
    func wallBackwards() {
        var clock = HybridLogicalClock()
        let stamps = [5000, 4000, 3000, 5000, 6000, 1].map { clock.tick(wallMillis: $0) }
        #expect(stamps == [
            HLCTimestamp(wallMillis: 5000, counter: 0),
            HLCTimestamp(wallMillis: 5000, counter: 1),
            HLCTimestamp(wallMillis: 5000, counter: 2),
            HLCTimestamp(wallMillis: 5000, counter: 3),
            HLCTimestamp(wallMillis: 6000, counter: 0),
            HLCTimestamp(wallMillis: 6000, counter: 1),
        ])
    }

    @Test("Ticks are strictly increasing under an erratic wall clock")
    func strictlyIncreasing() {
        var clock = HybridLogicalClock()
        var previous = HLCTimestamp.zero
        var wall: Int64 = 1_000_000
        for step in 0..<10_000 {
            // A deterministic walk that mostly stalls or goes backwards.
            wall += Int64((step * 7919) % 11) - 6
            let stamp = clock.tick(wallMillis: wall)
            #expect(stamp > previous, "step \(step)")
            previous = stamp
        }
    }

    @Test("At the counter's maximum, the next tick moves the wall time on by one millisecond")
    func counterOverflow() {
        var clock = HybridLogicalClock(last: HLCTimestamp(wallMillis: 1000, counter: .max))
        #expect(clock.tick(wallMillis: 1000) == HLCTimestamp(wallMillis: 1001, counter: 0))
        #expect(clock.tick(wallMillis: 999) == HLCTimestamp(wallMillis: 1001, counter: 1))
    }

    @Test("Receiving a timestamp ahead of us returns one greater than it")
    func receiveAhead() {
        var clock = HybridLogicalClock(last: HLCTimestamp(wallMillis: 1000, counter: 5))
        let remote = HLCTimestamp(wallMillis: 5000, counter: 3)
        let stamp = clock.receive(remote, wallMillis: 2000)
        #expect(stamp == HLCTimestamp(wallMillis: 5000, counter: 4))
        #expect(stamp > remote)
        #expect(clock.tick(wallMillis: 2000) == HLCTimestamp(wallMillis: 5000, counter: 5))
    }

    @Test("Receiving a remote timestamp at its maximum counter moves past it")
    func receiveAheadOverflow() {
        var clock = HybridLogicalClock()
        let remote = HLCTimestamp(wallMillis: 5000, counter: .max)
        #expect(clock.receive(remote, wallMillis: 10) == HLCTimestamp(wallMillis: 5001, counter: 0))
    }

    @Test("Receiving when our wall clock is ahead of both takes the wall time")
    func receiveWallAhead() {
        var clock = HybridLogicalClock(last: HLCTimestamp(wallMillis: 1000, counter: 5))
        #expect(clock.receive(HLCTimestamp(wallMillis: 3000, counter: 9), wallMillis: 8000) == HLCTimestamp(wallMillis: 8000, counter: 0))
    }

    @Test("Receiving a timestamp behind us still advances our own")
    func receiveBehind() {
        var clock = HybridLogicalClock(last: HLCTimestamp(wallMillis: 5000, counter: 2))
        let stamp = clock.receive(HLCTimestamp(wallMillis: 1000, counter: 9), wallMillis: 100)
        #expect(stamp == HLCTimestamp(wallMillis: 5000, counter: 3))
    }

    @Test("The wall time now is close to the system time in milliseconds")
    func wallNow() {
        let expected = Int64(Date().timeIntervalSince1970 * 1000)
        #expect(abs(HybridLogicalClock.wallMillisNow() - expected) < 60_000)
    }
}
