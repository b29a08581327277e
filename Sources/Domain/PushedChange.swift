/// A change as a replica pushes it: one field of one row, with what the replica knew when the
/// analyst made it (Protocol/PROTOCOL.md, `push`).
public struct PushedChange: Sendable, Hashable, Codable {
    /// The replica's outbox sequence; strictly increasing per replica, so resends are detected.
    public var localSeq: Int64
    public var change: FieldChange
    /// The field's server sequence as the replica knew it (0: none).
    public var baseSeq: Int64
    /// The row's `deleted` field's server sequence as the replica knew it (0: none).
    public var aliveBaseSeq: Int64

    public init(localSeq: Int64, change: FieldChange, baseSeq: Int64, aliveBaseSeq: Int64) {
        self.localSeq = localSeq
        self.change = change
        self.baseSeq = baseSeq
        self.aliveBaseSeq = aliveBaseSeq
    }
}

/// What the server did with one pushed change.
public struct PushResult: Sendable, Hashable, Codable {
    public enum Outcome: String, Sendable, Hashable, Codable {
        /// Written at `seq`.
        case accepted
        /// Concurrent with an equal value: nothing written.
        case equal
        /// Concurrent with a different value; `seq` is set when the pushed value stands.
        case conflict
        /// Already applied from an earlier push of the same change.
        case duplicate
    }

    public var localSeq: Int64
    public var outcome: Outcome
    public var seq: Int64?
    public var conflictID: RecordID?
    /// The field as it stands on the server after this change, whatever the outcome: the
    /// replica takes it unless a newer local edit of the field is waiting. (Pull cannot be
    /// relied on for it: the field may have been written before the replica's cursor, while
    /// pull was skipping it for the pending edit.)
    public var current: PulledField?

    public init(localSeq: Int64, outcome: Outcome, seq: Int64? = nil, conflictID: RecordID? = nil, current: PulledField? = nil) {
        self.localSeq = localSeq
        self.outcome = outcome
        self.seq = seq
        self.conflictID = conflictID
        self.current = current
    }
}
