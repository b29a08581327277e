import Domain

/// Which rows `list` returns. Every condition must hold.
public struct RecordFilter: Sendable, Hashable {
    /// Fields that must equal a value (text compared without regard to ASCII case).
    public var equals: [String: FieldValue] = [:]
    /// Tags that a row must all carry.
    public var tags: [String] = []
    /// Years that the row's period must overlap.
    public var period: ClosedRange<Int64>?
    /// Words that must all occur in the full-text fields (prefix match).
    public var search: String?
    /// Whether deleted rows are listed too.
    public var includeDeleted = false

    public init() {}
}
