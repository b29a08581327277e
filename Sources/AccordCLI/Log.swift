import ArgumentParser
import Domain
import Storage

extension Accord {
    struct Log: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show who changed what in a commitment, and when.")

        @OptionGroup var replica: ReplicaOptions
        @Argument(help: "The commitment's id or a unique prefix.") var id: String

        func run() throws {
            let store = try replica.open()
            let target = try store.resolveID(.commitments, prefix: id)
            var table = TextTable(headers: ["TIME", "ANALYST", "FIELD", "CHANGE", "ORIGIN"], flexibleColumn: 3)
            table.rows = try store.history(.commitments, id: target).map { entry in
                entry.field == "*"
                    ? [entry.hlc.description, entry.analyst, "(row)", "created " + (entry.newValue.text ?? ""), entry.origin]
                    : [entry.hlc.description, entry.analyst, entry.field,
                       "\(Self.shown(entry.oldValue)) → \(Self.shown(entry.newValue))", entry.origin]
            }
            print(table.render(width: Terminal.current.width), terminator: "")
        }

        static func shown(_ value: FieldValue) -> String {
            guard let text = value.text else { return "∅" }
            return text.count > 40 ? "\"" + text.prefix(39) + "…\"" : "\"\(text)\""
        }
    }
}
