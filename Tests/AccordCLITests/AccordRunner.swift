import Foundation
import Testing
import TestSupport

/// Runs the real `accord` binary against a replica in a temporary directory.
struct AccordRunner {
    let directory: TemporaryDirectory
    let replica: String

    init(name: String = "accord.db") throws {
        directory = try TemporaryDirectory()
        replica = directory.file(name)
    }

    /// `accord ARGS --replica PATH` (the replica flag added unless `replicaFlag` is false).
    @discardableResult
    func run(_ arguments: [String], replicaFlag: Bool = true, environment: [String: String] = [:]) throws -> ProcessResult {
        try Executables.run("accord", arguments + (replicaFlag ? ["--replica", replica] : []),
                            in: directory.path, environment: environment)
    }

    /// Runs a command that must succeed, and returns its standard output.
    @discardableResult
    func ok(_ arguments: String..., sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        try ok(arguments, sourceLocation: sourceLocation)
    }

    @discardableResult
    func ok(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let result = try run(arguments)
        #expect(result.status == 0, "\(arguments): \(result)", sourceLocation: sourceLocation)
        return result.stdout
    }

    /// Runs a command that must fail with one `error:` line and leave the replica's bytes as they were.
    @discardableResult
    func refused(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let before = fileBytes(replica)
        let result = try run(arguments)
        #expect(result.status != 0, "\(arguments) should fail: \(result)", sourceLocation: sourceLocation)
        let lines = result.stderr.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.isEmpty }
        #expect(lines.count == 1 && lines[0].hasPrefix("error: "), "\(arguments): \(result)", sourceLocation: sourceLocation)
        #expect(result.stdout.isEmpty, "\(arguments) printed on stdout: \(result.stdout)", sourceLocation: sourceLocation)
        #expect(fileBytes(replica) == before, "\(arguments) changed the replica", sourceLocation: sourceLocation)
        #expect(!FileManager.default.fileExists(atPath: replica + "-wal") || before == nil, sourceLocation: sourceLocation)
        return String(lines.first ?? "")
    }

    /// A replica made with `init`, holding the sample dataset.
    static func withSample() throws -> AccordRunner {
        let runner = try AccordRunner()
        try runner.ok("init", "--analyst", "alice")
        try runner.ok("import", "--sample")
        return runner
    }

    /// `sqlite3 REPLICA SQL`, the way an analyst would open the file.
    func sqlite(_ sql: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = [replica, sql]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}

/// A lowercase UUIDv7.
func isUUIDv7(_ text: String) -> Bool {
    text.wholeMatch(of: /[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/) != nil
}
