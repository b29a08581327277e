/// One row of an entity as sync and storage see it: an id and a value per field.
/// Fields missing from `values` are null.
public struct EntityRow: Sendable, Hashable {
    public let entity: String
    public let id: RecordID
    public var values: [String: FieldValue]
    public var deleted: Bool

    public init(entity: String, id: RecordID, values: [String: FieldValue], deleted: Bool = false) {
        self.entity = entity
        self.id = id
        self.values = values
        self.deleted = deleted
    }

    public subscript(field: String) -> FieldValue {
        get { values[field] ?? .null }
        set { values[field] = newValue }
    }
}
