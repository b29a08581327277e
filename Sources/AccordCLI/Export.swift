import ArgumentParser
import Domain
import Foundation
import Storage

extension Accord {
    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Export the live rows of one entity, one per line, ordered by id."
        )

        @OptionGroup var replica: ReplicaOptions
        @Option(help: "commitments or meetings.") var entity: EntityChoice = .commitments
        @Option(help: "jsonl or csv.") var format: Interchange.Format = .jsonl
        @Option(help: "Write to this file (replaced whole) instead of standard output.") var output: String?

        func run() throws {
            if let output { try Self.checkSafeToReplace(output) }
            let store = try replica.open()
            let schema = entity.schema
            let writer = try LineWriter(path: output)
            if format == .csv { try writer.write(line: Interchange.csvHeader(schema: schema)) }
            try store.forEachLiveRecord(schema) { row in
                try writer.write(line: format == .csv
                    ? Interchange.csvLine(row, schema: schema)
                    : Interchange.jsonLine(row, schema: schema))
            }
            try writer.finish()
        }

        /// Refuses to replace an SQLite database (the replica itself, most likely) with an export.
        static func checkSafeToReplace(_ path: String) throws {
            guard let handle = FileHandle(forReadingAtPath: path) else { return }
            defer { try? handle.close() }
            if (try? handle.read(upToCount: 16)) == Data("SQLite format 3\0".utf8) {
                throw CLIError.usage("--output \(path) is an SQLite database (a replica?); export will not replace it")
            }
        }
    }
}
