/// A diplomatic meeting at which commitments are announced ("58th AMM", Kuala Lumpur).
///
/// A typed view of a `meetings` record.
public struct Meeting: Sendable, Hashable {
    public var id: RecordID
    public var name: String
    public var series: String?
    public var location: String?
    public var startDate: CalendarDate?
    public var endDate: CalendarDate?
    public var notes: String?

    /// Reads a validated `meetings` record; nil if the record is of another entity.
    public init?(_ record: EntityRow) {
        guard record.entity == EntitySchema.meetings.name, let name = record["name"].text else { return nil }
        id = record.id
        self.name = name
        series = record["series"].text
        location = record["location"].text
        startDate = record["start_date"].text.flatMap(CalendarDate.init)
        endDate = record["end_date"].text.flatMap(CalendarDate.init)
        notes = record["notes"].text
    }
}
