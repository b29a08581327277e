import Domain

/// The columns of protocol 3's positional `changes` rows (PROTOCOL.md §5.4): a row lists its
/// fields by their index in its entity's list. The lists belong to schema version 1; a change
/// of one is a new schema version.
public enum WireColumns {
    /// Each entity's columns: commitments and meetings in their schema's order, then `deleted`;
    /// a conflict record's fields.
    public static let byEntity: [String: [String]] = [
        EntitySchema.commitments.name: EntitySchema.commitments.syncedFieldNames,
        EntitySchema.meetings.name: EntitySchema.meetings.syncedFieldNames,
        ConflictSchema.entity: ConflictSchema.fields,
    ]
}
