import ArgumentParser
import Domain

extension Accord {
    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete a commitment (a tombstone that syncs; the row stays in the file)."
        )

        @OptionGroup var replica: ReplicaOptions
        @Argument(help: "The commitment's id or a unique prefix.") var id: String

        func run() throws {
            let store = try replica.open()
            let target = try store.resolveID(.commitments, prefix: id)
            try store.delete(.commitments, id: target)
            print("deleted \(target.text)")
        }
    }
}
