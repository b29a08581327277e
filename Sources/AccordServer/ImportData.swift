import ArgumentParser
import Domain
import Foundation
import Storage

extension AccordServer {
    struct ImportData: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Load CSV or JSON lines, or the sample dataset, straight into the server store."
        )

        @OptionGroup var store: StoreOptions
        @Argument(help: "The file (.csv or .jsonl).") var file: String?
        @Flag(help: "Load the dataset of the seed article; rows already there are skipped.") var sample = false
        @Option(help: "commitments or meetings.") var entity = "commitments"

        func validate() throws {
            if sample == (file != nil) { throw ValidationError("give either FILE or --sample") }
            if EntitySchema.named(entity) == nil { throw ValidationError("--entity must be commitments or meetings") }
        }

        func run() throws {
            if sample {
                let summary = try store.open().importSample()
                print("imported the sample dataset: \(summary.inserted) added, \(summary.skipped) already here")
                return
            }
            guard let file, let data = FileManager.default.contents(atPath: file) else {
                throw StoreError(.notFound, "cannot read \(file ?? "")")
            }
            guard let text = String(data: data, encoding: .utf8) else { throw StoreError(.invalid, "\(file) is not UTF-8 text") }
            let schema = EntitySchema.named(entity)!
            let rows: [Interchange.ImportedRow]
            do {
                rows = try Interchange.parse(text, fileName: file, schema: schema)
            } catch {
                throw StoreError(.invalid, error.description)
            }
            let summary = try store.open().importRows(schema, rows)
            print("imported \(schema.name) from \(file): \(summary.inserted) added, \(summary.updated) updated, \(summary.unchanged) unchanged")
        }
    }
}
