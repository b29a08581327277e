import ArgumentParser
import Domain
import Storage

extension Accord {
    struct Conflicts: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List open conflicts: the value that stands and the one kept aside.")

        @OptionGroup var replica: ReplicaOptions
        @Option(help: "table or json.") var format: RowFormat = .table

        func run() throws {
            let conflicts = try replica.open().openConflicts()
            switch format {
            case .json, .csv:
                let lines = conflicts.map { conflict in
                    "{\"id\":\(Interchange.jsonString(conflict.id.text)),\"entity\":\(Interchange.jsonString(conflict.entity))"
                        + ",\"row_id\":\(Interchange.jsonString(conflict.rowID)),\"field\":\(Interchange.jsonString(conflict.field))"
                        + ",\"standing_value\":\(json(conflict.standingValue)),\"standing_analyst\":\(Interchange.jsonString(conflict.standingAnalyst))"
                        + ",\"standing_time\":\(Interchange.jsonString(conflict.standingHLC.description))"
                        + ",\"other_value\":\(json(conflict.otherValue)),\"other_analyst\":\(Interchange.jsonString(conflict.otherAnalyst))"
                        + ",\"other_time\":\(Interchange.jsonString(conflict.otherHLC.description))}"
                }
                print(lines.isEmpty ? "[]" : "[\n" + lines.joined(separator: ",\n") + "\n]")
            case .table:
                var table = TextTable(headers: ["ID", "ROW", "FIELD", "STANDING", "BY", "OTHER", "BY"], flexibleColumn: 3)
                table.rows = conflicts.map {
                    [String($0.id.text.prefix(13)), String($0.rowID.prefix(13)), $0.field,
                     $0.standingValue.text ?? "∅", "\($0.standingAnalyst) \($0.standingHLC)", $0.otherValue.text ?? "∅",
                     "\($0.otherAnalyst) \($0.otherHLC)"]
                }
                print(table.render(width: Terminal.current.width), terminator: "")
            }
        }

        func json(_ value: FieldValue) -> String {
            switch value {
            case .null: "null"
            case .text(let text): Interchange.jsonString(text)
            case .integer(let number): String(number)
            }
        }
    }
}
