/// A commitment announced at a meeting: "the UK committed £17 million to the ASEAN Green
/// Finance Fund", "94.48% of the ASEAN-UK action lines implemented".
///
/// A typed view of a `commitments` row, read with `init(_:)`.
public struct Commitment: Sendable, Hashable {
    public var id: RecordID
    public var title: String
    public var party: String
    public var beneficiary: String?
    public var kind: CommitmentKind?
    public var amount: Money?
    public var qualifier: Qualifier?
    public var disbursed: ExactDecimal?
    public var status: CommitmentStatus?
    public var meetingID: RecordID?
    public var date: CalendarDate?
    public var period: ClosedRange<Int>?
    public var progress: ExactDecimal?
    public var sourceURL: String?
    public var sourceQuote: String?
    public var tags: [String]
    public var notes: String?

    /// Reads a validated `commitments` record; nil if the record is of another entity.
    public init?(_ record: EntityRow) {
        guard record.entity == EntitySchema.commitments.name,
              let title = record["title"].text, let party = record["party"].text else { return nil }
        id = record.id
        self.title = title
        self.party = party
        beneficiary = record["beneficiary"].text
        kind = record["kind"].text.flatMap(CommitmentKind.init(rawValue:))
        if let amount = record["amount"].text.flatMap(ExactDecimal.init),
           let currency = record["currency"].text.flatMap(CurrencyCode.init) {
            self.amount = Money(amount: amount, currency: currency)
        }
        qualifier = record["qualifier"].text.flatMap(Qualifier.init(rawValue:))
        disbursed = record["disbursed"].text.flatMap(ExactDecimal.init)
        status = record["status"].text.flatMap(CommitmentStatus.init(rawValue:))
        meetingID = record["meeting_id"].text.flatMap(RecordID.init)
        date = record["date"].text.flatMap(CalendarDate.init)
        if let start = record["period_start"].integer, let end = record["period_end"].integer, start <= end {
            period = Int(start)...Int(end)
        }
        progress = record["progress"].text.flatMap(ExactDecimal.init)
        sourceURL = record["source_url"].text
        sourceQuote = record["source_quote"].text
        tags = record["tags"].text.map { FieldType.splitTags($0).map(String.init) } ?? []
        notes = record["notes"].text
    }
}
