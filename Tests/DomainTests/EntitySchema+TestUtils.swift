@testable import Domain

/// A commitment with only its required fields, to which a test adds the field it is about.
let minimalCommitment: [String: String] = ["title": "ASEAN Green Finance Fund", "party": "United Kingdom"]

extension EntitySchema {
    /// Parses raw text the way an import does (each field, then the row as a whole) and returns
    /// the problems found; empty when the row is good.
    func problems(_ raw: [String: String]) -> [ValidationError] {
        do {
            let values = try parse(raw)
            try validate(values)
            return []
        } catch {
            return error.errors
        }
    }

    /// Parses and validates a row that the test expects to be good; nil (and a recorded
    /// failure in the caller's `#expect`) when it is not.
    func goodValues(_ raw: [String: String]) -> [String: FieldValue]? {
        do {
            let values = try parse(raw)
            try validate(values)
            return values
        } catch {
            return nil
        }
    }
}

extension FieldType {
    /// The error `parse` throws for `raw`, or nil when it accepts it.
    func parseError(_ raw: String) -> ValidationError? {
        do {
            _ = try parse(raw)
            return nil
        } catch {
            return error
        }
    }
}
