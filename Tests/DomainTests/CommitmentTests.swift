import Testing
@testable import Domain

@Suite struct CommitmentTests {
    static let id = RecordID("01890a5d-ac96-774b-bcce-b302099a8057")!
    static let meetingID = RecordID("0197f2b4-5c00-7a3e-8c11-2f6d3e4a5b6c")!

    static func row(_ values: [String: FieldValue], entity: String = "commitments") -> EntityRow {
        EntityRow(entity: entity, id: id, values: values)
    }

    static let full = row([
        "title": .text("ASEAN Green Finance Fund"),
        "party": .text("United Kingdom"),
        "beneficiary": .text("ASEAN"),
        "kind": .text("action-plan"),
        "amount": .text("17000000"),
        "currency": .text("GBP"),
        "qualifier": .text("up-to"),
        "disbursed": .text("0.50"),
        "status": .text("in-progress"),
        "meeting_id": .text(meetingID.text),
        "date": .text("2025-07-10"),
        "period_start": .integer(2022),
        "period_end": .integer(2026),
        "progress": .text("94.48"),
        "source_url": .text("https://example.com/a"),
        "source_quote": .text("The UK committed £17 million."),
        "tags": .text("climate;finance"),
        "notes": .text("first\nsecond"),
    ])

    @Test("Every field of a full record is read into its typed property")
    func readsFull() throws {
        let commitment = try #require(Commitment(Self.full))
        #expect(commitment.id == Self.id)
        #expect(commitment.title == "ASEAN Green Finance Fund")
        #expect(commitment.party == "United Kingdom")
        #expect(commitment.beneficiary == "ASEAN")
        #expect(commitment.kind == .actionPlan)
        #expect(commitment.qualifier == .upTo)
        #expect(commitment.status == .inProgress)
        #expect(commitment.meetingID == Self.meetingID)
        #expect(commitment.date == CalendarDate("2025-07-10"))
        #expect(commitment.progress?.text == "94.48")
        #expect(commitment.disbursed?.text == "0.50")
        #expect(commitment.sourceURL == "https://example.com/a")
        #expect(commitment.sourceQuote == "The UK committed £17 million.")
        #expect(commitment.notes == "first\nsecond")
    }

    @Test("Amount and currency are read together as money with exact digits")
    func readsMoney() throws {
        let money = try #require(Commitment(Self.full)?.amount)
        #expect(money.amount.text == "17000000")
        #expect(money.currency.code == "GBP")
        #expect(money.description == "17000000 GBP")
    }

    @Test("The period is read as a closed range of years")
    func readsPeriod() {
        #expect(Commitment(Self.full)?.period == 2022...2026)
    }

    @Test("A one-year period is a range of one year")
    func oneYearPeriod() {
        let commitment = Commitment(Self.row(["title": .text("t"), "party": .text("p"), "period_start": .integer(2025), "period_end": .integer(2025)]))
        #expect(commitment?.period == 2025...2025)
    }

    @Test("Tags are read as an array in their stored order")
    func readsTags() {
        #expect(Commitment(Self.full)?.tags == ["climate", "finance"])
    }

    @Test("A minimal record has no optional values and no tags")
    func readsMinimal() throws {
        let commitment = try #require(Commitment(Self.row(["title": .text("t"), "party": .text("p")])))
        #expect(commitment.amount == nil)
        #expect(commitment.period == nil)
        #expect(commitment.tags == [])
        #expect(commitment.kind == nil)
        #expect(commitment.beneficiary == nil)
    }

    @Test("An amount without a currency is not money")
    func amountWithoutCurrency() {
        #expect(Commitment(Self.row(["title": .text("t"), "party": .text("p"), "amount": .text("5")]))?.amount == nil)
    }

    @Test("A period with only a start is no period")
    func halfPeriod() {
        #expect(Commitment(Self.row(["title": .text("t"), "party": .text("p"), "period_start": .integer(2022)]))?.period == nil)
    }

    @Test("A record of another entity, or without title or party, is not a commitment")
    func notACommitment() {
        #expect(Commitment(Self.row(["title": .text("t"), "party": .text("p")], entity: "meetings")) == nil)
        #expect(Commitment(Self.row(["party": .text("p")])) == nil)
        #expect(Commitment(Self.row(["title": .text("t")])) == nil)
    }

    @Test("A record parsed from an analyst's text reads back as the same commitment")
    func parsedRecord() throws {
        let values = try EntitySchema.commitments.parse([
            "title": "Fund", "party": "UK", "amount": "017.50", "currency": "usd", "period_start": "2022",
            "period_end": "2026", "tags": "b; a ;b", "kind": "membership",
        ])
        let commitment = try #require(Commitment(Self.row(values)))
        #expect(commitment.amount?.description == "17.50 USD")
        #expect(commitment.period == 2022...2026)
        #expect(commitment.tags == ["b", "a"])
        #expect(commitment.kind == .membership)
    }
}
