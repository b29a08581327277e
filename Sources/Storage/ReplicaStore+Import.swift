import Domain
import Foundation
import GRDB

/// How many rows an import added, changed, and found already as in the file.
public struct ImportSummary: Sendable, Hashable {
    public var inserted = 0
    public var updated = 0
    public var unchanged = 0
    /// Rows left alone because a row with their id is already here (the sample only).
    public var skipped = 0

    public init() {}

    public static func + (lhs: ImportSummary, rhs: ImportSummary) -> ImportSummary {
        var sum = lhs
        sum.inserted += rhs.inserted
        sum.updated += rhs.updated
        sum.unchanged += rhs.unchanged
        sum.skipped += rhs.skipped
        return sum
    }
}

extension ReplicaStore {
    /// Imports rows all or nothing, in one transaction. A row without an id, or with an id not
    /// yet here, is added; a row whose id exists is an edit of the fields the file gave (an empty
    /// cell or a null clears a field; a column or key the file lacks leaves it as it is). A bad
    /// row rejects the whole file and names its line. An import that changes nothing writes
    /// nothing.
    @discardableResult
    public func importRows(_ schema: EntitySchema, _ rows: [Interchange.ImportedRow]) throws -> ImportSummary {
        try writeChanges { db, context in
            let summary = try Self.importRows(db, schema, rows, context: context, newID: newID)
            return (summary, summary.inserted + summary.updated > 0)
        }
    }

    /// New rows an import gathers before it writes them (a few statements of
    /// `Database.rowsPerInsert` each). Gathering every row of the file first held each value
    /// of each table as a `DatabaseValue` at once: a gigabyte for 100,000 rows.
    static let newRowsPerWrite = 1_000

    static func importRows(
        _ db: Database, _ schema: EntitySchema, _ rows: [Interchange.ImportedRow], context: EditContext, newID: () -> RecordID
    ) throws -> ImportSummary {
        var summary = ImportSummary()
        var seen = Set<RecordID>()
        // New rows are written `newRowsPerWrite` at a time, many to a statement: ids are unique
        // in the file, so no later line refers to one of them.
        var added: [(id: RecordID, values: [String: FieldValue])] = []
        // Edited rows too, those that changed the same fields together (FTS5 flushes its
        // pending index at every statement that writes `commitments`).
        var edited = RowUpdates()
        for row in rows {
            do {
                if let id = row.id, !seen.insert(id).inserted {
                    throw StoreError(.invalid, "id \(id) appears twice in the file")
                }
                if let id = row.id, let current = try record(db, schema, id: id) {
                    if current.deleted { throw StoreError(.deleted, "\(schema.singular) \(id) is deleted here") }
                    let changes = Dictionary(uniqueKeysWithValues: row.present.map { ($0, row.values[$0] ?? .null) })
                    if let edit = try recordEdit(db, schema, current, changes: changes, context: context) {
                        edited.add(schema.name, id: id, fields: edit.changed, values: edit.changed.map { edit.row[$0].databaseValue })
                        summary.updated += 1
                    } else {
                        summary.unchanged += 1
                    }
                } else {
                    // The file's values were parsed into their stored form as it was read.
                    do {
                        if row.id != nil { try schema.validateRowRules(row.values) }
                    } catch {
                        throw StoreError(.invalid, error.description)
                    }
                    added.append((row.id ?? newID(), row.values))
                    summary.inserted += 1
                    if added.count == newRowsPerWrite {
                        try insertValidated(db, schema, added, context: context)
                        added.removeAll(keepingCapacity: true)
                    }
                }
            } catch let error as StoreError {
                throw StoreError(error.code, "line \(row.line): \(error.message)")
            }
        }
        try edited.write(db)
        try insertValidated(db, schema, added, context: context)
        return summary
    }

    /// Loads the dataset of the seed article (meetings, then commitments). Its ids are fixed, so
    /// replicas that both import it hold equal rows. A row whose id is already here, live or
    /// deleted, is skipped: importing the sample again never undoes anyone's edits.
    @discardableResult
    public func importSample() throws -> ImportSummary {
        let meetings = try SampleData.rows(.meetings)
        let commitments = try SampleData.rows(.commitments)
        return try writeChanges { db, context in
            var summary = ImportSummary()
            for (schema, rows) in [(EntitySchema.meetings, meetings), (.commitments, commitments)] {
                for row in rows {
                    guard let id = row.id else { continue }
                    if try Self.record(db, schema, id: id) != nil {
                        summary.skipped += 1
                    } else {
                        try Self.insert(db, schema, id: id, values: row.values, context: context)
                        summary.inserted += 1
                    }
                }
            }
            return (summary, summary.inserted > 0)
        }
    }
}
