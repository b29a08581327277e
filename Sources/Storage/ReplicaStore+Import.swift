import Domain
import Foundation
import GRDB

/// How many rows an import added, changed, and found already as in the file.
public struct ImportSummary: Sendable, Hashable {
    public var inserted = 0
    public var updated = 0
    public var unchanged = 0

    public init() {}

    public static func + (lhs: ImportSummary, rhs: ImportSummary) -> ImportSummary {
        var sum = lhs
        sum.inserted += rhs.inserted
        sum.updated += rhs.updated
        sum.unchanged += rhs.unchanged
        return sum
    }
}

extension ReplicaStore {
    /// Imports rows all or nothing, in one transaction. A row without an id, or with an id not
    /// yet here, is added; a row whose id exists is an edit of the fields that differ (a field
    /// missing from the file is cleared). A bad row rejects the whole file and names its line.
    @discardableResult
    public func importRows(_ schema: EntitySchema, _ rows: [Interchange.ImportedRow]) throws -> ImportSummary {
        try writer.write { db in
            let context = try EditContext.begin(db, wallMillis: wallClock())
            return try Self.importRows(db, schema, rows, context: context)
        }
    }

    static func importRows(_ db: Database, _ schema: EntitySchema, _ rows: [Interchange.ImportedRow], context: EditContext) throws -> ImportSummary {
        var summary = ImportSummary()
        var seen = Set<RecordID>()
        for row in rows {
            do {
                if let id = row.id, !seen.insert(id).inserted {
                    throw StoreError(.invalid, "id \(id) appears twice in the file")
                }
                if let id = row.id, let current = try record(db, schema, id: id) {
                    if current.deleted { throw StoreError(.deleted, "\(schema.singular) \(id) is deleted here") }
                    let changes = Dictionary(uniqueKeysWithValues: schema.fieldNames.map { ($0, row.values[$0] ?? .null) })
                    let changed = try update(db, schema, id: id, changes: changes, context: context)
                    if changed.isEmpty { summary.unchanged += 1 } else { summary.updated += 1 }
                } else {
                    try insert(db, schema, id: row.id ?? RecordID.generate(), values: row.values, context: context)
                    summary.inserted += 1
                }
            } catch let error as StoreError {
                throw StoreError(error.code, "line \(row.line): \(error.message)")
            }
        }
        return summary
    }

    /// Loads the dataset of the seed article (meetings, then commitments). Its ids are fixed, so
    /// importing it again changes nothing, and replicas that both import it hold equal rows.
    @discardableResult
    public func importSample() throws -> ImportSummary {
        let meetings = try SampleData.rows(.meetings)
        let commitments = try SampleData.rows(.commitments)
        return try writer.write { db in
            let context = try EditContext.begin(db, wallMillis: wallClock())
            return try Self.importRows(db, .meetings, meetings, context: context)
                + Self.importRows(db, .commitments, commitments, context: context)
        }
    }
}

/// The dataset built from the seed article, shipped as JSON lines in the package's resources.
public enum SampleData {
    /// The parsed rows of one entity of the sample.
    public static func rows(_ schema: EntitySchema) throws -> [Interchange.ImportedRow] {
        guard let url = Bundle.module.url(forResource: "sample-\(schema.name)", withExtension: "jsonl") else {
            throw StoreError(.notFound, "the sample \(schema.name) are missing from this build")
        }
        let text = try String(contentsOf: url, encoding: .utf8)
        do {
            return try Interchange.parseJSONLines(text, schema: schema)
        } catch {
            throw StoreError(.invalid, "sample-\(schema.name).jsonl \(error.description)")
        }
    }
}
