import ArgumentParser

/// `accord`: the analyst's command line over a local replica.
struct Accord: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "accord",
        abstract: "Track commitments made at diplomatic meetings, offline, in a local replica.",
        discussion: """
            Every command works on the replica named by --replica (default: $ACCORD_REPLICA, \
            else ./accord.db). Errors print one line starting with 'error:' and exit non-zero.
            """,
        subcommands: [
            Init.self, Add.self, Edit.self, Delete.self, List.self, Show.self,
            Import.self, Export.self, Status.self, Log.self, MeetingCommand.self, Sync.self, Conflicts.self, Resolve.self,
        ]
    )
}
