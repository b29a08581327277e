import ArgumentParser
import Domain
import Storage

extension Accord {
    struct MeetingCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "meeting",
            abstract: "Add or list meetings.",
            subcommands: [AddMeeting.self, ListMeetings.self]
        )
    }

    struct AddMeeting: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Add a meeting; prints its new id alone.")

        @OptionGroup var replica: ReplicaOptions
        @Option(help: "The meeting's name.") var name: String
        @Option(help: "The series, e.g. \"58th AMM\".") var series: String?
        @Option(help: "Where it took place.") var location: String?
        @Option(help: "First day, YYYY-MM-DD.") var start: String?
        @Option(help: "Last day, YYYY-MM-DD.") var end: String?
        @Option(help: "Free notes.") var note: String?

        func run() throws {
            let raw: [String: String?] = [
                "name": name, "series": series, "location": location,
                "start_date": start, "end_date": end, "notes": note,
            ]
            let values = try EntitySchema.meetings.parse(raw.compactMapValues { $0 })
            let store = try replica.open()
            print(try store.insert(.meetings, values: values).text)
        }
    }

    struct ListMeetings: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List meetings.")

        @OptionGroup var replica: ReplicaOptions
        @Option(help: "table, json or csv.") var format: RowFormat = .table

        func run() throws {
            let rows = try replica.open().list(.meetings)
            print(RowPrinter.render(rows, schema: .meetings, format: format), terminator: "")
        }
    }
}
