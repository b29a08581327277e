/// The server's record of one field: its value and the version that wrote it.
public struct FieldStamp: Sendable, Hashable {
    public var value: FieldValue
    /// The server sequence of the write.
    public var seq: Int64
    public var hlc: HLCTimestamp
    public var replicaID: String

    public init(value: FieldValue, seq: Int64, hlc: HLCTimestamp, replicaID: String) {
        self.value = value
        self.seq = seq
        self.hlc = hlc
        self.replicaID = replicaID
    }
}

/// One pushed change of one field, with what its replica knew when the analyst made it.
public struct ProposedChange: Sendable, Hashable {
    public var value: FieldValue
    /// The field's server sequence as the replica knew it at the edit; 0 if it knew none.
    public var baseSeq: Int64
    public var hlc: HLCTimestamp
    public var replicaID: String

    public init(value: FieldValue, baseSeq: Int64, hlc: HLCTimestamp, replicaID: String) {
        self.value = value
        self.baseSeq = baseSeq
        self.hlc = hlc
        self.replicaID = replicaID
    }
}

/// What the server does with a pushed change of one field.
public enum MergeOutcome: Sendable, Hashable {
    /// Nobody else wrote the field since the change's base: the change is written.
    case accept
    /// Another replica wrote the field concurrently, with the same value: nothing is written
    /// and there is no conflict.
    case alreadyEqual
    /// Another replica wrote a different value concurrently. One value stands (the change's
    /// when `incomingStands`) and the other is kept in a conflict record; nothing is lost.
    case conflict(incomingStands: Bool)
}

/// The field-level merge rule the server applies to every pushed change, in push order.
///
/// A change is *concurrent* with the field's current write when that write happened after the
/// change's base (its sequence is not the base) and came from another replica: a replica's
/// own earlier write, even one whose acknowledgement it never received, is never a conflict
/// with itself. Concurrent equal values are simply accepted. Concurrent different values
/// conflict, and the later edit by hybrid logical clock stands, ties going to the greater
/// replica id, so every server decides alike.
///
/// Deletion is the field `deleted` and merges by the same rule. Every other change of a row
/// also asserts that the row is alive: the server merges it a second time as `deleted = 0`
/// against the row's `deleted` field, with the replica's known sequence of that field as base.
/// So an edit made without knowledge of a concurrent delete, or a delete made without knowledge
/// of a concurrent edit, is a conflict on `deleted` like any other, and the later one stands.
public enum MergeRule {
    public static func merge(current: FieldStamp?, incoming: ProposedChange) -> MergeOutcome {
        guard let current, current.seq != incoming.baseSeq, current.replicaID != incoming.replicaID else {
            return .accept
        }
        if current.value == incoming.value { return .alreadyEqual }
        return .conflict(incomingStands: stands(incoming.hlc, incoming.replicaID, over: current.hlc, current.replicaID))
    }

    /// Whether the edit at (`hlc`, `replicaID`) wins over the one at (`otherHLC`, `otherReplicaID`).
    public static func stands(_ hlc: HLCTimestamp, _ replicaID: String, over otherHLC: HLCTimestamp, _ otherReplicaID: String) -> Bool {
        hlc != otherHLC ? hlc > otherHLC : replicaID > otherReplicaID
    }
}
