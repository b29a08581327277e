import Domain

/// The version of a field's current value: which edit wrote it, and whether the server has it.
public struct FieldVersion: Sendable, Hashable {
    /// The server sequence of the value as this replica last heard; nil if never on the server.
    public var serverSeq: Int64?
    public var hlc: HLCTimestamp
    public var replicaID: String
    public var analyst: String
    /// A local edit of this field is waiting to be pushed.
    public var pending: Bool
}
