import ArgumentParser
import Domain

extension Accord {
    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a commitment; prints its new id alone.",
            discussion: "Example: accord add --title \"£17m to the ASEAN Green Finance Fund\" --party \"United Kingdom\" --amount 17000000 --currency GBP"
        )

        @OptionGroup var replica: ReplicaOptions
        @OptionGroup var fields: FieldOptions

        func validate() throws {
            if fields.title == nil { throw ValidationError("--title is required") }
            if fields.party == nil { throw ValidationError("--party is required") }
        }

        func run() throws {
            let store = try replica.open()
            let id = try store.insert(.commitments, values: try fields.values(store: store))
            print(id.text)
        }
    }
}
