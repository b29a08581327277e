import Foundation
import Testing
import TestSupport

/// A real `accord-server serve` over one store file that a test may SIGKILL and start again on
/// the same file (on the same port when it is still free, else on a new one).
///
/// `@unchecked Sendable`: `process` and `address` change only under `lock`; the kill tests read
/// the address from a background thread while the main one restarts the server.
final class ServerProcess: @unchecked Sendable {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let db: String
    let directory: String
    let options: [String]
    private let lock = NSLock()
    private var process: RunningProcess
    private var currentAddress: String

    /// Starts `serve` on a free port over `db`, with `options` (`--idle-seconds 5`, …).
    init(db: String, in directory: String, options: [String] = []) throws {
        self.db = db
        self.directory = directory
        self.options = options
        (process, currentAddress) = try Self.start(db: db, port: 0, options: options, in: directory)
    }

    deinit { _ = process.stop() }

    /// HOST:PORT as the server printed it.
    var address: String { lock.withLock { currentAddress } }
    var port: Int { Int(address.split(separator: ":").last ?? "") ?? 0 }
    var pid: Int32 { lock.withLock { process.pid } }
    var isRunning: Bool { lock.withLock { process.isRunning } }

    private static func start(db: String, port: Int, options: [String], in directory: String) throws -> (RunningProcess, String) {
        let process = try RunningProcess("accord-server", ["serve", "--port", String(port), "--db", db] + options, in: directory,
                                         keepErrors: true)
        guard let line = process.waitForLine(startingWith: "listening on ") else {
            _ = process.stop(signal: SIGKILL)
            throw Failure(description: "accord-server did not start on port \(port)")
        }
        return (process, String(line.dropFirst("listening on ".count)))
    }

    /// SIGKILLs the server and waits for it to be gone; true if it was running.
    @discardableResult
    func kill() -> Bool {
        let victim = lock.withLock { process }
        guard victim.isRunning else { return false }
        let result = victim.stop(signal: SIGKILL)
        return result != nil
    }

    /// Starts the server again on the same store, on the same port if it can.
    func restart() throws {
        let port = self.port
        let started: (RunningProcess, String)
        if let samePort = try? Self.start(db: db, port: port, options: options, in: directory) {
            started = samePort
        } else {
            started = try Self.start(db: db, port: 0, options: options, in: directory)
        }
        lock.withLock { (process, currentAddress) = started }
    }

    /// What the server has logged (standard error) since it last started.
    var log: String { lock.withLock { process }.standardError }

    /// SIGTERM, as an operator stops it; the exit status (0 for a clean stop).
    func stop() -> Int32? { lock.withLock { process }.stop() }

    /// The server's resident memory now and at its highest, in KiB (`/proc/PID/status`).
    func memory() -> (rss: Int, peak: Int)? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        func value(_ key: String) -> Int? {
            status.split(separator: "\n").first { $0.hasPrefix(key + ":") }
                .flatMap { Int($0.dropFirst(key.count + 1).trimmingCharacters(in: .whitespaces).split(separator: " ").first ?? "") }
        }
        guard let rss = value("VmRSS"), let peak = value("VmHWM") else { return nil }
        return (rss, peak)
    }

    /// How many sockets the server holds open (its listener included).
    func openSockets() -> Int {
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []
        return fds.filter { fd in
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(fd)"))?.hasPrefix("socket:") == true
        }.count
    }
}
