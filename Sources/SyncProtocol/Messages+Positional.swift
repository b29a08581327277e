import Domain

/// Protocol 3's positional `changes` rows (PROTOCOL.md §5.4): the names, versions and
/// sequences that the keyed layout repeats for every field are said once a row, or once a batch.
extension ChangesMessage {
    /// Who wrote a field: a replica and its analyst, an entry of a batch's `writers`.
    private struct Writer: Hashable {
        let replicaID: String
        let analyst: String
    }

    /// The message in the positional layout; throws when a row holds a field its entity has no
    /// column for (the server stores none: its pushes and imports are checked).
    func positionalJSON() throws(ProtocolError) -> [UInt8] {
        var writer = JSONWriter(capacity: 64 + rows.count * 640)
        var writers: [Writer: Int] = [:]
        var previous: (entity: String, hlc: Int64, writer: Int)?
        var previousSeq: Int64 = 0
        writer.raw("{"); writer.key("cursor"); writer.integer(cursor)
        writer.raw(","); writer.key("rows"); writer.raw("[")
        for (index, wireRow) in rows.enumerated() {
            let row = wireRow.pulled
            guard let columns = WireColumns.byEntity[row.entity] else {
                throw ProtocolError(.internal, "\(row.entity) has no columns in protocol 3")
            }
            guard !row.fields.isEmpty else { throw ProtocolError(.internal, "a row without fields has no form in protocol 3") }
            var fields: [(column: Int, field: PulledField, writer: Int)] = []
            fields.reserveCapacity(row.fields.count)
            for (column, name) in columns.enumerated() {
                guard let field = row.fields[name] else { continue }
                let key = Writer(replicaID: field.replicaID, analyst: field.analyst)
                let number: Int
                if let known = writers[key] { number = known } else { number = writers.count; writers[key] = number }
                fields.append((column, field, number))
            }
            guard fields.count == row.fields.count else {
                throw ProtocolError(.internal, "a row of \(row.entity) has a field with no column in protocol 3")
            }
            // The row's version is its most frequent one; the others are exceptions.
            let (hlc, author) = Self.mostFrequentVersion(of: fields)
            if index > 0 { writer.raw(",") }
            writer.raw("{")
            if previous?.entity != row.entity { writer.key("entity"); writer.string(row.entity); writer.raw(",") }
            writer.key("fields"); writer.raw("[")
            for (position, field) in fields.enumerated() {
                if position > 0 { writer.raw(",") }
                writer.integer(Int64(field.column))
            }
            writer.raw("],")
            if previous?.hlc != hlc { writer.key("hlc"); writer.integer(hlc); writer.raw(",") }
            writer.key("id"); writer.string(row.id.text)
            writer.raw(","); writer.key("seqs"); writer.raw("[")
            for (position, field) in fields.enumerated() {
                if position > 0 { writer.raw(",") }
                // Wrapping, like the reader's sum: every Int64 comes back as it was.
                writer.integer(field.field.seq &- previousSeq)
                previousSeq = field.field.seq
            }
            writer.raw("],"); writer.key("values"); writer.raw("[")
            for (position, field) in fields.enumerated() {
                if position > 0 { writer.raw(",") }
                writer.value(field.field.value)
            }
            writer.raw("]")
            var exceptions = 0
            for (position, field) in fields.enumerated() where field.field.hlc.rawValue != hlc || field.writer != author {
                writer.raw(exceptions == 0 ? ",\"versions\":[[" : ",[")
                writer.integer(Int64(position)); writer.raw(","); writer.integer(field.field.hlc.rawValue)
                writer.raw(","); writer.integer(Int64(field.writer)); writer.raw("]")
                exceptions += 1
            }
            if exceptions > 0 { writer.raw("]") }
            if previous?.writer != author { writer.raw(","); writer.key("writer"); writer.integer(Int64(author)) }
            writer.raw("}")
            previous = (row.entity, hlc, author)
        }
        writer.raw("]"); writer.raw(","); writer.key("type"); writer.string(type)
        writer.raw(","); writer.key("writers"); writer.raw("[")
        for (number, key) in writers.sorted(by: { $0.value < $1.value }).map(\.key).enumerated() {
            if number > 0 { writer.raw(",") }
            writer.raw("["); writer.string(key.replicaID); writer.raw(","); writer.string(key.analyst); writer.raw("]")
        }
        writer.raw("]}")
        return writer.bytes
    }

    /// The time and writer most of `fields` share (the first of equals, in column order).
    private static func mostFrequentVersion(of fields: [(column: Int, field: PulledField, writer: Int)]) -> (Int64, Int) {
        let first = (fields[0].field.hlc.rawValue, fields[0].writer)
        // Nearly every row has one version: count only when it does not.
        guard fields.contains(where: { $0.field.hlc.rawValue != first.0 || $0.writer != first.1 }) else { return first }
        var counts: [(hlc: Int64, writer: Int, count: Int)] = []
        for field in fields {
            if let index = counts.firstIndex(where: { $0.hlc == field.field.hlc.rawValue && $0.writer == field.writer }) {
                counts[index].count += 1
            } else {
                counts.append((field.field.hlc.rawValue, field.writer, 1))
            }
        }
        var best = counts[0]
        for candidate in counts.dropFirst() where candidate.count > best.count { best = candidate }
        return (best.hlc, best.writer)
    }

    /// Reads the rows of a positional `changes` message, with its `writers` table.
    static func positionalRows(_ items: [JSONValue], writers table: JSONValue) throws(JSONReader.Failure) -> [WireRow] {
        var writers: [(replicaID: String, analyst: String)] = []
        for entry in try table.array() {
            let pair = try entry.array()
            guard pair.count == 2 else { throw JSONReader.Failure() }
            writers.append((try pair[0].string(), try pair[1].string()))
        }
        var entity: String?
        var hlc: Int64?
        var author: Int?
        var seq: Int64 = 0
        var rows: [WireRow] = []
        rows.reserveCapacity(items.count)
        for item in items {
            let row = try JSONObject(item)
            if let named = row.optional("entity") { entity = try named.string() }
            if let time = row.optional("hlc") { hlc = try time.integer() }
            if let number = row.optional("writer") { author = try writerIndex(number, of: writers.count) }
            guard let entity, let hlc, let author, let columns = WireColumns.byEntity[entity] else { throw JSONReader.Failure() }
            let indexes = try row.required("fields").array()
            let values = try row.required("values").array()
            let seqs = try row.required("seqs").array()
            guard !indexes.isEmpty, values.count == indexes.count, seqs.count == indexes.count else { throw JSONReader.Failure() }
            var names: [String] = []
            names.reserveCapacity(indexes.count)
            var last: Int64 = -1
            for index in indexes {
                let column = try index.integer()
                // Strictly increasing: each field once, in column order.
                guard column > last, column < columns.count else { throw JSONReader.Failure() }
                names.append(columns[Int(column)])
                last = column
            }
            var versions = [(hlc: Int64, writer: Int)](repeating: (hlc, author), count: names.count)
            if let exceptions = row.optional("versions") {
                for exception in try exceptions.array() {
                    let entry = try exception.array()
                    guard entry.count == 3 else { throw JSONReader.Failure() }
                    let position = try entry[0].integer()
                    guard position >= 0, position < names.count else { throw JSONReader.Failure() }
                    versions[Int(position)] = (try entry[1].integer(), try writerIndex(entry[2], of: writers.count))
                }
            }
            var fields: [String: PulledField] = [:]
            fields.reserveCapacity(names.count)
            for (position, name) in names.enumerated() {
                seq = seq &+ (try seqs[position].integer())
                let version = versions[position]
                fields[name] = PulledField(value: try values[position].fieldValue(), seq: seq, hlc: HLCTimestamp(rawValue: version.hlc),
                                           replicaID: writers[version.writer].replicaID, analyst: writers[version.writer].analyst)
            }
            rows.append(WireRow(PulledRow(entity: entity, id: try row.required("id").recordID(), fields: fields)))
        }
        return rows
    }

    private static func writerIndex(_ value: JSONValue, of count: Int) throws(JSONReader.Failure) -> Int {
        let number = try value.integer()
        guard number >= 0, number < count else { throw JSONReader.Failure() }
        return Int(number)
    }
}
