import Foundation

/// What a finished process printed and how it exited.
public struct ProcessResult: Sendable, CustomStringConvertible {
    public var status: Int32
    public var stdout: String
    public var stderr: String

    public var description: String { "exit \(status)\nstdout: \(stdout)\nstderr: \(stderr)" }
}

/// Finds and runs the package's built executables (`accord`, `accord-server`).
public enum Executables {
    /// The build products folder: `ACCORD_BIN_DIR` if set, else the folder holding the test bundle.
    public static var directory: URL {
        if let override = ProcessInfo.processInfo.environment["ACCORD_BIN_DIR"] {
            return URL(fileURLWithPath: override)
        }
        var url = Bundle.main.bundleURL
        while url.path != "/" {
            if FileManager.default.isExecutableFile(atPath: url.appendingPathComponent("accord").path) { return url }
            url.deleteLastPathComponent()
        }
        return Bundle.main.bundleURL.deletingLastPathComponent()
    }

    public static func url(_ name: String) -> URL { directory.appendingPathComponent(name) }

    /// Runs `name` with `arguments` in `directory`, with `environment` added to a clean one,
    /// and waits for it. Standard input is empty.
    public static func run(
        _ name: String, _ arguments: [String], in workingDirectory: String? = nil,
        environment: [String: String] = [:], input: String? = nil
    ) throws -> ProcessResult {
        let process = Process()
        process.executableURL = url(name)
        process.arguments = arguments
        if let workingDirectory { process.currentDirectoryURL = URL(fileURLWithPath: workingDirectory) }
        var base = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory(), "USER": "tester", "NO_COLOR": "1"]
        base.merge(environment) { $1 }
        process.environment = base
        let out = Pipe(), err = Pipe(), inPipe = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = inPipe
        try process.run()
        if let input { inPipe.fileHandleForWriting.write(Data(input.utf8)) }
        try inPipe.fileHandleForWriting.close()
        // Read both pipes to the end before waiting, so a large output cannot block the child.
        let group = DispatchGroup()
        nonisolated(unsafe) var errData = Data()
        group.enter()
        DispatchQueue.global().async {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return ProcessResult(
            status: process.terminationStatus,
            stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self)
        )
    }
}

/// The bytes of a file, for "left byte-for-byte as it was" checks; nil if it does not exist.
public func fileBytes(_ path: String) -> Data? {
    FileManager.default.contents(atPath: path)
}
