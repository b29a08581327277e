import Foundation
import Synchronization
import Testing

/// Deterministic simulation (docs/RELIABILITY.md): many seeded schedules of edits, syncs and
/// faults over the real engine, server session and stores, each checked for convergence, no
/// lost edit, idempotence and sound files.
///
/// `ACCORD_SIMULATION_SEEDS=N` runs seeds 1...N (default 2000, what `make test` runs);
/// `ACCORD_SIMULATION_FIRST=K` starts at K; `ACCORD_SIMULATION_SEED=S` replays one seed and
/// prints its whole schedule (`make soak SEEDS=N`, `make soak SEED=S`).
@Suite struct SimulationTests {
    static let environment = ProcessInfo.processInfo.environment
    /// Shares run in parallel (on every core), each taking the next seed from `queue`.
    static let shares = 4

    /// The seeds of this run: `ACCORD_SIMULATION_SEED`, or `ACCORD_SIMULATION_SEEDS` from
    /// `ACCORD_SIMULATION_FIRST`.
    static let seeds: ClosedRange<UInt64> = {
        if let one = environment["ACCORD_SIMULATION_SEED"].flatMap(UInt64.init) { return one...one }
        let first = environment["ACCORD_SIMULATION_FIRST"].flatMap(UInt64.init) ?? 1
        let count = environment["ACCORD_SIMULATION_SEEDS"].flatMap(UInt64.init) ?? 2000
        return first...(first + max(count, 1) - 1)
    }()
    /// Handed out one at a time to the shares: with fixed shares, one that drew long schedules
    /// kept a core busy for minutes while the others waited.
    static let queue = SeedQueue(seeds)

    @Test("seeded schedules with cuts, lost answers, duplicates and crashes converge without losing an edit",
          arguments: 0..<shares)
    func seededSchedules(share: Int) async throws {
        let seeds = Self.seeds
        let started = Date()
        var total = SimulationStats()
        var failures: [SimulationFailure] = []
        while let seed = Self.queue.take() {
            do {
                total = total + (try await Simulation.run(seed: seed, verbose: seeds.count == 1)).stats
            } catch let failure as SimulationFailure {
                failures.append(failure)
                print("\(failure)")
                if failures.count >= 5 { break }
            }
            if total.schedules % 1000 == 0 && total.schedules > 0 {
                // A long soak reports as it goes, so a stopped run still tells how far it got.
                print("simulation: share \(share + 1) of \(Self.shares): \(total.schedules) schedules, up to seed \(seed), "
                      + "\(failures.count) failed, \(total.faults) faults, " + String(format: "%.0f s", Date().timeIntervalSince(started)))
            }
        }
        let seconds = Date().timeIntervalSince(started)
        // Shares start as cores come free: one that starts after the queue ran dry says nothing.
        if total.schedules > 0 || !failures.isEmpty {
            print("simulation: seeds \(seeds.lowerBound)...\(seeds.upperBound), share \(share + 1) of \(Self.shares): \(total); "
                  + "\(failures.count) failed; " + String(format: "%.1f s", seconds))
        }
        for failure in failures { Issue.record("\(failure)") }
        #expect(total.faults > 0 || total.schedules < 10, "the schedules injected no fault at all")
    }

    @Test("a seed replays exactly: the same schedule, the same ids, the same final digest")
    func replaysExactly() async throws {
        let first = try await Simulation.run(seed: 4242)
        let second = try await Simulation.run(seed: 4242)
        #expect(first.trace == second.trace)
        #expect(first.digest == second.digest)
        let other = try await Simulation.run(seed: 4243)
        #expect(other.trace != first.trace)
    }
}

/// Seeds taken one at a time by the shares running in parallel.
final class SeedQueue: Sendable {
    private let next: Mutex<(seed: UInt64, last: UInt64, done: Bool)>

    init(_ seeds: ClosedRange<UInt64>) {
        next = Mutex((seeds.lowerBound, seeds.upperBound, false))
    }

    func take() -> UInt64? {
        next.withLock { state in
            guard !state.done else { return nil }
            let seed = state.seed
            if seed == state.last { state.done = true } else { state.seed += 1 }
            return seed
        }
    }
}
