import ArgumentParser
import Domain
import Storage

extension Accord {
    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the replica's identity, pending edits, conflicts and content digest."
        )

        enum Format: String, ExpressibleByArgument { case text, json }

        @OptionGroup var replica: ReplicaOptions
        @Option(help: "text or json.") var format: Format = .text

        func run() throws {
            let status = try replica.open().status()
            switch format {
            case .json: print(Self.json(status))
            case .text: print(Self.text(status), terminator: "")
            }
        }

        static func text(_ status: ReplicaStatus) -> String {
            let identity = status.identity
            let rows = EntitySchema.all.map { "\(status.liveRows[$0.name] ?? 0) \($0.name)" }.joined(separator: ", ")
            let deleted = status.deletedRows.values.reduce(0, +)
            let lines: [(String, String)] = [
                ("replica", identity.replicaID),
                ("analyst", identity.analyst),
                ("server", identity.server ?? "not set"),
                ("rows", rows + (deleted > 0 ? " (and \(deleted) deleted)" : "")),
                ("pending", "\(status.pendingChanges) field changes to push"),
                ("conflicts", "\(status.openConflicts) open"),
                ("cursor", String(identity.cursor)),
                ("last sync", identity.lastSyncAt ?? "never"),
                ("digest", status.digest),
            ]
            return lines.map { $0.0.padding(toLength: 10, withPad: " ", startingAt: 0) + "  " + $0.1 + "\n" }.joined()
        }

        static func json(_ status: ReplicaStatus) -> String {
            let identity = status.identity
            func string(_ text: String?) -> String { text.map(Interchange.jsonString) ?? "null" }
            func counts(_ values: [String: Int]) -> String {
                "{" + EntitySchema.all.map { "\"\($0.name)\":\(values[$0.name] ?? 0)" }.joined(separator: ",") + "}"
            }
            return "{\"replica_id\":\(string(identity.replicaID)),\"analyst\":\(string(identity.analyst))"
                + ",\"server\":\(string(identity.server)),\"cursor\":\(identity.cursor)"
                + ",\"last_sync_at\":\(string(identity.lastSyncAt))"
                + ",\"pending_changes\":\(status.pendingChanges),\"open_conflicts\":\(status.openConflicts)"
                + ",\"rows\":\(counts(status.liveRows)),\"deleted_rows\":\(counts(status.deletedRows))"
                + ",\"digest\":\(string(status.digest))}"
        }
    }
}
