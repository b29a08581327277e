import ArgumentParser
import Foundation
import Storage

/// `accord-server`: the operator's command: serve, tokens, import.
struct AccordServer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "accord-server",
        abstract: "The Accord sync server and its store.",
        discussion: "Every command works on the store named by --db (default: $ACCORD_SERVER_DB, else ./accord-server.db).",
        subcommands: [Serve.self, TokenCommand.self, ImportData.self]
    )
}

/// `--db PATH`, shared by every command.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: "The server store (default: $ACCORD_SERVER_DB, else ./accord-server.db).")
    var db: String?

    var path: String {
        if let db { return db }
        if let fromEnvironment = ProcessInfo.processInfo.environment["ACCORD_SERVER_DB"], !fromEnvironment.isEmpty {
            return fromEnvironment
        }
        return "accord-server.db"
    }

    func open() throws -> ServerStore { try ServerStore.open(at: path) }
}

@main
enum Main {
    /// Runs the command; any failure is one `error: …` line on stderr and a non-zero exit.
    static func main() async {
        do {
            var command = try AccordServer.parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if AccordServer.exitCode(for: error) == .success { AccordServer.exit(withError: error) }
            let (message, code): (String, Int32) = switch error {
            case let error as StoreError: (error.message, error.code == .notFound ? 66 : 65)
            case let error as ValidationError: (error.message, 64)
            default: (AccordServer.message(for: error), AccordServer.exitCode(for: error) == .validationFailure ? 64 : 1)
            }
            let line = message.split(whereSeparator: \.isNewline).filter { !$0.hasPrefix("Usage:") && !$0.hasPrefix("See '") }.joined(separator: " ")
            FileHandle.standardError.write(Data("error: \(line)\n".utf8))
            exit(code)
        }
    }
}
