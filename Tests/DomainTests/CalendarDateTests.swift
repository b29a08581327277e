import Testing
@testable import Domain

@Suite struct CalendarDateTests {
    @Test("A real date is read into year, month and day")
    func readsParts() throws {
        let date = try #require(CalendarDate("2025-07-10"))
        #expect(date.year == 2025)
        #expect(date.month == 7)
        #expect(date.day == 10)
        #expect(date.description == "2025-07-10")
    }

    @Test("29 February exists in leap years, including those divisible by 400",
          arguments: ["2024-02-29", "2000-02-29", "1996-02-29"])
    func leapDays(text: String) {
        #expect(CalendarDate(text)?.description == text)
    }

    @Test("29 February does not exist in common years, including centuries not divisible by 400",
          arguments: ["2023-02-29", "1900-02-29", "2100-02-29"])
    func noLeapDay(text: String) {
        #expect(CalendarDate(text) == nil)
    }

    @Test("Impossible days and months are refused",
          arguments: ["2025-02-30", "2025-04-31", "2025-06-31", "2025-09-31", "2025-11-31", "2025-01-32",
                      "2025-13-01", "2025-00-10", "2025-01-00"])
    func impossible(text: String) {
        #expect(CalendarDate(text) == nil)
    }

    @Test("The last day of each long month is accepted", arguments: ["2025-01-31", "2025-03-31", "2025-12-31", "2025-04-30"])
    func lastDays(text: String) {
        #expect(CalendarDate(text) != nil)
    }

    @Test("Only the exact form YYYY-MM-DD is accepted",
          arguments: ["25-01-01", "2025-1-01", "2025-01-1", "02025-01-01", "2025/01/01", "2025-01-01T00:00",
                      " 2025-01-01", "+025-01-01", "2025-01--1", "２０２５-01-01", ""])
    func shape(text: String) {
        #expect(CalendarDate(text) == nil)
    }

    @Test("Dates order by year, then month, then day")
    func ordering() throws {
        let dates = try ["2025-07-10", "2024-12-31", "2025-07-08", "2025-01-20"].map { try #require(CalendarDate($0)) }
        #expect(dates.sorted().map(\.description) == ["2024-12-31", "2025-01-20", "2025-07-08", "2025-07-10"])
    }
}
