import Domain
import GRDB

extension ServerStore {
    /// The server's record of one field, with its writer's analyst.
    struct StoredField {
        var stamp: FieldStamp
        var analyst: String

        /// The field as a push acknowledgement or a pull reports it.
        var pulled: PulledField {
            PulledField(value: stamp.value, seq: stamp.seq, hlc: stamp.hlc, replicaID: stamp.replicaID, analyst: analyst)
        }
    }

    /// Who is pushing.
    public struct Pusher: Sendable, Hashable {
        public var replicaID: String
        public var analyst: String

        public init(replicaID: String, analyst: String) {
            self.replicaID = replicaID
            self.analyst = analyst
        }
    }

    /// Applies a push batch in order, in one transaction, by the merge rule of
    /// Protocol/PROTOCOL.md §6 (`MergeRule`). A change at or below the replica's high-water
    /// mark is a `duplicate` and is not applied again. A change that is not valid (unknown
    /// entity or field, a value not in its stored form) rejects the whole batch unapplied.
    public func applyPush(_ changes: [PushedChange], from pusher: Pusher) throws -> [PushResult] {
        // Each change's form is judged before the write transaction, for which the pushes of
        // every connection wait their turn: parsing the values was a fifth of its time. What a
        // change is judged against in the store (a duplicate, a conflict record) waits for it.
        let wallMillis = wallClock()
        let problems = changes.map { Self.problem(with: $0, wallMillis: wallMillis) }
        return try writer.write { db in
            try db.cachedStatement(sql: """
                INSERT INTO replicas (replica_id, analyst) VALUES (?, ?)
                ON CONFLICT (replica_id) DO UPDATE SET analyst = excluded.analyst
                """).execute(arguments: [pusher.replicaID, pusher.analyst])
            var highWater = try Int64.fetchOne(db.cachedStatement(sql: "SELECT high_water FROM replicas WHERE replica_id = ?"),
                                               arguments: [pusher.replicaID]) ?? 0
            var writes = try Writes(db, wallMillis: wallMillis)
            var rowsAsserted = Set<RowKey>()
            var results: [PushResult] = []
            for (pushed, problem) in zip(changes, problems) {
                let change = pushed.change
                guard pushed.localSeq > highWater else {
                    let current = try writes.stored(change.entity, change.id, change.field)?.pulled
                    results.append(PushResult(localSeq: pushed.localSeq, outcome: .duplicate, current: current))
                    continue
                }
                if let problem { throw problem }
                if change.entity == Self.conflictsEntity, try writes.stored(change.entity, change.id, "status") == nil {
                    throw StoreError(.notFound, "change \(pushed.localSeq): no conflict with id \(change.id)")
                }
                var result = try Self.applyField(&writes, pushed, pusher: pusher, newID: newID)
                if change.field != EntitySchema.deletedField, change.entity != Self.conflictsEntity,
                   rowsAsserted.insert(RowKey(entity: change.entity, id: change.id)).inserted,
                   try !Self.deletionSeen(&writes, change.entity, change.id, aliveBase: pushed.aliveBaseSeq, by: pusher) {
                    // Every change of a row asserts that the row is alive (§6.2), once per batch.
                    let alive = PushedChange(
                        localSeq: pushed.localSeq,
                        change: FieldChange(entity: change.entity, id: change.id, field: EntitySchema.deletedField,
                                            value: .integer(0), hlc: change.hlc),
                        baseSeq: pushed.aliveBaseSeq, aliveBaseSeq: pushed.aliveBaseSeq
                    )
                    let aliveResult = try Self.applyField(&writes, alive, pusher: pusher, restampEqual: true, newID: newID)
                    if aliveResult.outcome == .conflict, result.conflictID == nil {
                        result.conflictID = aliveResult.conflictID
                    }
                }
                result.current = try writes.stored(change.entity, change.id, change.field)?.pulled
                highWater = pushed.localSeq
                results.append(result)
            }
            try writes.finish()
            // When the batch was applied (its audit rows keep when it began).
            try db.cachedStatement(sql: "UPDATE replicas SET high_water = ?, last_push_at = ? WHERE replica_id = ?")
                .execute(arguments: [highWater, isoTimestamp(millis: wallClock()), pusher.replicaID])
            return results
        }
    }

    /// Whether the row is deleted by a deletion the pusher had seen (its `alive_base`) or made:
    /// an edit of such a row (resolving a conflict of one of its fields) is kept on the deleted
    /// row and does not bring it back (§6.2). Only a change of `deleted` itself restores a row.
    static func deletionSeen(_ writes: inout Writes, _ entity: String, _ id: RecordID, aliveBase: Int64, by pusher: Pusher) throws -> Bool {
        guard let deletion = try writes.stored(entity, id, EntitySchema.deletedField),
              deletion.stamp.value == .integer(1) else { return false }
        return deletion.stamp.seq == aliveBase || deletion.stamp.replicaID == pusher.replicaID
    }

    /// The highest outbox sequence applied from `replicaID` (0: none).
    public func highWater(of replicaID: String) throws -> Int64 {
        try writer.read { db in
            try Int64.fetchOne(db.cachedStatement(sql: "SELECT high_water FROM replicas WHERE replica_id = ?"), arguments: [replicaID]) ?? 0
        }
    }

    /// The entity of the replicated conflict records.
    public static let conflictsEntity = ConflictSchema.entity

    /// Why the store cannot hold a change, judged on the change alone: an impossible clock, an
    /// unknown entity or field, a value not in its stored form, a change of a conflict record
    /// other than its status; nil when there is nothing wrong with it.
    static func problem(with pushed: PushedChange, wallMillis: Int64) -> StoreError? {
        let change = pushed.change
        let label = "change \(pushed.localSeq)"
        // A clock from before 1970 or more than a day ahead would lose or win every merge.
        let dayAhead = wallMillis + 86_400_000
        guard change.hlc.rawValue >= 0, change.hlc.wallMillis <= dayAhead else {
            return StoreError(.invalid, "\(label): its clock time is impossible (before 1970 or more than a day ahead)")
        }
        if change.entity == conflictsEntity {
            guard change.field == "status", change.value == .text("open") || change.value == .text("resolved") else {
                return StoreError(.invalid, "\(label): only a conflict's status (open or resolved) may be pushed")
            }
            return nil
        }
        guard let schema = EntitySchema.named(change.entity) else {
            return StoreError(.invalid, "\(label): unknown entity \(change.entity)")
        }
        if change.field == EntitySchema.deletedField {
            guard change.value == .integer(0) || change.value == .integer(1) else {
                return StoreError(.invalid, "\(label): deleted must be 0 or 1")
            }
            return nil
        }
        guard let spec = schema.field(named: change.field) else {
            return StoreError(.invalid, "\(label): \(change.field) is not a field of \(schema.name)")
        }
        // Row rules (required fields, an amount needs a currency) span fields that arrive one by
        // one; the store holds what analysts wrote, and only each value's form is checked.
        return spec.storedFormProblem(change.value).map { problem in
            StoreError(.invalid, "\(label): \(ValidationFailure([ValidationError(field: change.field, problem)]))")
        }
    }

    /// Merges one field change and writes what the rule decides: the value, a conflict
    /// record, and the audit. With `restampEqual`, an equal concurrent value is written again at
    /// a new sequence: an edit's "alive" assertion must be newer than the row's deletion base of
    /// anyone who has not seen it, or a later delete by them would not be seen as concurrent.
    static func applyField(
        _ writes: inout Writes, _ pushed: PushedChange, pusher: Pusher, restampEqual: Bool = false, newID: () -> RecordID
    ) throws -> PushResult {
        let change = pushed.change
        let current = try writes.stored(change.entity, change.id, change.field)
        let proposed = ProposedChange(value: change.value, baseSeq: pushed.baseSeq, hlc: change.hlc, replicaID: pusher.replicaID)
        let outcome = MergeRule.merge(current: current?.stamp, incoming: proposed)
        switch outcome {
        case .accept:
            let seq = writes.write(change, by: pusher, old: current?.stamp.value, outcome: "accepted")
            return PushResult(localSeq: pushed.localSeq, outcome: .accepted, seq: seq)
        case .alreadyEqual where restampEqual:
            let seq = writes.write(change, by: pusher, old: current?.stamp.value, outcome: "equal-restamped")
            return PushResult(localSeq: pushed.localSeq, outcome: .equal, seq: seq)
        case .alreadyEqual:
            writes.audit(seq: nil, change, by: pusher, old: current?.stamp.value, outcome: "equal")
            return PushResult(localSeq: pushed.localSeq, outcome: .equal)
        case .conflict(let incomingStands):
            guard let current else { preconditionFailure("a conflict needs a current value") }
            let conflictID = recordConflict(&writes, change, by: pusher, current: current, incomingStands: incomingStands, id: newID())
            let seq = incomingStands
                ? writes.write(change, by: pusher, old: current.stamp.value, outcome: "conflict-stands")
                : nil
            if !incomingStands {
                writes.audit(seq: nil, change, by: pusher, old: current.stamp.value, outcome: "conflict-kept")
            }
            return PushResult(localSeq: pushed.localSeq, outcome: .conflict, seq: seq, conflictID: conflictID)
        }
    }

    /// Keeps both values of a conflict as a row of the replicated `conflicts` entity.
    static func recordConflict(
        _ writes: inout Writes, _ change: FieldChange, by pusher: Pusher, current: StoredField, incomingStands: Bool, id: RecordID
    ) -> RecordID {
        let incoming: (FieldValue, HLCTimestamp, String, String) = (change.value, change.hlc, pusher.replicaID, pusher.analyst)
        let existing: (FieldValue, HLCTimestamp, String, String) = (current.stamp.value, current.stamp.hlc, current.stamp.replicaID, current.analyst)
        let (standing, other) = incomingStands ? (incoming, existing) : (existing, incoming)
        let fields: [(String, FieldValue)] = [
            ("entity", .text(change.entity)), ("row_id", .text(change.id.text)), ("field", .text(change.field)),
            ("standing_value", standing.0), ("standing_hlc", .integer(standing.1.rawValue)),
            ("standing_replica_id", .text(standing.2)), ("standing_analyst", .text(standing.3)),
            ("other_value", other.0), ("other_hlc", .integer(other.1.rawValue)),
            ("other_replica_id", .text(other.2)), ("other_analyst", .text(other.3)),
            ("status", .text("open")),
        ]
        for (field, value) in fields {
            writes.write(FieldChange(entity: conflictsEntity, id: id, field: field, value: value, hlc: change.hlc),
                         by: pusher, old: nil, outcome: "conflict-record")
        }
        return id
    }
}
