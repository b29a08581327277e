import Testing
@testable import Domain

@Suite struct FieldTypeTests {
    static let title = FieldType.text(maxLength: 200, multiline: false)
    static let notes = FieldType.text(maxLength: 4000, multiline: true)

    // MARK: Empty and text

    @Test("Every field's stored value is bounded by maxStoredBytes: the longest texts, 50 tags, a long URL")
    func storedValuesAreBounded() throws {
        for schema in EntitySchema.all {
            for field in schema.fields {
                if case .text(let maxLength, _) = field.type { #expect(4 * maxLength <= FieldType.maxStoredBytes, "\(field.name)") }
            }
        }
        let fifty = (1...50).map { "tag-\($0)-" + String(repeating: "é", count: 40) }
        let stored = try FieldType.tags.parse(fifty.joined(separator: ";"))
        #expect((stored.text?.utf8.count ?? 0) <= FieldType.maxStoredBytes)
        #expect(throws: ValidationError.self) { try FieldType.tags.parse((fifty + ["one more"]).joined(separator: ";")) }
        #expect(throws: ValidationError.self) { try FieldType.url.parse("https://example.org/" + String(repeating: "é", count: 1990)) }
    }

    @Test("Empty or blank text is no value, whatever the type")
    func blankIsNull() throws {
        let types: [FieldType] = [Self.title, .decimal, .percent, .currency, .date, .year, .url, .tags,
                                  .choice(["a"]), .reference(entity: "meetings")]
        for type in types {
            #expect(try type.parse("") == .null)
            #expect(try type.parse("  \t ") == .null)
        }
    }

    @Test("Text is trimmed of surrounding spaces and newlines")
    func textIsTrimmed() throws {
        #expect(try Self.title.parse("  Green Finance Fund \n") == .text("Green Finance Fund"))
    }

    @Test("Text of exactly the maximum length is accepted")
    func textAtLimit() throws {
        let text = String(repeating: "a", count: 200)
        #expect(try Self.title.parse(text) == .text(text))
    }

    @Test("Text one character over the maximum length is refused, naming both lengths")
    func textOverLimit() {
        let error = Self.title.parseError(String(repeating: "a", count: 201))
        #expect(error?.message.contains("201") == true)
        #expect(error?.message.contains("200") == true)
    }

    @Test("Length is counted in characters, so accented letters count once")
    func lengthCountsCharacters() throws {
        let text = String(repeating: "é", count: 200)
        #expect(try Self.title.parse(text) == .text(text))
    }

    @Test("A one-line text refuses an inner newline")
    func oneLineRefusesNewline() {
        #expect(Self.title.parseError("first\nsecond") != nil)
    }

    @Test("A one-line text refuses control characters")
    func oneLineRefusesControl() {
        #expect(Self.title.parseError("bell\u{7}here") != nil)
    }

    @Test("A multiline text keeps inner newlines and tabs")
    func multilineKeepsNewlines() throws {
        #expect(try Self.notes.parse("first\nsecond\tthird") == .text("first\nsecond\tthird"))
    }

    @Test("A multiline text still refuses other control characters")
    func multilineRefusesControl() {
        #expect(Self.notes.parseError("null\u{0}byte") != nil)
    }

    // MARK: Choice

    @Test("A choice accepts only an exact spelling from its list")
    func choiceExact() throws {
        let type = FieldType.choice(["action-plan", "finance"])
        #expect(try type.parse("action-plan") == .text("action-plan"))
        #expect(type.parseError("action_plan") != nil)
        #expect(type.parseError("Finance") != nil)
    }

    @Test("A refused choice quotes the value and lists the allowed spellings")
    func choiceMessage() {
        let message = FieldType.choice(["exact", "up-to"]).parseError("upto")?.message ?? ""
        #expect(message.contains("\"upto\""))
        #expect(message.contains("exact, up-to"))
    }

    // MARK: Decimal and percent

    @Test("A decimal keeps its exact digits, dropping only leading zeros")
    func decimalDigits() throws {
        #expect(try FieldType.decimal.parse("94.48") == .text("94.48"))
        #expect(try FieldType.decimal.parse("17000000") == .text("17000000"))
        #expect(try FieldType.decimal.parse("017.50") == .text("17.50"))
        #expect(try FieldType.decimal.parse("0.1") == .text("0.1"))
    }

    @Test("A decimal refuses a sign, an exponent and thousands separators",
          arguments: ["-5", "+5", "1e6", "1E6", "1,000", "1 000", "12,5", ".5", "5.", "abc"])
    func decimalRefuses(raw: String) {
        let error = FieldType.decimal.parseError(raw)
        #expect(error?.message.contains("\"\(raw)\"") == true)
    }

    @Test("A percentage of exactly 0 or 100 is accepted")
    func percentBounds() throws {
        #expect(try FieldType.percent.parse("0") == .text("0"))
        #expect(try FieldType.percent.parse("100") == .text("100"))
        #expect(try FieldType.percent.parse("100.00") == .text("100.00"))
        #expect(try FieldType.percent.parse("94.48") == .text("94.48"))
    }

    @Test("A percentage above 100 or negative is refused", arguments: ["100.01", "101", "250", "-1"])
    func percentOutside(raw: String) {
        #expect(FieldType.percent.parseError(raw) != nil)
    }

    @Test("A percentage over 100 is reported as outside 0–100")
    func percentMessage() {
        #expect(FieldType.percent.parseError("100.01")?.message == "100.01 is outside 0–100")
    }

    // MARK: Currency

    @Test("A currency code in lowercase is accepted and stored in capitals")
    func currencyNormalised() throws {
        #expect(try FieldType.currency.parse("gbp") == .text("GBP"))
        #expect(try FieldType.currency.parse(" Usd ") == .text("USD"))
    }

    @Test("An unknown or malformed currency code is refused", arguments: ["XYZ", "GB", "GBPX", "£", "12A"])
    func currencyRefused(raw: String) {
        #expect(FieldType.currency.parseError(raw)?.message.contains("ISO 4217") == true)
    }

    // MARK: Date and year

    @Test("Real dates are accepted, including 29 February in a leap year")
    func datesAccepted() throws {
        #expect(try FieldType.date.parse("2025-07-10") == .text("2025-07-10"))
        #expect(try FieldType.date.parse("2024-02-29") == .text("2024-02-29"))
    }

    @Test("Impossible or badly written dates are refused",
          arguments: ["2025-02-30", "2023-02-29", "2025-13-01", "2025-00-10", "2025-04-31", "25-01-01",
                      "2025-1-01", "2025/01/01", "10 July 2025", "2025-07-10T00:00:00Z"])
    func datesRefused(raw: String) {
        #expect(FieldType.date.parseError(raw)?.message.contains("YYYY-MM-DD") == true)
    }

    @Test("A year is stored as an integer")
    func yearIsInteger() throws {
        #expect(try FieldType.year.parse("2026") == .integer(2026))
        #expect(try FieldType.year.parse("1900") == .integer(1900))
        #expect(try FieldType.year.parse("2200") == .integer(2200))
    }

    @Test("A year outside 1900–2200 or not a whole number is refused",
          arguments: ["1899", "2201", "26", "2026.0", "twenty", "2022-2026"])
    func yearRefused(raw: String) {
        #expect(FieldType.year.parseError(raw) != nil)
    }

    // MARK: URL

    @Test("http and https URLs with a host are accepted as typed")
    func urlAccepted() throws {
        #expect(try FieldType.url.parse("https://example.com/a") == .text("https://example.com/a"))
        #expect(try FieldType.url.parse("http://example.com") == .text("http://example.com"))
        #expect(try FieldType.url.parse("HTTPS://example.com/a?b=c#d") == .text("HTTPS://example.com/a?b=c#d"))
    }

    @Test("A URL that is not absolute http(s) is refused",
          arguments: ["ftp://x", "javascript:alert(1)", "example.com", "https://", "mailto:a@example.com",
                      "file:///etc/passwd", "https://exa mple.com"])
    func urlRefused(raw: String) {
        #expect(FieldType.url.parseError(raw)?.message.contains("http(s)") == true)
    }

    // MARK: Tags

    @Test("Tags given as text are split on ';', trimmed and de-duplicated in order")
    func tagsFromText() throws {
        #expect(try FieldType.tags.parse(" climate ; finance;climate;; ASEAN ") == .text("climate;finance;ASEAN"))
    }

    @Test("Every ';' separates tags, even one that a combining mark follows")
    func tagsSplitAtEverySemicolon() throws {
        #expect(try FieldType.tags.parse("a;\u{301}b;c") == .text("a;\u{301}b;c"))
        #expect(try FieldType.tags.parse("a;\u{301}b;c").text?.unicodeScalars.split(separator: ";").count == 3)
    }

    @Test("Tags given as a list are trimmed and de-duplicated in order")
    func tagsFromList() throws {
        #expect(try FieldType.parseTags(["  b", "a ", "b", "c", "a"]) == .text("b;a;c"))
    }

    @Test("A tag given in a list may not contain ';'")
    func tagsListRefusesSemicolon() {
        #expect(throws: ValidationError.self) { try FieldType.parseTags(["ok", "a;b"]) }
    }

    @Test("No tags, or only blank ones, is no value")
    func tagsEmptyIsNull() throws {
        #expect(try FieldType.parseTags([]) == .null)
        #expect(try FieldType.parseTags(["", "  "]) == .null)
        #expect(try FieldType.tags.parse(" ; ;") == .null)
    }

    @Test("A tag over 50 characters is refused")
    func tagTooLong() throws {
        #expect(try FieldType.parseTags([String(repeating: "t", count: 50)]) == .text(String(repeating: "t", count: 50)))
        #expect(throws: ValidationError.self) { try FieldType.parseTags([String(repeating: "t", count: 51)]) }
    }

    // MARK: Reference

    @Test("A reference is an id, normalised to lowercase")
    func referenceNormalised() throws {
        let type = FieldType.reference(entity: "meetings")
        #expect(try type.parse("01890A5D-AC96-774B-BCCE-B302099A8057") == .text("01890a5d-ac96-774b-bcce-b302099a8057"))
        #expect(type.parseError("58th AMM") != nil)
    }

    @Test("A long refused value is shortened in the message")
    func longValueShortened() {
        let message = FieldType.decimal.parseError(String(repeating: "x", count: 100))?.message ?? ""
        #expect(message.hasPrefix("\"" + String(repeating: "x", count: 57) + "...\""))
    }
}
