import ArgumentParser
import Foundation

@main
enum AccordBenchMain {
    /// Runs the bench; every failure is one `error: …` line on stderr and exit 1 (64 for usage).
    static func main() {
        do {
            var command = try AccordBench.parseAsRoot()
            try command.run()
        } catch {
            let code = AccordBench.exitCode(for: error)
            if code == .success { AccordBench.exit(withError: error) }
            let message = error is BenchError ? "\(error)" : AccordBench.message(for: error)
            FileHandle.standardError.write(Data("error: \(message.split(separator: "\n").first ?? "")\n".utf8))
            exit(error is BenchError ? 1 : 64)
        }
    }
}

/// `make bench`: generates N synthetic commitments, runs a real `accord-server` on loopback and
/// real `accord` commands, and prints each figure beside a reference measured in the same run.
struct AccordBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "accord-bench",
        abstract: "Benchmark Accord against sqlite3, gzip and a file copy on N synthetic commitments."
    )

    @Option(help: "Synthetic commitments.") var rows = 100_000
    @Option(help: "Runs of each measurement (the median is reported).") var runs = 3
    @Flag(help: "Print JSON instead of a markdown table.") var json = false
    @Option(help: "Work in this directory and keep it (default: a temporary one, removed).") var keep: String?

    func validate() throws {
        guard rows >= 1, runs >= 1 else { throw ValidationError("--rows and --runs must be at least 1") }
    }

    func run() throws {
        let binDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for name in ["accord", "accord-server"] where !FileManager.default.isExecutableFile(atPath: binDirectory.appendingPathComponent(name).path) {
            throw BenchError("\(name) is not next to accord-bench in \(binDirectory.path): build everything with swift build -c release")
        }
        for tool in ["sqlite3", "gzip"] { _ = try Commands.which(tool) }
        let directory = keep ?? NSTemporaryDirectory() + "accord-bench-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { if keep == nil { try? FileManager.default.removeItem(atPath: directory) } }
        var bench = Bench(rows: rows, runs: runs, commands: Commands(binDirectory: binDirectory, workDirectory: directory))
        try bench.run { step in FileHandle.standardError.write(Data("bench: \(step)\n".utf8)) }
        print(json ? try Report.json(bench.figures, rows: rows, runs: runs) : Report.markdown(bench.figures, rows: rows, runs: runs))
    }
}
