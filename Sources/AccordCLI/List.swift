import ArgumentParser
import Domain
import Storage

extension Accord {
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List commitments, filtered by field flags and full-text search.",
            discussion: """
                Field flags filter by equality (text ignores ASCII case); --tag requires the tag; \
                --period keeps rows whose period overlaps the years; --search matches words \
                (as prefixes) in title, party, beneficiary, notes and source quote.
                """
        )

        @OptionGroup var replica: ReplicaOptions
        @OptionGroup var fields: FieldOptions
        @Option(help: "Words to find in the text fields.") var search: String?
        @Flag(help: "Include deleted commitments.") var includeDeleted = false
        @Option(help: "table, json or csv.") var format: RowFormat = .table

        func run() throws {
            let store = try replica.open()
            var filter = RecordFilter()
            var values = try fields.values(store: store)
            if let start = values.removeValue(forKey: "period_start")?.integer,
               let end = values.removeValue(forKey: "period_end")?.integer {
                guard start <= end else { throw CLIError.invalid("period: \(end) is before \(start)") }
                filter.period = start...end
            }
            if let tags = values.removeValue(forKey: "tags")?.text {
                filter.tags = FieldType.splitTags(tags).map(String.init)
            }
            filter.equals = values
            filter.search = search
            filter.includeDeleted = includeDeleted
            let rows = try store.list(.commitments, filter: filter)
            print(RowPrinter.render(rows, schema: .commitments, format: format), terminator: "")
        }
    }
}
