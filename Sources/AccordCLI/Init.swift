import ArgumentParser
import Domain
import Foundation
import Storage

extension Accord {
    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a new replica.")

        @OptionGroup var replica: ReplicaOptions
        @Option(help: "The sync server, HOST:PORT.") var server: String?
        @Option(help: "The analyst's token for the server.") var token: String?
        @Option(help: "Your name, recorded with every edit (default: $USER).") var analyst: String?

        func validate() throws {
            if let server, !isHostPort(server) {
                throw ValidationError("--server must be HOST:PORT with a port from 1 to 65535, not \"\(server)\"")
            }
            if let token, token.isEmpty || token.contains(where: \.isWhitespace) {
                throw ValidationError("--token must be a non-empty token without spaces")
            }
            if let analyst, !isValidAnalyst(analyst) {
                throw ValidationError("--analyst must be 1 to 64 printable characters on one line")
            }
        }

        func run() throws {
            let environment = ProcessInfo.processInfo.environment
            let name = analyst ?? [environment["USER"], environment["LOGNAME"]].compactMap { $0 }
                .first(where: isValidAnalyst) ?? "analyst"
            let store = try ReplicaStore.create(at: replica.path, analyst: name, server: server, token: token)
            let identity = try store.identity()
            print("created replica \(replica.path) (replica \(identity.replicaID), analyst \(identity.analyst))")
        }
    }
}

func isHostPort(_ text: String) -> Bool {
    guard let colon = text.lastIndex(of: ":") else { return false }
    let host = text[..<colon]
    guard let port = Int(text[text.index(after: colon)...]) else { return false }
    return !host.isEmpty && !host.contains(where: \.isWhitespace) && (1...65535).contains(port)
}

func isValidAnalyst(_ name: String) -> Bool {
    !name.trimmingCharacters(in: .whitespaces).isEmpty && name.count <= 64
        && !name.unicodeScalars.contains(where: \.isControl)
}
