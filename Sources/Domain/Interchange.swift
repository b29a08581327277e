import Foundation

/// The file formats analysts exchange rows in: JSON lines and CSV with a header row of the
/// snake_case field names. Output is deterministic: fixed key order, `id` first, every field
/// present (null when empty), decimals as strings with their exact digits, tags as a JSON
/// array (joined with `;` in CSV).
public enum Interchange {
    /// A row read from a file: its line, its id if the file gave one, its values, and which
    /// fields the file had at all (a CSV column, a JSON key), so that updating an existing row
    /// leaves the fields the file did not mention as they are.
    ///
    /// Only this file's parsers make one, each value through `FieldType.parse`: its values are
    /// in their stored form, and a store need only check the rules that span fields
    /// (`EntitySchema.validateRowRules`), and not even those for a row without an id, which was
    /// checked as a whole new row as it was read.
    public struct ImportedRow: Sendable, Hashable {
        public var line: Int
        public var id: RecordID?
        /// The non-null values.
        public var values: [String: FieldValue]
        /// The fields the file gave, null or not.
        public var present: Set<String>
    }

    /// A file that cannot be imported; `line` names the first bad row.
    public struct ImportError: Error, Sendable, Hashable, CustomStringConvertible {
        public var line: Int
        public var message: String
        public var description: String { "line \(line): \(message)" }
    }

    /// The two file formats.
    public enum Format: String, Sendable, CaseIterable {
        case csv, jsonl

        /// From the file name (.csv; .jsonl, .ndjson, .json), else from the first character.
        public static func guess(fileName: String, text: String) -> Format {
            let lower = fileName.lowercased()
            if lower.hasSuffix(".csv") { return .csv }
            if lower.hasSuffix(".jsonl") || lower.hasSuffix(".ndjson") || lower.hasSuffix(".json") { return .jsonl }
            return text.drop(while: \.isWhitespace).first == "{" ? .jsonl : .csv
        }
    }

    /// Parses a whole file in `format`, or the format its name and first character suggest.
    public static func parse(_ text: String, fileName: String, format: Format? = nil, schema: EntitySchema) throws(ImportError) -> [ImportedRow] {
        switch format ?? Format.guess(fileName: fileName, text: text) {
        case .csv: try parseCSV(text, schema: schema)
        case .jsonl: try parseJSONLines(text, schema: schema)
        }
    }

    // MARK: JSON lines

    public static func jsonLine(_ record: EntityRow, schema: EntitySchema) -> String {
        // Built as UTF-8 bytes: appending to a `String` piece by piece was a tenth of an import,
        // which writes each new row's history as one of these lines.
        var out: [UInt8] = []
        out.reserveCapacity(1024)
        out.append(contentsOf: "{\"id\":".utf8)
        appendJSONString(record.id.text, to: &out)
        for spec in schema.fields {
            out.append(contentsOf: ",\"".utf8)
            out.append(contentsOf: spec.name.utf8)
            out.append(contentsOf: "\":".utf8)
            switch (spec.type, record[spec.name]) {
            case (_, .null):
                out.append(contentsOf: (spec.type == .tags ? "[]" : "null").utf8)
            case (.tags, .text(let joined)):
                out.append(UInt8(ascii: "["))
                for (index, tag) in FieldType.splitTags(joined).enumerated() {
                    if index > 0 { out.append(UInt8(ascii: ",")) }
                    appendJSONString(tag, to: &out)
                }
                out.append(UInt8(ascii: "]"))
            case (_, .text(let text)):
                appendJSONString(text, to: &out)
            case (_, .integer(let number)):
                out.append(contentsOf: String(number).utf8)
            }
        }
        out.append(UInt8(ascii: "}"))
        return String(decoding: out, as: UTF8.self)
    }

    /// `text` as a JSON string literal, with quotes and escapes.
    public static func jsonString(_ text: String) -> String {
        var out: [UInt8] = []
        appendJSONString(text, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    static func appendJSONString<Text: StringProtocol>(_ text: Text, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        text.withUTF8Bytes { appendEscaped($0, to: &out) }
        out.append(UInt8(ascii: "\""))
    }

    /// Copies the runs between escapes whole. Every escaped byte is ASCII, which never occurs
    /// inside a multi-byte scalar.
    private static func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        var start = 0
        for index in bytes.indices {
            let byte = bytes[index]
            guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index]))
            start = index + 1
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), byte]
            case UInt8(ascii: "\n"): out += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case UInt8(ascii: "\r"): out += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case UInt8(ascii: "\t"): out += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            default:
                let hex = Array("0123456789abcdef".utf8)
                out += [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            }
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...]))
    }

    /// Reads JSON lines (blank lines skipped); every row is parsed and validated, and the first
    /// bad one is reported with its line number. Numbers keep the digits the file wrote.
    public static func parseJSONLines(_ text: String, schema: EntitySchema) throws(ImportError) -> [ImportedRow] {
        var rows: [ImportedRow] = []
        // "\r\n" is a single Character, so split on it as well as on "\n".
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        for (index, line) in lines.enumerated() {
            let lineNumber = index + 1
            if line.allSatisfy(\.isWhitespace) { continue }
            let members: [(key: String, value: FlatJSON.Value)]
            do {
                members = try FlatJSON.parseObject(line)
            } catch {
                throw ImportError(line: lineNumber, message: "not a valid JSON object: \(error.message)")
            }
            var raw: [String: String] = [:]
            var id: RecordID?
            for (key, value) in members {
                if key == "id" {
                    switch value {
                    case .null: continue
                    case .string(let text):
                        guard let parsed = RecordID(text) else {
                            throw ImportError(line: lineNumber, message: "id: \(quoted(text)) is not a UUID")
                        }
                        id = parsed
                        continue
                    default:
                        throw ImportError(line: lineNumber, message: "id: must be a string")
                    }
                }
                switch value {
                case .null: raw[key] = ""
                case .string(let text), .number(let text): raw[key] = text
                case .bool:
                    throw ImportError(line: lineNumber, message: "\(key): must not be true or false")
                case .strings(let list):
                    guard schema.field(named: key)?.type == .tags else {
                        throw ImportError(line: lineNumber, message: "\(key): must not be an array")
                    }
                    if list.contains(where: { $0.contains(";") }) {
                        throw ImportError(line: lineNumber, message: "\(key): a tag may not contain ';'")
                    }
                    raw[key] = list.joined(separator: ";")
                }
            }
            rows.append(try validated(raw, id: id, line: lineNumber, schema: schema))
        }
        return rows
    }

    // MARK: CSV

    public static func csvHeader(schema: EntitySchema) -> String {
        CSV.line(["id"] + schema.fieldNames)
    }

    public static func csvLine(_ record: EntityRow, schema: EntitySchema) -> String {
        CSV.line([record.id.text] + schema.fields.map { record[$0.name].text ?? "" })
    }

    /// Reads CSV with a header row; the `id` column is optional. Blank lines are skipped. Each
    /// record becomes a row as soon as it is read: the file's records are never all held at once
    /// beside its rows. A malformed file is reported before a bad row, wherever they are.
    public static func parseCSV(_ text: String, schema: EntitySchema) throws(ImportError) -> [ImportedRow] {
        var reader = CSVRowReader(schema: schema)
        do {
            try CSV.forEachRow(text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text) { record in reader.read(record) }
        } catch {
            throw ImportError(line: error.line, message: error.message)
        }
        if let failure = reader.failure { throw failure }
        return reader.rows
    }

    /// Turns a CSV file's records into rows, the header first: its columns are matched to their
    /// fields once, and each row's cells parsed straight into values. After the first bad record
    /// it only waits for the end of the file (which may still be malformed).
    private struct CSVRowReader {
        let schema: EntitySchema
        private(set) var rows: [ImportedRow] = []
        private(set) var failure: ImportError?
        private var names: [String]?
        private var idColumn: Int?
        /// The columns other than `id`, in name order (the order of a row's errors), and their fields.
        private var columns: [Int] = []
        private var specs: [FieldSpec] = []
        private var present: Set<String> = []

        init(schema: EntitySchema) {
            self.schema = schema
        }

        mutating func read(_ record: CSV.Row) {
            guard failure == nil else { return }
            do throws(ImportError) {
                if let names {
                    try readRow(record, names: names)
                } else {
                    try readHeader(record)
                }
            } catch {
                failure = error
            }
        }

        private mutating func readHeader(_ header: CSV.Row) throws(ImportError) {
            let names = header.fields.map { $0.trimmed }
            for name in names where name != "id" && schema.field(named: name) == nil {
                throw ImportError(line: header.line, message: "\(quoted(name)) is not a column of \(schema.name) (expected \(["id"] + schema.fieldNames))")
            }
            if Set(names).count != names.count {
                throw ImportError(line: header.line, message: "a column is named twice")
            }
            idColumn = names.firstIndex(of: "id")
            columns = names.indices.filter { $0 != idColumn }.sorted { names[$0] < names[$1] }
            specs = columns.map { schema.field(named: names[$0])! }
            present = Set(specs.map(\.name))
            self.names = names
        }

        private mutating func readRow(_ record: CSV.Row, names: [String]) throws(ImportError) {
            if record.fields == [""] { return }
            guard record.fields.count == names.count else {
                throw ImportError(line: record.line, message: "has \(record.fields.count) fields; the header has \(names.count)")
            }
            var id: RecordID?
            if let idColumn {
                let trimmed = record.fields[idColumn].trimmed
                if !trimmed.isEmpty {
                    guard let parsed = RecordID(trimmed) else {
                        throw ImportError(line: record.line, message: "id: \(quoted(trimmed)) is not a UUID")
                    }
                    id = parsed
                }
            }
            do {
                // A row without an id is new, so it must be whole; see `validated`.
                let values = try schema.parse(cells: zip(specs, columns).map { ($0, record.fields[$1]) }, wholeRow: id == nil)
                rows.append(ImportedRow(line: record.line, id: id, values: values.filter { $0.value != .null }, present: present))
            } catch {
                throw ImportError(line: record.line, message: error.description)
            }
        }
    }

    private static func validated(_ raw: [String: String], id: RecordID?, line: Int, schema: EntitySchema) throws(ImportError) -> ImportedRow {
        do {
            // A row without an id is new, so it must be whole; a row with one may update an
            // existing row with only some columns, and the store checks it once it knows which.
            let values = try id == nil ? schema.parseRow(raw) : schema.parse(raw)
            return ImportedRow(line: line, id: id, values: values.filter { $0.value != .null }, present: Set(raw.keys))
        } catch {
            throw ImportError(line: line, message: error.description)
        }
    }
}
