/// One field as pull delivers it: the value and the version that wrote it.
public struct PulledField: Sendable, Hashable, Codable {
    public var value: FieldValue
    public var seq: Int64
    public var hlc: HLCTimestamp
    public var replicaID: String
    public var analyst: String

    public init(value: FieldValue, seq: Int64, hlc: HLCTimestamp, replicaID: String, analyst: String) {
        self.value = value
        self.seq = seq
        self.hlc = hlc
        self.replicaID = replicaID
        self.analyst = analyst
    }
}

/// The fields of one row written after a pull's cursor (latest values only).
public struct PulledRow: Sendable, Hashable, Codable {
    public var entity: String
    public var id: RecordID
    public var fields: [String: PulledField]

    public init(entity: String, id: RecordID, fields: [String: PulledField]) {
        self.entity = entity
        self.id = id
        self.fields = fields
    }
}
