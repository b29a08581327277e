import ArgumentParser
import Domain
import Foundation
import Storage

extension Accord {
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import rows from CSV or JSON lines, all or nothing; or the sample dataset.",
            discussion: """
                A row whose id is new (or that has no id) is added; a row whose id exists updates \
                the fields that differ. A bad row rejects the whole file and names its line.
                """
        )

        @OptionGroup var replica: ReplicaOptions
        @Argument(help: "The file to import (.csv or .jsonl).") var file: String?
        @Flag(help: "Import the dataset of the seed article (meetings and commitments).") var sample = false
        @Option(help: "commitments or meetings.") var entity: EntityChoice = .commitments
        @Option(help: "csv or jsonl (default: from the file name, else from its first character).") var format: Interchange.Format?

        func validate() throws {
            if sample == (file != nil) { throw ValidationError("give either FILE or --sample") }
        }

        func run() throws {
            // The replica first: without one, reading and checking a large file is time lost.
            let store = try replica.open()
            if sample {
                let summary = try store.importSample()
                print("imported the sample dataset: \(summary.inserted) added, \(summary.skipped) already here")
                return
            }
            guard let file else { return }
            guard let data = FileManager.default.contents(atPath: file) else {
                throw CLIError.missing("cannot read \(file)")
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw CLIError.invalid("\(file) is not UTF-8 text")
            }
            let schema = entity.schema
            let rows = try Interchange.parse(text, fileName: file, format: format, schema: schema)
            let summary = try store.importRows(schema, rows)
            print("imported \(schema.name) from \(file): \(describe(summary))")
        }

        func describe(_ summary: ImportSummary) -> String {
            "\(summary.inserted) added, \(summary.updated) updated, \(summary.unchanged) unchanged"
        }
    }
}
