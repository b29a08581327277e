import Foundation

/// Runs the `sqlite3` command-line shell on a database file, as an operator would: for reading a
/// replica's progress while `accord` writes it, and for `PRAGMA integrity_check`.
public enum SQLiteShell {
    /// The shell's output for `sql` (columns separated by `|`), trimmed; nil if it failed.
    public static func query(_ path: String, _ sql: String) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        // Waits for a lock instead of failing at once while the database is being written.
        process.arguments = ["-cmd", ".timeout 2000", path, sql]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `PRAGMA integrity_check`: "ok" for a sound file, else what is wrong.
    public static func integrityCheck(_ path: String) -> String {
        query(path, "PRAGMA integrity_check") ?? "sqlite3 failed on \(path)"
    }
}
