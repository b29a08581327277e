import Domain

/// One change of one field, as `accord log` shows it.
public struct HistoryEntry: Sendable, Hashable {
    /// The field, or `*` for the row's creation, whose `newValue` is the first values as a
    /// JSON object.
    public var field: String
    public var oldValue: FieldValue
    public var newValue: FieldValue
    public var hlc: HLCTimestamp
    public var replicaID: String
    public var analyst: String
    /// `created` or `local` for what was done here; sync adds others.
    public var origin: String
}
