/// A conflict record (PROTOCOL.md §6.3): a row of the replicated `conflicts` entity, which the
/// server writes when two edits of a field meet and pull brings to every replica.
public enum ConflictSchema {
    public static let entity = "conflicts"
    /// Its synced fields in their canonical order (the wire's columns, PROTOCOL.md §5.4).
    public static let fields = [
        "entity", "row_id", "field", "standing_value", "standing_hlc", "standing_replica_id", "standing_analyst",
        "other_value", "other_hlc", "other_replica_id", "other_analyst", "status",
    ]
    /// What a replica keeps beside them and never syncs: who resolved it there, and when.
    public static let localFields = ["resolved_by", "resolved_hlc"]
}
