import Domain
import Synchronization

extension SeededRandom {
    /// True with probability `percent` in 100.
    mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &self) < percent }

    mutating func pick<T>(_ items: [T]) -> T { items[Int.random(in: 0..<items.count, using: &self)] }
}

/// The simulation's time: every store reads it instead of the system clock, and only the
/// schedule moves it.
final class SimulatedClock: Sendable {
    private let millis: Mutex<Int64>

    /// 2026-01-01T00:00:00Z: in the past, so the server's "not more than a day ahead" check
    /// holds whatever the machine's own clock says.
    init(start: Int64 = 1_767_225_600_000) { millis = Mutex(start) }

    var now: Int64 { millis.withLock { $0 } }

    func advance(by delta: Int64) { millis.withLock { $0 += delta } }
}

/// New UUIDv7 ids from a seeded generator at the simulated time, for one store: it survives the
/// store's reopenings, so a replayed seed makes the same ids.
final class SeededIDs: Sendable {
    private let generator: Mutex<SeededRandom>
    private let clock: SimulatedClock

    init(seed: UInt64, clock: SimulatedClock) {
        generator = Mutex(SeededRandom(seed: seed))
        self.clock = clock
    }

    func next() -> RecordID {
        let now = clock.now
        return generator.withLock { RecordID.generate(at: now, using: &$0) }
    }
}
