import ArgumentParser
import Storage

extension Accord {
    struct Resolve: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Settle a conflict: keep the standing value, the other one, or a new value.",
            discussion: "The choice is an ordinary edit and the conflict is marked resolved; both reach everyone at the next sync."
        )

        enum Keep: String, ExpressibleByArgument { case standing, other }

        @OptionGroup var replica: ReplicaOptions
        @Argument(help: "The conflict's id or a unique prefix (see accord conflicts).") var conflict: String
        @Option(help: "standing or other.") var keep: Keep?
        @Option(help: "A new value for the field instead.") var value: String?

        func validate() throws {
            if (keep == nil) == (value == nil) { throw ValidationError("give either --keep standing|other or --value V") }
        }

        func run() throws {
            let store = try replica.open()
            let id = try store.resolveConflictID(prefix: conflict)
            let resolution: ReplicaStore.Resolution = if let value { .value(value) } else if keep == .other { .keepOther } else { .keepStanding }
            let chosen = try store.resolveConflict(id, resolution)
            print("resolved \(id.text): \(chosen.text ?? "∅") stands")
        }
    }
}
