import Domain

/// The messages a sync sends by the thousand, read with `JSONReader` instead of `JSONDecoder`
/// (`MessageCoding.decode` picks this path). Each reads exactly the fields its `Codable`
/// conformance reads, with the same required and optional ones; unknown keys are ignored.
protocol ReadableMessage {
    init(json: JSONValue) throws(JSONReader.Failure)
}

/// The members of a JSON object, looked up by key.
struct JSONObject {
    let members: [(key: String, value: JSONValue)]

    init(_ value: JSONValue) throws(JSONReader.Failure) {
        guard case .object(let members) = value else { throw JSONReader.Failure() }
        self.members = members
    }

    /// The value of a key that must be there (it may be `null`).
    func required(_ key: String) throws(JSONReader.Failure) -> JSONValue {
        for member in members where member.key == key { return member.value }
        throw JSONReader.Failure()
    }

    /// The value of a key that may be absent; `null` counts as absent, as in `decodeIfPresent`.
    func optional(_ key: String) -> JSONValue? {
        for member in members where member.key == key {
            if case .null = member.value { return nil }
            return member.value
        }
        return nil
    }

    func string(_ key: String) throws(JSONReader.Failure) -> String { try required(key).string() }
    func integer(_ key: String) throws(JSONReader.Failure) -> Int64 { try required(key).integer() }
}

extension JSONValue {
    func string() throws(JSONReader.Failure) -> String {
        guard case .string(let text) = self else { throw JSONReader.Failure() }
        return text
    }

    func integer() throws(JSONReader.Failure) -> Int64 {
        guard case .integer(let number) = self else { throw JSONReader.Failure() }
        return number
    }

    func recordID() throws(JSONReader.Failure) -> RecordID {
        guard let id = RecordID(try string()) else { throw JSONReader.Failure() }
        return id
    }

    func fieldValue() throws(JSONReader.Failure) -> FieldValue {
        switch self {
        case .null: return .null
        case .integer(let number): return .integer(number)
        case .string(let text): return .text(text)
        default: throw JSONReader.Failure()
        }
    }

    func array() throws(JSONReader.Failure) -> [JSONValue] {
        guard case .array(let items) = self else { throw JSONReader.Failure() }
        return items
    }
}

extension PulledField {
    /// A `WireField` object.
    init(json: JSONValue) throws(JSONReader.Failure) {
        let object = try JSONObject(json)
        self.init(value: try object.required("value").fieldValue(), seq: try object.integer("seq"),
                  hlc: HLCTimestamp(rawValue: try object.integer("hlc")), replicaID: try object.string("replica_id"),
                  analyst: try object.string("analyst"))
    }
}

extension ChangesMessage: ReadableMessage {
    init(json: JSONValue) throws(JSONReader.Failure) {
        let object = try JSONObject(json)
        type = try object.string("type")
        cursor = try object.integer("cursor")
        if let writers = object.optional("writers") {
            layout = .positional
            self.rows = try Self.positionalRows(try object.required("rows").array(), writers: writers)
            return
        }
        var rows: [WireRow] = []
        for item in try object.required("rows").array() {
            let row = try JSONObject(item)
            var fields: [String: PulledField] = [:]
            for field in try JSONObject(try row.required("fields")).members {
                fields[field.key] = try PulledField(json: field.value)
            }
            rows.append(WireRow(PulledRow(entity: try row.string("entity"), id: try row.required("id").recordID(), fields: fields)))
        }
        self.rows = rows
    }
}

extension PushMessage: ReadableMessage {
    init(json: JSONValue) throws(JSONReader.Failure) {
        let object = try JSONObject(json)
        type = try object.string("type")
        var changes: [WireChange] = []
        for item in try object.required("changes").array() {
            let change = try JSONObject(item)
            changes.append(WireChange(PushedChange(
                localSeq: try change.integer("local_seq"),
                change: FieldChange(entity: try change.string("entity"), id: try change.required("id").recordID(),
                                    field: try change.string("field"), value: try change.required("value").fieldValue(),
                                    hlc: HLCTimestamp(rawValue: try change.integer("hlc"))),
                baseSeq: try change.integer("base"), aliveBaseSeq: try change.optional("alive_base")?.integer() ?? 0)))
        }
        self.changes = changes
    }
}

extension PushAckMessage: ReadableMessage {
    init(json: JSONValue) throws(JSONReader.Failure) {
        let object = try JSONObject(json)
        type = try object.string("type")
        var results: [WireResult] = []
        for item in try object.required("results").array() {
            let result = try JSONObject(item)
            guard let outcome = PushResult.Outcome(rawValue: try result.string("outcome")) else { throw JSONReader.Failure() }
            results.append(WireResult(PushResult(
                localSeq: try result.integer("local_seq"), outcome: outcome, seq: try result.optional("seq")?.integer(),
                conflictID: try result.optional("conflict_id")?.recordID(),
                current: try result.optional("current").map { value throws(JSONReader.Failure) in try PulledField(json: value) })))
        }
        self.results = results
    }
}
