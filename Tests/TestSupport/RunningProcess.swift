import Foundation

/// A process started in the background, for tests of long-running commands such as
/// `accord-server serve`: read its first lines, signal it, wait for its exit status.
///
/// `@unchecked Sendable`: the output buffer is guarded by `lock`.
public final class RunningProcess: @unchecked Sendable {
    private let process = Process()
    private let lock = NSLock()
    private var output = ""
    private var errors = ""

    /// Starts `name`; with `keepErrors`, its standard error is kept (else it is discarded).
    public init(_ name: String, _ arguments: [String], in directory: String? = nil, keepErrors: Bool = false) throws {
        process.executableURL = Executables.url(name)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        process.environment = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()]
        let out = Pipe()
        process.standardOutput = out
        out.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.withLock { self.output += String(decoding: data, as: UTF8.self) }
        }
        if keepErrors {
            let err = Pipe()
            process.standardError = err
            err.fileHandleForReading.readabilityHandler = { [weak self] handle in
                let data = handle.availableData
                guard let self, !data.isEmpty else { return }
                self.lock.withLock { self.errors += String(decoding: data, as: UTF8.self) }
            }
        } else {
            process.standardError = FileHandle.nullDevice
        }
        try process.run()
    }

    /// The first line of standard output that starts with `prefix`, waiting up to `seconds`.
    public func waitForLine(startingWith prefix: String, seconds: Double = 30) -> String? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let line = lock.withLock { output.split(separator: "\n").first { $0.hasPrefix(prefix) } }
            if let line { return String(line) }
            if !process.isRunning { return nil }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return nil
    }

    /// The process id, for `kill(2)` and `/proc/PID`.
    public var pid: Int32 { process.processIdentifier }

    public var isRunning: Bool { process.isRunning }

    /// Everything written to standard output so far.
    public var standardOutput: String { lock.withLock { output } }

    /// Everything written to standard error so far (with `keepErrors`).
    public var standardError: String { lock.withLock { errors } }

    /// Waits up to `seconds` for the process to exit; nil if it is still running.
    public func waitForExit(seconds: Double = 30) -> (status: Int32, signalled: Bool)? {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        if process.isRunning { return nil }
        return (process.terminationStatus, process.terminationReason == .uncaughtSignal)
    }

    /// Sends `signal` and waits up to `seconds` for the exit status; nil if it did not exit.
    public func stop(signal: Int32 = SIGTERM, seconds: Double = 30) -> Int32? {
        kill(process.processIdentifier, signal)
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning {
            process.terminate()
            return nil
        }
        return process.terminationStatus
    }

    deinit {
        if process.isRunning { process.terminate() }
    }
}
