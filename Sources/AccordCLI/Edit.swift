import ArgumentParser
import Domain

extension Accord {
    struct Edit: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change fields of a commitment.",
            discussion: "--tag replaces the tags. --clear FIELD (repeatable) empties a field, by flag or column name."
        )

        @OptionGroup var replica: ReplicaOptions
        @Argument(help: "The commitment's id or a unique prefix.") var id: String
        @OptionGroup var fields: FieldOptions
        @Option(help: "A field to empty, e.g. --clear amount; repeatable.") var clear: [String] = []

        func validate() throws {
            if fields.isEmpty && clear.isEmpty { throw ValidationError("nothing to change: give field flags or --clear FIELD") }
            for name in clear where Self.fields(forClear: name) == nil {
                throw ValidationError("--clear \(name): not a field (one of \(FieldOptions.fieldsByFlag.keys.sorted().joined(separator: ", ")))")
            }
        }

        static func fields(forClear name: String) -> [String]? {
            if let byFlag = FieldOptions.fieldsByFlag[name] { return byFlag }
            return EntitySchema.commitments.field(named: name).map { [$0.name] }
        }

        func run() throws {
            let store = try replica.open()
            let target = try store.resolveID(.commitments, prefix: id)
            var changes = try fields.values(store: store)
            for name in clear {
                for field in Self.fields(forClear: name) ?? [] {
                    if changes[field] != nil { throw CLIError.usage("--clear \(name) contradicts a flag that sets it") }
                    changes[field] = .null
                }
            }
            let changed = try store.update(.commitments, id: target, changes: changes)
            print(changed.isEmpty ? "nothing changed" : "changed \(changed.joined(separator: ", "))")
        }
    }
}
