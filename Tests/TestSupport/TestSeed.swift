import Domain
import Foundation

/// The seed of a test that draws its moments at random: `ACCORD_TEST_SEED` when it is set, else a
/// fresh one. The test prints it, so `ACCORD_TEST_SEED=N swift test` replays the run exactly
/// through `SeededRandom(seed:)`.
public enum TestSeed {
    public static func fromEnvironment() -> UInt64 {
        ProcessInfo.processInfo.environment["ACCORD_TEST_SEED"].flatMap { UInt64($0) }
            ?? UInt64.random(in: 1...UInt64(Int64.max))
    }
}
