import ArgumentParser
import Domain

/// Which entity a file holds, for `import` and `export`.
enum EntityChoice: String, ExpressibleByArgument, CaseIterable {
    case commitments, meetings

    var schema: EntitySchema { self == .commitments ? .commitments : .meetings }
}

extension Interchange.Format: ExpressibleByArgument {}
