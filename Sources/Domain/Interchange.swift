import Foundation

/// The file formats analysts exchange rows in: JSON lines and CSV with a header row of the
/// snake_case field names. Output is deterministic: fixed key order, `id` first, every field
/// present (null when empty), decimals as strings with their exact digits, tags as a JSON
/// array (joined with `;` in CSV).
public enum Interchange {
    /// A row read from a file: its line, its id if the file gave one, and its values.
    public struct ImportedRow: Sendable, Hashable {
        public var line: Int
        public var id: RecordID?
        public var values: [String: FieldValue]
    }

    /// A file that cannot be imported; `line` names the first bad row.
    public struct ImportError: Error, Sendable, Hashable, CustomStringConvertible {
        public var line: Int
        public var message: String
        public var description: String { "line \(line): \(message)" }
    }

    // MARK: JSON lines

    public static func jsonLine(_ record: EntityRow, schema: EntitySchema) -> String {
        var out = "{\"id\":"
        appendJSONString(record.id.text, to: &out)
        for spec in schema.fields {
            out += ",\""
            out += spec.name
            out += "\":"
            switch (spec.type, record[spec.name]) {
            case (_, .null):
                out += spec.type == .tags ? "[]" : "null"
            case (.tags, .text(let joined)):
                out += "["
                for (index, tag) in joined.split(separator: ";").enumerated() {
                    if index > 0 { out += "," }
                    appendJSONString(String(tag), to: &out)
                }
                out += "]"
            case (_, .text(let text)):
                appendJSONString(text, to: &out)
            case (_, .integer(let number)):
                out += String(number)
            }
        }
        out += "}"
        return out
    }

    /// `text` as a JSON string literal, with quotes and escapes.
    public static func jsonString(_ text: String) -> String {
        var out = ""
        appendJSONString(text, to: &out)
        return out
    }

    static func appendJSONString(_ text: String, to out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }

    /// Reads JSON lines (blank lines skipped); every row is parsed and validated, and the first
    /// bad one is reported with its line number.
    public static func parseJSONLines(_ text: String, schema: EntitySchema) throws(ImportError) -> [ImportedRow] {
        var rows: [ImportedRow] = []
        let decoder = JSONDecoder()
        // "\r\n" is a single Character, so split on it as well as on "\n".
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        for (index, line) in lines.enumerated() {
            let lineNumber = index + 1
            let trimmed = line.trimmed
            if trimmed.isEmpty { continue }
            let object: [String: JSONCell]
            do {
                object = try decoder.decode([String: JSONCell].self, from: Data(trimmed.utf8))
            } catch {
                throw ImportError(line: lineNumber, message: "not a JSON object with string, number, null or string-array values")
            }
            var raw: [String: String] = [:]
            var id: RecordID?
            for (key, cell) in object {
                if key == "id" {
                    switch cell {
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
                if schema.field(named: key) == nil {
                    raw[key] = ""  // reported by the schema with the row's other bad fields
                    continue
                }
                switch cell {
                case .null: continue
                case .string(let text): raw[key] = text
                case .number(let text): raw[key] = text
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

    /// Reads CSV with a header row; the `id` column is optional. Blank lines are skipped.
    public static func parseCSV(_ text: String, schema: EntitySchema) throws(ImportError) -> [ImportedRow] {
        let records: [CSV.Row]
        do {
            records = try CSV.parse(text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text)
        } catch {
            throw ImportError(line: error.line, message: error.message)
        }
        guard let header = records.first else { return [] }
        let names = header.fields.map { $0.trimmed }
        for name in names where name != "id" && schema.field(named: name) == nil {
            throw ImportError(line: header.line, message: "\(quoted(name)) is not a column of \(schema.name) (expected \(["id"] + schema.fieldNames))")
        }
        if Set(names).count != names.count {
            throw ImportError(line: header.line, message: "a column is named twice")
        }
        var rows: [ImportedRow] = []
        for record in records.dropFirst() {
            if record.fields == [""] { continue }
            guard record.fields.count == names.count else {
                throw ImportError(line: record.line, message: "has \(record.fields.count) fields; the header has \(names.count)")
            }
            var raw: [String: String] = [:]
            var id: RecordID?
            for (name, cell) in zip(names, record.fields) {
                if name == "id" {
                    let trimmed = cell.trimmed
                    if trimmed.isEmpty { continue }
                    guard let parsed = RecordID(trimmed) else {
                        throw ImportError(line: record.line, message: "id: \(quoted(trimmed)) is not a UUID")
                    }
                    id = parsed
                } else {
                    raw[name] = cell
                }
            }
            rows.append(try validated(raw, id: id, line: record.line, schema: schema))
        }
        return rows
    }

    private static func validated(_ raw: [String: String], id: RecordID?, line: Int, schema: EntitySchema) throws(ImportError) -> ImportedRow {
        do {
            let values = try schema.parseRow(raw)
            return ImportedRow(line: line, id: id, values: values.filter { $0.value != .null })
        } catch {
            throw ImportError(line: line, message: error.description)
        }
    }
}

/// A JSON value as an import row may hold it. Numbers keep their digits as text.
enum JSONCell: Decodable {
    case null
    case string(String)
    case number(String)
    case strings([String])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let text = try? container.decode(String.self) {
            self = .string(text)
        } else if let integer = try? container.decode(Int64.self) {
            self = .number(String(integer))
        } else if let decimal = try? container.decode(Decimal.self) {
            self = .number(decimal.description)
        } else {
            self = .strings(try container.decode([String].self))
        }
    }
}
