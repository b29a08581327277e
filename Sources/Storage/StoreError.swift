/// An error from a store, with a code callers can switch on and a message for the analyst.
///
/// `description` names ids and paths but never field values.
public struct StoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong. A struct over a private enum, so codes can be added later.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case notFound = "not-found"
            case ambiguous
            case alreadyExists = "already-exists"
            case notAReplica = "not-a-replica"
            case invalid
            case deleted
            case tooNew = "too-new"
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// No row, or no replica file, where one was named.
        public static let notFound = Code(.notFound)
        /// An id prefix that matches several rows.
        public static let ambiguous = Code(.ambiguous)
        /// A replica or row that is already there.
        public static let alreadyExists = Code(.alreadyExists)
        /// A file that is not SQLite, or SQLite but not an Accord replica.
        public static let notAReplica = Code(.notAReplica)
        /// Values that fail validation.
        public static let invalid = Code(.invalid)
        /// A row that has been deleted.
        public static let deleted = Code(.deleted)
        /// A replica written by a newer Accord.
        public static let tooNew = Code(.tooNew)

        public var description: String { base.rawValue }
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
