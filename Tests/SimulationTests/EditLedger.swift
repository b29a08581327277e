import Domain

/// One field of one row.
struct FieldKey: Hashable, CustomStringConvertible {
    var entity: String
    var row: String
    var field: String

    var description: String { "\(entity)/\(row.prefix(13))…/\(field)" }
}

/// A value of a field.
struct FieldWrite: Hashable {
    var key: FieldKey
    var value: FieldValue
}

/// Every value an analyst wrote and committed, and what each writer knew when writing: the
/// model that the "no lost edit" invariant is checked against.
struct EditLedger {
    private(set) var writes: [(write: FieldWrite, replica: Int, step: Int)] = []
    /// Values some later edit was made with knowledge of (the field's value on the editing
    /// replica, or both sides of a resolved conflict): replacing them is not a loss.
    private(set) var superseded: Set<FieldWrite> = []

    mutating func record(_ write: FieldWrite, by replica: Int, at step: Int, knowing known: [FieldValue]) {
        writes.append((write, replica, step))
        for value in known where value != write.value {
            superseded.insert(FieldWrite(key: write.key, value: value))
        }
    }

    /// The writes that are neither what stands, nor kept in a conflict record, nor replaced
    /// by an edit made with knowledge of them.
    func lost(standing: (FieldKey) -> FieldValue?, keptInConflicts: Set<FieldWrite>) -> [(write: FieldWrite, replica: Int, step: Int)] {
        writes.filter { entry in
            standing(entry.write.key) != entry.write.value
                && !keptInConflicts.contains(entry.write)
                && !superseded.contains(entry.write)
        }
    }
}
