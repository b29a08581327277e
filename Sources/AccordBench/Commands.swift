import Foundation

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Runs the package's executables (next to this one) and system tools, timing them.
struct Commands: Sendable {
    let binDirectory: URL
    let workDirectory: String

    /// The monotonic clock, in seconds.
    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    /// Runs `executable` (a path, or a name looked up on PATH) to its end; throws unless it
    /// exits 0. Returns its standard output and the seconds it took.
    @discardableResult
    func run(_ executable: String, _ arguments: [String], stdoutTo file: String? = nil) throws -> (output: String, seconds: Double) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable.contains("/") ? executable : try Self.which(executable))
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: workDirectory)
        let out = Pipe(), err = Pipe()
        if let file {
            _ = FileManager.default.createFile(atPath: file, contents: nil)
            process.standardOutput = FileHandle(forWritingAtPath: file)
        } else {
            process.standardOutput = out
        }
        process.standardError = err
        let start = Self.now()
        try process.run()
        nonisolated(unsafe) var errors = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errors = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let output = file == nil ? out.fileHandleForReading.readDataToEndOfFile() : Data()
        group.wait()
        process.waitUntilExit()
        let seconds = Self.now() - start
        guard process.terminationStatus == 0 else {
            throw BenchError("\(executable) \(arguments.joined(separator: " ")) exited \(process.terminationStatus): "
                             + String(decoding: errors, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return (String(decoding: output, as: UTF8.self), seconds)
    }

    /// `accord` with `arguments`.
    @discardableResult
    func accord(_ arguments: [String]) throws -> (output: String, seconds: Double) {
        try run(binDirectory.appendingPathComponent("accord").path, arguments)
    }

    @discardableResult
    func accordServer(_ arguments: [String]) throws -> (output: String, seconds: Double) {
        try run(binDirectory.appendingPathComponent("accord-server").path, arguments)
    }

    static func which(_ name: String) throws -> String {
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        throw BenchError("\(name) is not installed (apt-get install \(name))")
    }

    static func isInstalled(_ name: String) -> Bool { (try? which(name)) != nil }

    func path(_ name: String) -> String { workDirectory + "/" + name }

    func size(_ name: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path(name)))?[.size] as? Int) ?? 0
    }

    /// Removes a database and its WAL companions.
    func removeDatabase(_ name: String) {
        for suffix in ["", "-wal", "-shm", "-journal"] { try? FileManager.default.removeItem(atPath: path(name) + suffix) }
    }
}

/// A running `accord-server serve` on a free loopback port.
final class ServerRun {
    let process = Process()
    let port: Int

    init(commands: Commands, database: String) throws {
        process.executableURL = commands.binDirectory.appendingPathComponent("accord-server")
        process.arguments = ["serve", "--db", commands.path(database), "--host", "127.0.0.1", "--port", "0"]
        process.currentDirectoryURL = URL(fileURLWithPath: commands.workDirectory)
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        // `listening on HOST:PORT` once ready.
        var line = Data()
        while !line.contains(0x0A) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { throw BenchError("accord-server exited before it listened") }
            line += chunk
        }
        let text = String(decoding: line, as: UTF8.self)
        guard let colon = text.lastIndex(of: ":"),
              let port = Int(text[text.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw BenchError("accord-server said \(text)")
        }
        self.port = port
    }

    /// The server's peak resident memory so far (VmHWM), in bytes.
    var peakMemory: Int {
        let status = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
        return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) * 1024
    }

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    /// A bench that fails half-way leaves no server running behind it.
    deinit { stop() }
}
