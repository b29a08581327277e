import Foundation
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
    /// Seeds run in interleaved shares, in parallel (on every core).
    static let shares = 4

    @Test("seeded schedules with cuts, lost answers, duplicates and crashes converge without losing an edit",
          arguments: 0..<shares)
    func seededSchedules(share: Int) async throws {
        let seeds: ClosedRange<UInt64>
        if let one = Self.environment["ACCORD_SIMULATION_SEED"].flatMap(UInt64.init) {
            guard share == 0 else { return }
            seeds = one...one
        } else {
            let first = Self.environment["ACCORD_SIMULATION_FIRST"].flatMap(UInt64.init) ?? 1
            let count = Self.environment["ACCORD_SIMULATION_SEEDS"].flatMap(UInt64.init) ?? 2000
            seeds = first...(first + max(count, 1) - 1)
        }
        let started = Date()
        var total = SimulationStats()
        var failures: [SimulationFailure] = []
        for seed in seeds where seeds.count == 1 || seed % UInt64(Self.shares) == UInt64(share) {
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
        print("simulation: seeds \(seeds.lowerBound)...\(seeds.upperBound), share \(share + 1) of \(Self.shares): \(total); "
              + "\(failures.count) failed; " + String(format: "%.1f s", seconds))
        for failure in failures { Issue.record("\(failure)") }
        #expect(total.faults > 0 || seeds.count < 40, "the schedules injected no fault at all")
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
