import ArgumentParser
import Foundation
import Storage
import SyncClient

extension Accord {
    struct Sync: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Push local edits, then pull everyone else's; prints a summary.",
            discussion: "A cut or failed sync leaves the replica consistent; run it again to finish."
        )

        @OptionGroup var replica: ReplicaOptions
        @Option(help: "The server, HOST:PORT (default: the one given to init); remembered.") var server: String?
        @Option(help: "The token (default: the one given to init); remembered.") var token: String?
        @Flag(help: "Start over with a replaced or restored server database (keeps pending edits).") var reclone = false
        @Option(help: "Give up when the server sends nothing for this many seconds while an answer is due.") var timeout: Int64 = 120

        func validate() throws {
            if let server, !isHostPort(server) {
                throw ValidationError("--server must be HOST:PORT with a port from 1 to 65535, not \"\(server)\"")
            }
            guard timeout > 0 else { throw ValidationError("--timeout must be at least 1 second") }
        }

        func run() async throws {
            let store = try replica.open()
            if server != nil || token != nil { try store.setServer(server, token: token) }
            var configuration = SyncConfiguration()
            configuration.reclone = reclone
            configuration.readTimeoutSeconds = timeout
            let interactive = isatty(STDERR_FILENO) == 1
            let summary = try await SyncEngine.sync(store, configuration: configuration) { event in
                guard interactive else { return }
                let text = switch event {
                case .connected(let server, let compression): "connected to \(server) (\(compression))"
                case .pushed(let changes, let conflicts): "pushed \(changes) changes (\(conflicts) conflicts)"
                case .pulled(let fields): "pulled \(fields) fields"
                }
                FileHandle.standardError.write(Data("\r\u{1B}[K\(text)".utf8))
            }
            if interactive { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            let open = try store.openConflictCount()
            print("pushed \(summary.pushed) changes (\(summary.conflicts) new conflicts), pulled \(summary.pulled) fields; \(open) open conflicts")
            if summary.notPushed > 0 {
                // The pull went through; the push is refused, and says so with its own exit code.
                throw SyncClientError(.refused, "this token may only pull: \(summary.notPushed) local edits were not pushed")
            }
        }
    }
}
