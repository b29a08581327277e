import ArgumentParser
import Domain
import Storage

extension Accord {
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one commitment with each field's version.")

        enum Format: String, ExpressibleByArgument { case text, json }

        @OptionGroup var replica: ReplicaOptions
        @Argument(help: "The commitment's id or a unique prefix.") var id: String
        @Option(help: "text or json.") var format: Format = .text

        func run() throws {
            let store = try replica.open()
            let target = try store.resolveID(.commitments, prefix: id)
            guard let row = try store.record(.commitments, id: target) else {
                throw CLIError.missing("no commitment with id \(id)")
            }
            let versions = try store.versions(.commitments, id: target)
            switch format {
            case .json: print(Self.json(row, versions: versions))
            case .text: print(Self.text(row, versions: versions), terminator: "")
            }
        }

        static func versionText(_ version: FieldVersion) -> String {
            let state = switch (version.pending, version.serverSeq) {
            case (true, let seq?): "not yet pushed; based on server seq \(seq)"
            case (true, nil): "not yet pushed"
            case (false, let seq?): "server seq \(seq)"
            case (false, nil): "not on the server"
            }
            return "\(version.analyst) at \(version.hlc) (\(state))"
        }

        static func text(_ row: EntityRow, versions: [String: FieldVersion]) -> String {
            let terminal = Terminal.current
            var out = terminal.bold("commitment \(row.id.text)") + (row.deleted ? "  (deleted)" : "") + "\n"
            let names = EntitySchema.commitments.syncedFieldNames
            let labelWidth = names.map(\.count).max() ?? 0
            for name in names {
                let value = name == EntitySchema.deletedField ? (row.deleted ? "yes" : nil) : row[name].text
                guard let value else { continue }
                out += name.padding(toLength: labelWidth, withPad: " ", startingAt: 0) + "  " + value + "\n"
                if let version = versions[name] {
                    out += String(repeating: " ", count: labelWidth + 2) + terminal.dim("↳ " + versionText(version)) + "\n"
                }
            }
            return out
        }

        static func json(_ row: EntityRow, versions: [String: FieldVersion]) -> String {
            let fields = EntitySchema.commitments.syncedFieldNames.compactMap { name -> String? in
                guard let version = versions[name] else { return nil }
                let seq = version.serverSeq.map(String.init) ?? "null"
                return Interchange.jsonString(name) + ":{\"server_seq\":\(seq),\"hlc\":\(version.hlc.rawValue)"
                    + ",\"time\":" + Interchange.jsonString(version.hlc.description)
                    + ",\"replica_id\":" + Interchange.jsonString(version.replicaID)
                    + ",\"analyst\":" + Interchange.jsonString(version.analyst)
                    + ",\"pending\":\(version.pending)}"
            }
            return "{\"commitment\":" + Interchange.jsonLine(row, schema: .commitments)
                + ",\"deleted\":\(row.deleted),\"versions\":{" + fields.joined(separator: ",") + "}}"
        }
    }
}
