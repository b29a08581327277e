import GRDB
import Synchronization

/// The error a simulated crash throws: the transaction it interrupts is rolled back, as if the
/// process had died before its commit reached the disk.
struct SimulatedCrash: Error {}

/// Watches a store's transactions and, once armed, fails the n-th commit from then on: the
/// way to crash a replica or the server in the middle of a sync step.
final class CrashInjector: TransactionObserver, Sendable {
    private let remaining = Mutex<Int?>(nil)

    /// Fails the `commits`-th commit from now (1: the next one).
    func arm(afterCommits commits: Int) { remaining.withLock { $0 = commits } }

    func disarm() { remaining.withLock { $0 = nil } }

    /// Whether the armed crash happened.
    var fired: Bool { remaining.withLock { $0 == 0 } }

    // No events needed: every observer hears `databaseWillCommit`.
    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool { false }
    func databaseDidChange(with event: DatabaseEvent) {}

    func databaseWillCommit() throws {
        try remaining.withLock { remaining in
            guard let left = remaining, left > 0 else { return }
            remaining = left - 1
            if left == 1 { throw SimulatedCrash() }
        }
    }

    func databaseDidCommit(_ db: Database) {}
    func databaseDidRollback(_ db: Database) {}
}
