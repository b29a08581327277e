import Testing
@testable import Domain

@Suite struct EntitySchemaTests {
    let schema = EntitySchema.commitments

    func with(_ extra: [String: String]) -> [String: String] {
        minimalCommitment.merging(extra) { _, new in new }
    }

    /// The single problem of a row expected to have exactly one.
    func onlyProblem(_ raw: [String: String], schema: EntitySchema = .commitments) -> ValidationError? {
        let problems = schema.problems(raw)
        #expect(problems.count == 1, "expected one problem, got \(problems)")
        return problems.first
    }

    // MARK: Catalog

    @Test("Commitment fields are listed in the canonical order of the design")
    func commitmentFieldOrder() {
        #expect(EntitySchema.commitments.fieldNames == [
            "title", "party", "beneficiary", "kind", "amount", "currency", "qualifier", "disbursed", "status",
            "meeting_id", "date", "period_start", "period_end", "progress", "source_url", "source_quote",
            "tags", "notes",
        ])
    }

    @Test("Meeting fields are listed in the canonical order of the design")
    func meetingFieldOrder() {
        #expect(EntitySchema.meetings.fieldNames == ["name", "series", "location", "start_date", "end_date", "notes"])
    }

    @Test("The synced fields are the data fields followed by deleted")
    func syncedFields() {
        #expect(EntitySchema.meetings.syncedFieldNames == ["name", "series", "location", "start_date", "end_date", "notes", "deleted"])
    }

    @Test("Schemas are found by their plural name and no other")
    func namedLookup() {
        #expect(EntitySchema.named("commitments") == .commitments)
        #expect(EntitySchema.named("meetings") == .meetings)
        #expect(EntitySchema.named("commitment") == nil)
    }

    // MARK: Good rows

    @Test("A row with only title and party is valid")
    func minimalIsValid() {
        #expect(schema.problems(minimalCommitment).isEmpty)
    }

    @Test("A full row from the seed article is valid and parsed to its stored form")
    func fullRow() {
        let values = schema.goodValues(with([
            "beneficiary": "ASEAN", "kind": "finance", "amount": "17000000", "currency": "gbp",
            "qualifier": "exact", "status": "announced", "date": "2025-07-10", "period_start": "2022",
            "period_end": "2026", "progress": "94.48", "source_url": "https://example.com/a",
            "tags": "climate;finance", "notes": "first line\nsecond line",
        ]))
        #expect(values?["currency"] == .text("GBP"))
        #expect(values?["amount"] == .text("17000000"))
        #expect(values?["period_start"] == .integer(2022))
        #expect(values?["period_end"] == .integer(2026))
        #expect(values?["progress"] == .text("94.48"))
        #expect(values?["tags"] == .text("climate;finance"))
    }

    @Test("Checking only the row rules of values in stored form finds what a whole check finds")
    func rowRulesOfStoredValues() throws {
        let rows: [[String: FieldValue]] = [
            ["title": .text("Fund"), "party": .text("UK")],
            ["title": .text("Fund")],
            ["title": .text("Fund"), "party": .text("UK"), "amount": .text("17000000")],
            ["title": .text("Fund"), "party": .text("UK"), "period_start": .integer(2026), "period_end": .integer(2022)],
            ["title": .text("Fund"), "party": .text("UK"), "colour": .text("green")],
            ["party": .text("UK"), "amount": .text("5"), "period_start": .integer(2026), "period_end": .integer(2022)],
        ]
        var refused = 0
        for values in rows {
            let whole = Result { () throws(ValidationFailure) in try schema.validate(values) }
            let rules = Result { () throws(ValidationFailure) in try schema.validateRowRules(values) }
            switch (whole, rules) {
            case (.success, .success): break
            case (.failure(let expected), .failure(let found)):
                #expect(found.errors == expected.errors, "\(values)")
                refused += 1
            default:
                Issue.record("\(values): validate \(whole), validateRowRules \(rules)")
            }
        }
        #expect(refused == 5)
    }

    // MARK: One rule, one message

    @Test("An empty title is reported as required")
    func titleRequired() {
        let error = onlyProblem(with(["title": "   "]))
        #expect(error?.field == "title")
        #expect(error?.message == "is required")
    }

    @Test("A missing party is reported as required")
    func partyRequired() {
        let error = onlyProblem(["title": "A fund"])
        #expect(error?.field == "party")
        #expect(error?.message == "is required")
    }

    @Test("A title over 200 characters is refused on title")
    func titleTooLong() {
        let error = onlyProblem(with(["title": String(repeating: "x", count: 201)]))
        #expect(error?.field == "title")
        #expect(error?.message.contains("200") == true)
    }

    @Test("An unknown currency is refused on currency")
    func unknownCurrency() {
        let error = onlyProblem(with(["amount": "5", "currency": "XYZ"]))
        #expect(error?.field == "currency")
        #expect(error?.message.contains("\"XYZ\"") == true)
    }

    @Test("A lowercase currency is accepted and normalised")
    func lowercaseCurrency() {
        #expect(schema.goodValues(with(["amount": "5", "currency": "gbp"]))?["currency"] == .text("GBP"))
    }

    @Test("A negative amount is refused on amount")
    func negativeAmount() {
        let error = onlyProblem(with(["amount": "-5", "currency": "GBP"]))
        #expect(error?.field == "amount")
        #expect(error?.message.contains("\"-5\"") == true)
    }

    @Test("An amount with an exponent or thousands separator is refused on amount", arguments: ["1e6", "1,000"])
    func amountNotation(raw: String) {
        let error = onlyProblem(with(["amount": raw, "currency": "GBP"]))
        #expect(error?.field == "amount")
    }

    @Test("Progress of 0 and 100 is accepted", arguments: ["0", "100"])
    func progressBounds(raw: String) {
        #expect(schema.goodValues(with(["progress": raw]))?["progress"] == .text(raw))
    }

    @Test("Progress over 100 is refused on progress")
    func progressOver() {
        let error = onlyProblem(with(["progress": "100.01"]))
        #expect(error?.field == "progress")
    }

    @Test("A leap day in a leap year is accepted as a date")
    func leapDay() {
        #expect(schema.goodValues(with(["date": "2024-02-29"]))?["date"] == .text("2024-02-29"))
    }

    @Test("An impossible date is refused on date", arguments: ["2025-02-30", "2023-02-29", "2025-13-01", "25-01-01"])
    func impossibleDate(raw: String) {
        let error = onlyProblem(with(["date": raw]))
        #expect(error?.field == "date")
        #expect(error?.message.contains("\"\(raw)\"") == true)
    }

    @Test("A period ending before it starts is reported on period_end")
    func periodBackwards() {
        let error = onlyProblem(with(["period_start": "2026", "period_end": "2022"]))
        #expect(error?.field == "period_end")
        #expect(error?.message.contains("2022") == true)
        #expect(error?.message.contains("2026") == true)
    }

    @Test("A period of a single year is valid")
    func periodSingleYear() {
        #expect(schema.problems(with(["period_start": "2025", "period_end": "2025"])).isEmpty)
    }

    @Test("A source URL that is not http(s) is refused on source_url",
          arguments: ["ftp://x", "javascript:alert(1)", "example.com"])
    func badURL(raw: String) {
        let error = onlyProblem(with(["source_url": raw]))
        #expect(error?.field == "source_url")
    }

    @Test("An https source URL is accepted")
    func goodURL() {
        #expect(schema.goodValues(with(["source_url": "https://example.com/a"]))?["source_url"] == .text("https://example.com/a"))
    }

    @Test("An amount without a currency is reported on currency")
    func amountNeedsCurrency() {
        let error = onlyProblem(with(["amount": "17000000"]))
        #expect(error?.field == "currency")
        #expect(error?.message.contains("amount") == true)
    }

    @Test("A disbursed amount without a currency is reported on currency")
    func disbursedNeedsCurrency() {
        let error = onlyProblem(with(["disbursed": "1000"]))
        #expect(error?.field == "currency")
        #expect(error?.message.contains("disbursed") == true)
    }

    @Test("Amount and disbursed both without a currency give one error on currency")
    func currencyReportedOnce() {
        let error = onlyProblem(with(["amount": "5", "disbursed": "1"]))
        #expect(error?.field == "currency")
    }

    @Test("A currency alone, without an amount, is valid")
    func currencyAlone() {
        #expect(schema.problems(with(["currency": "EUR"])).isEmpty)
    }

    @Test("An enum spelled with an underscore is refused on kind")
    func underscoreKind() {
        let error = onlyProblem(with(["kind": "action_plan"]))
        #expect(error?.field == "kind")
        #expect(error?.message.contains("action-plan") == true)
    }

    @Test("Every kind of the design is accepted as spelled there",
          arguments: ["finance", "humanitarian", "programme", "agreement", "action-plan", "membership", "statement"])
    func kinds(raw: String) {
        #expect(schema.goodValues(with(["kind": raw]))?["kind"] == .text(raw))
    }

    @Test("Every qualifier of the design is accepted as spelled there",
          arguments: ["exact", "up-to", "at-least", "about", "more-than"])
    func qualifiers(raw: String) {
        #expect(schema.goodValues(with(["qualifier": raw]))?["qualifier"] == .text(raw))
    }

    @Test("Every status of the design is accepted as spelled there",
          arguments: ["announced", "pledged", "in-progress", "delivered", "lapsed"])
    func statuses(raw: String) {
        #expect(schema.goodValues(with(["status": raw]))?["status"] == .text(raw))
    }

    @Test("The vocabularies hold exactly the spellings of the design")
    func vocabularies() {
        #expect(CommitmentKind.allCases.map(\.rawValue) == ["finance", "humanitarian", "programme", "agreement", "action-plan", "membership", "statement"])
        #expect(Qualifier.allCases.map(\.rawValue) == ["exact", "up-to", "at-least", "about", "more-than"])
        #expect(CommitmentStatus.allCases.map(\.rawValue) == ["announced", "pledged", "in-progress", "delivered", "lapsed"])
    }

    @Test("Near-miss spellings of qualifier and status are refused",
          arguments: [("qualifier", "up_to"), ("qualifier", "Exact"), ("status", "in_progress"), ("status", "inprogress")])
    func nearMissSpellings(field: String, raw: String) {
        #expect(onlyProblem(with([field: raw]))?.field == field)
    }

    @Test("An unknown field name is refused on that name")
    func unknownFieldParsed() {
        let error = onlyProblem(with(["colour": "red"]))
        #expect(error?.field == "colour")
        #expect(error?.message == "is not a field of commitments")
    }

    @Test("Validating values with an unknown field refuses it on that name")
    func unknownFieldValidated() {
        let values: [String: FieldValue] = ["title": .text("t"), "party": .text("p"), "colour": .text("red")]
        #expect(throws: ValidationFailure([ValidationError(field: "colour", "is not a field of commitments")])) {
            try schema.validate(values)
        }
    }

    @Test("Validating values refuses ones that do not parse as their field's type")
    func validateChecksTypes() {
        // Values that did not come from `FieldType.parse` (a pushed change, a hand-made row).
        let values: [String: FieldValue] = [
            "title": .text("t"), "party": .text("p"), "amount": .text("-5"), "currency": .text("GBP"),
            "progress": .text("250"), "period_start": .text("twenty"),
        ]
        var fields: [String?] = []
        do {
            try schema.validate(values)
        } catch {
            fields = error.errors.map(\.field)
        }
        #expect(fields == ["amount", "period_start", "progress"])
    }

    // MARK: Several problems

    @Test("Several bad fields are reported together, one error per field")
    func severalBadFields() {
        let problems = schema.problems(with([
            "amount": "-5", "currency": "XYZ", "date": "2025-02-30", "progress": "100.01", "kind": "action_plan",
        ]))
        #expect(problems.map(\.field) == ["amount", "currency", "date", "kind", "progress"])
    }

    @Test("Several row rules broken at once are reported together")
    func severalRowRules() {
        let problems = schema.problems(["amount": "5", "period_start": "2026", "period_end": "2022"])
        #expect(Set(problems.compactMap(\.field)) == ["title", "party", "currency", "period_end"])
        #expect(problems.count == 4)
    }

    @Test("A failure describes each field on its own, joined by semicolons")
    func failureDescription() {
        let failure = ValidationFailure([
            ValidationError(field: "title", "is required"),
            ValidationError(field: nil, "the row is odd"),
        ])
        #expect(failure.description == "title: is required; the row is odd")
    }

    // MARK: Meetings

    @Test("A meeting ending before it starts is reported on end_date")
    func meetingBackwards() {
        let error = onlyProblem(["name": "58th AMM", "start_date": "2025-07-10", "end_date": "2025-07-08"], schema: .meetings)
        #expect(error?.field == "end_date")
    }

    @Test("A meeting of one day is valid")
    func meetingOneDay() {
        #expect(EntitySchema.meetings.problems(["name": "58th AMM", "start_date": "2025-07-10", "end_date": "2025-07-10"]).isEmpty)
    }

    @Test("A meeting needs a name")
    func meetingNeedsName() {
        let error = onlyProblem(["location": "Kuala Lumpur"], schema: .meetings)
        #expect(error?.field == "name")
    }
}
