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

    @Test("seeded schedules with cuts, lost answers, duplicates and crashes converge without losing an edit")
    func seededSchedules() async throws {
        let seeds: ClosedRange<UInt64>
        if let one = Self.environment["ACCORD_SIMULATION_SEED"].flatMap(UInt64.init) {
            seeds = one...one
        } else {
            let first = Self.environment["ACCORD_SIMULATION_FIRST"].flatMap(UInt64.init) ?? 1
            let count = Self.environment["ACCORD_SIMULATION_SEEDS"].flatMap(UInt64.init) ?? 2000
            seeds = first...(first + max(count, 1) - 1)
        }
        let started = Date()
        var total = SimulationStats()
        var failures: [SimulationFailure] = []
        for seed in seeds {
            do {
                total = total + (try await Simulation.run(seed: seed, verbose: seeds.count == 1))
            } catch let failure as SimulationFailure {
                failures.append(failure)
                if failures.count >= 5 { break }
            }
        }
        let seconds = Date().timeIntervalSince(started)
        print("simulation: seeds \(seeds.lowerBound)...\(seeds.upperBound): \(total); \(failures.count) failed; "
              + String(format: "%.1f s", seconds))
        for failure in failures { Issue.record("\(failure)") }
        #expect(total.faults > 0 || seeds.count < 10, "the schedules injected no fault at all")
    }
}
