import ArgumentParser
import Foundation
import Storage

/// `--replica PATH`, shared by every command.
struct ReplicaOptions: ParsableArguments {
    @Option(name: .long, help: "The replica file (default: $ACCORD_REPLICA, else ./accord.db).")
    var replica: String?

    var path: String {
        if let replica { return replica }
        if let fromEnvironment = ProcessInfo.processInfo.environment["ACCORD_REPLICA"], !fromEnvironment.isEmpty {
            return fromEnvironment
        }
        return "accord.db"
    }

    func open() throws -> ReplicaStore {
        try ReplicaStore.open(at: path)
    }
}
