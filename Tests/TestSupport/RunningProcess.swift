import Foundation

/// A process started in the background, for tests of long-running commands such as
/// `accord-server serve`: read its first lines, signal it, wait for its exit status.
///
/// `@unchecked Sendable`: the output buffer is guarded by `lock`.
public final class RunningProcess: @unchecked Sendable {
    private let process = Process()
    private let lock = NSLock()
    private var output = ""

    public init(_ name: String, _ arguments: [String], in directory: String? = nil) throws {
        process.executableURL = Executables.url(name)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        process.environment = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        out.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.withLock { self.output += String(decoding: data, as: UTF8.self) }
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
