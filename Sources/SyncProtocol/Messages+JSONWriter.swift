import Domain

/// The messages a sync sends by the thousand, written by `JSONWriter` instead of `JSONEncoder`
/// (`MessageCoding.line` picks this path), to the same bytes: keys in sorted order (by their
/// UTF-8 bytes, as `JSONEncoder` sorts them), optional values left out when nil.
protocol WritableMessage {
    /// The message as one JSON line without its `\n`.
    func json() throws -> [UInt8]
}

extension JSONWriter {
    /// A `WireField` object.
    mutating func field(_ field: PulledField) {
        raw("{")
        key("analyst"); string(field.analyst)
        raw(","); key("hlc"); integer(field.hlc.rawValue)
        raw(","); key("replica_id"); string(field.replicaID)
        raw(","); key("seq"); integer(field.seq)
        raw(","); key("value"); value(field.value)
        raw("}")
    }
}

extension ChangesMessage: WritableMessage {
    func json() throws -> [UInt8] {
        if layout == .positional { return try positionalJSON() }
        var writer = JSONWriter(capacity: 64 + rows.count * 1024)
        writer.raw("{"); writer.key("cursor"); writer.integer(cursor)
        writer.raw(","); writer.key("rows"); writer.raw("[")
        for (index, row) in rows.enumerated() {
            if index > 0 { writer.raw(",") }
            let names = row.pulled.fields.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            writer.raw("{"); writer.key("entity"); writer.string(row.pulled.entity)
            writer.raw(","); writer.key("fields"); writer.raw("{")
            for (position, name) in names.enumerated() {
                if position > 0 { writer.raw(",") }
                writer.string(name)
                writer.raw(":")
                writer.field(row.pulled.fields[name]!)
            }
            writer.raw("}")
            writer.raw(","); writer.key("id"); writer.string(row.pulled.id.text)
            writer.raw("}")
        }
        writer.raw("]"); writer.raw(","); writer.key("type"); writer.string(type)
        writer.raw("}")
        return writer.bytes
    }
}

extension PushMessage: WritableMessage {
    func json() -> [UInt8] {
        var writer = JSONWriter(capacity: 64 + changes.count * 256)
        writer.raw("{"); writer.key("changes"); writer.raw("[")
        for (index, change) in changes.enumerated() {
            if index > 0 { writer.raw(",") }
            writer.raw("{"); writer.key("alive_base"); writer.integer(change.aliveBase)
            writer.raw(","); writer.key("base"); writer.integer(change.base)
            writer.raw(","); writer.key("entity"); writer.string(change.entity)
            writer.raw(","); writer.key("field"); writer.string(change.field)
            writer.raw(","); writer.key("hlc"); writer.integer(change.hlc.rawValue)
            writer.raw(","); writer.key("id"); writer.string(change.id.text)
            writer.raw(","); writer.key("local_seq"); writer.integer(change.localSeq)
            writer.raw(","); writer.key("value"); writer.value(change.value)
            writer.raw("}")
        }
        writer.raw("]"); writer.raw(","); writer.key("type"); writer.string(type)
        writer.raw("}")
        return writer.bytes
    }
}

extension PushAckMessage: WritableMessage {
    func json() -> [UInt8] {
        var writer = JSONWriter(capacity: 64 + results.count * 256)
        writer.raw("{"); writer.key("results"); writer.raw("[")
        for (index, result) in results.enumerated() {
            if index > 0 { writer.raw(",") }
            writer.raw("{")
            if let conflictID = result.conflictID {
                writer.key("conflict_id"); writer.string(conflictID.text); writer.raw(",")
            }
            if let current = result.current {
                writer.key("current"); writer.field(current.pulled); writer.raw(",")
            }
            writer.key("local_seq"); writer.integer(result.localSeq)
            writer.raw(","); writer.key("outcome"); writer.string(result.outcome.rawValue)
            if let seq = result.seq {
                writer.raw(","); writer.key("seq"); writer.integer(seq)
            }
            writer.raw("}")
        }
        writer.raw("]"); writer.raw(","); writer.key("type"); writer.string(type)
        writer.raw("}")
        return writer.bytes
    }
}
