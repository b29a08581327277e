import Foundation
import Testing
import TestSupport

/// Another program holding an SQLite lock on a store for a moment (`sqlite3` while an analyst
/// looks, a `.backup`, a reader recovering the journal after a killed sync): commands wait for
/// it, as they wait for each other, instead of calling the file unreadable.
@Suite struct LockedStoreTests {
    /// Holds an exclusive lock on `path` for `seconds`, through the `sqlite3` shell; returns once
    /// the lock is taken.
    func holdLock(on path: String, seconds: Double) throws -> Process {
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/sh")
        shell.arguments = ["-c", "(echo 'PRAGMA locking_mode=EXCLUSIVE; BEGIN; SELECT count(*) FROM sqlite_master;'; sleep \(seconds); echo 'COMMIT;') | /usr/bin/sqlite3 \"$0\"", path]
        let out = Pipe()
        shell.standardOutput = out
        try shell.run()
        // The count comes once the lock is held.
        _ = out.fileHandleForReading.availableData
        return shell
    }

    // Regression: the check that a file is a replica (or a server store) opened it read-only
    // with no busy timeout, so a lock held elsewhere failed the command at once with exit 65,
    // "cannot be read as an SQLite database". Seen once in the process-kill tests, while
    // `sqlite3` read a replica's progress.
    @Test("a command on a replica that another program holds locked waits for it")
    func replicaLockedElsewhere() throws {
        let accord = try AccordRunner.withSample()
        let lock = try holdLock(on: accord.replica, seconds: 1)
        let result = try accord.run(["status", "--format", "json"])
        lock.waitUntilExit()
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("\"digest\""))
    }

    @Test("a server command on a store that another program holds locked waits for it")
    func serverStoreLockedElsewhere() throws {
        let directory = try TemporaryDirectory()
        let db = directory.file("server.db")
        _ = try Executables.run("accord-server", ["import", "--sample", "--db", db])
        let lock = try holdLock(on: db, seconds: 1)
        let result = try Executables.run("accord-server", ["token", "add", "alice", "--role", "editor", "--db", db])
        lock.waitUntilExit()
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.hasPrefix("acc_"))
    }
}
