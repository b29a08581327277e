/// One bad field, with a message an analyst can act on: `amount: "12,5" is not a decimal …`.
public struct ValidationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The snake_case field name, or nil for a problem with the row as a whole.
    public var field: String?
    public var message: String

    public init(field: String?, _ message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { field.map { "\($0): \(message)" } ?? message }
}

/// Every bad field of one row; each field is reported once.
public struct ValidationFailure: Error, Sendable, Hashable, CustomStringConvertible {
    public var errors: [ValidationError]

    public init(_ errors: [ValidationError]) { self.errors = errors }

    public var description: String { errors.map(\.description).joined(separator: "; ") }
}
