/// One field of an entity: its snake_case name (SQL column, JSON key, CSV header) and type.
public struct FieldSpec: Sendable, Hashable {
    public let name: String
    public let type: FieldType
    public let required: Bool

    public init(_ name: String, _ type: FieldType, required: Bool = false) {
        self.name = name
        self.type = type
        self.required = required
    }
}

extension FieldSpec {
    /// Why `value` is not this field's value in its stored form (what `FieldType.parse` makes of
    /// its text), or nil when it is. Null is the stored form of an empty field.
    public func storedFormProblem(_ value: FieldValue) -> String? {
        guard value != .null else { return nil }
        do {
            let canonical = try type.parse(value.text ?? "")
            return canonical == value ? nil : "\(quoted(value.text ?? "")) is not in its stored form \(quoted(canonical.text ?? ""))"
        } catch {
            return error.message
        }
    }
}

/// The shape of an entity (commitments, meetings): its fields in their canonical order and the
/// rules that span several fields. Every row also has an `id` and a `deleted` flag, which are
/// not listed in `fields`.
public struct EntitySchema: Sendable, Hashable {
    /// The plural, snake_case name: the SQL table and the entity on the wire.
    public let name: String
    /// The word for one row in messages ("commitment").
    public let singular: String
    public let fields: [FieldSpec]
    let crossRules: [CrossRule]

    /// The field that marks a row deleted; it syncs like any other field.
    public static let deletedField = "deleted"

    public var fieldNames: [String] { fields.map(\.name) }

    /// Every field that carries a version and syncs: the data fields, then `deleted`.
    public var syncedFieldNames: [String] { fieldNames + [Self.deletedField] }

    public func field(named name: String) -> FieldSpec? { fields.first { $0.name == name } }

    public static let all: [EntitySchema] = [.commitments, .meetings]

    public static func named(_ name: String) -> EntitySchema? { all.first { $0.name == name } }
}

/// A rule over several fields, such as "an amount needs a currency".
struct CrossRule: Sendable, Hashable {
    enum Kind: Sendable, Hashable {
        /// `field` may only be set when `needs` is set.
        case requires(field: String, needs: String)
        /// `later` may not sort before `earlier` (years or ISO dates).
        case notBefore(later: String, earlier: String)
    }

    let kind: Kind
}

extension EntitySchema {
    /// Checks a complete set of values: every field holds what `FieldType.parse` would make of it,
    /// required fields are present, and the cross-field rules hold.
    /// Throws every problem found, one per field.
    ///
    /// With `changed`, only the changed fields and the rules that involve one of them are
    /// checked: a row that sync merged into breaking a rule (A set an amount while B cleared
    /// the currency) can still have its other fields edited.
    public func validate(_ values: [String: FieldValue], changed: Set<String>? = nil) throws(ValidationFailure) {
        var errors: [ValidationError] = []
        for (key, value) in values.sorted(by: { $0.key < $1.key }) where value != .null && changed?.contains(key) != false {
            guard let spec = field(named: key) else { continue }
            if let problem = spec.storedFormProblem(value) {
                errors.append(ValidationError(field: key, problem))
            }
        }
        errors += rowErrors(values, alreadyBad: Set(errors.compactMap(\.field)), changed: changed)
        if !errors.isEmpty { throw ValidationFailure(errors) }
    }

    /// `validate` for values already in their stored form (an `Interchange.ImportedRow`'s):
    /// unknown fields, required fields and the cross-field rules, without parsing each value again.
    public func validateRowRules(_ values: [String: FieldValue]) throws(ValidationFailure) {
        let errors = rowErrors(values, alreadyBad: [])
        if !errors.isEmpty { throw ValidationFailure(errors) }
    }

    /// Builds values from raw text per field (flags, CSV cells), collecting every bad field.
    /// Fields not given are not checked: use `parseRow` for a whole new row.
    public func parse(_ raw: [String: String]) throws(ValidationFailure) -> [String: FieldValue] {
        let (values, errors) = parseFields(raw)
        if !errors.isEmpty { throw ValidationFailure(errors) }
        return values
    }

    /// Parses a whole row (an imported line, a new record) and checks it as a whole, reporting
    /// bad fields and broken row rules together, one error per field.
    public func parseRow(_ raw: [String: String]) throws(ValidationFailure) -> [String: FieldValue] {
        var (values, errors) = parseFields(raw)
        errors += rowErrors(values, alreadyBad: Set(errors.compactMap(\.field)))
        if !errors.isEmpty { throw ValidationFailure(errors) }
        return values
    }

    private func parseFields(_ raw: [String: String]) -> (values: [String: FieldValue], errors: [ValidationError]) {
        var values: [String: FieldValue] = [:]
        values.reserveCapacity(raw.count)
        var errors: [ValidationError] = []
        for (key, text) in raw.sorted(by: { $0.key < $1.key }) {
            guard let spec = field(named: key) else {
                errors.append(ValidationError(field: key, "is not a field of \(name)"))
                continue
            }
            Self.parse(text, as: spec, into: &values, errors: &errors)
        }
        return (values, errors)
    }

    private static func parse(_ text: String, as spec: FieldSpec, into values: inout [String: FieldValue], errors: inout [ValidationError]) {
        do {
            values[spec.name] = try spec.type.parse(text)
        } catch {
            errors.append(ValidationError(field: spec.name, error.message))
        }
    }

    /// `parseRow` (`wholeRow`) or `parse` for cells already matched to their fields, such as a
    /// CSV file's columns, whose header was read once: no dictionary of raw text a row.
    /// `cells` holds each field once, in the order in which to report their errors.
    public func parse(cells: [(spec: FieldSpec, text: String)], wholeRow: Bool) throws(ValidationFailure) -> [String: FieldValue] {
        var values: [String: FieldValue] = [:]
        values.reserveCapacity(cells.count)
        var errors: [ValidationError] = []
        for cell in cells { Self.parse(cell.text, as: cell.spec, into: &values, errors: &errors) }
        if wholeRow { errors += rowErrors(values, alreadyBad: Set(errors.compactMap(\.field))) }
        if !errors.isEmpty { throw ValidationFailure(errors) }
        return values
    }

    /// Unknown fields, missing required fields and broken cross-field rules, skipping fields
    /// already reported.
    private func rowErrors(_ values: [String: FieldValue], alreadyBad: Set<String>, changed: Set<String>? = nil) -> [ValidationError] {
        var errors: [ValidationError] = []
        var bad = alreadyBad
        func concerns(_ names: String...) -> Bool { changed.map { !$0.isDisjoint(with: names) } ?? true }
        for key in values.keys.sorted() where field(named: key) == nil && !bad.contains(key) {
            errors.append(ValidationError(field: key, "is not a field of \(name)"))
            bad.insert(key)
        }
        for spec in fields where spec.required && (values[spec.name] ?? .null) == .null && !bad.contains(spec.name) && concerns(spec.name) {
            errors.append(ValidationError(field: spec.name, "is required"))
            bad.insert(spec.name)
        }
        for rule in crossRules {
            switch rule.kind {
            case .requires(let field, let needs) where !concerns(field, needs): continue
            case .notBefore(let later, let earlier) where !concerns(later, earlier): continue
            case .requires(let field, let needs):
                if (values[field] ?? .null) != .null, (values[needs] ?? .null) == .null, !bad.contains(needs) {
                    errors.append(ValidationError(field: needs, "is required when \(field) is set"))
                    bad.insert(needs)
                }
            case .notBefore(let later, let earlier):
                if let laterText = values[later]?.text, let earlierText = values[earlier]?.text,
                   laterText.count == earlierText.count, laterText < earlierText, !bad.contains(later) {
                    errors.append(ValidationError(field: later, "\(laterText) is before \(earlier) \(earlierText)"))
                    bad.insert(later)
                }
            }
        }
        return errors
    }
}
