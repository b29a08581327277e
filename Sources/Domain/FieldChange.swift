/// The unit of change that sync carries: one field of one row set to a value at a clock time.
public struct FieldChange: Sendable, Hashable, Codable {
    /// The entity's plural name (`commitments`, `meetings`).
    public var entity: String
    public var id: RecordID
    public var field: String
    public var value: FieldValue
    public var hlc: HLCTimestamp

    public init(entity: String, id: RecordID, field: String, value: FieldValue, hlc: HLCTimestamp) {
        self.entity = entity
        self.id = id
        self.field = field
        self.value = value
        self.hlc = hlc
    }
}

extension RecordID: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let id = RecordID(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a UUID")
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }
}
