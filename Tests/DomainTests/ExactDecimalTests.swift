import Foundation
import Testing
@testable import Domain

@Suite struct ExactDecimalTests {
    @Test("Digits are kept exactly as written", arguments: ["94.48", "17000000", "0.1", "0.50", "100.00", "0", "123456789012345678.123456789012"])
    func keepsDigits(raw: String) {
        #expect(ExactDecimal(raw)?.text == raw)
    }

    @Test("Leading zeros of the integer part are dropped and nothing else",
          arguments: [("017.50", "17.50"), ("000", "0"), ("00.5", "0.5"), ("0017000000", "17000000")])
    func dropsLeadingZeros(raw: String, expected: String) {
        #expect(ExactDecimal(raw)?.text == expected)
    }

    @Test("Signs, exponents, separators, spaces and partial numbers are refused",
          arguments: ["-5", "+5", "1e6", "1E6", "1,000", "1 000", " 1", "1 ", ".5", "5.", "", ".", "1.2.3", "abc", "0x10", "１２", "٣"])
    func refuses(raw: String) {
        #expect(ExactDecimal(raw) == nil)
    }

    @Test("At most 30 integer digits and 12 fraction digits are accepted")
    func digitLimits() {
        #expect(ExactDecimal(String(repeating: "9", count: 30)) != nil)
        #expect(ExactDecimal(String(repeating: "9", count: 31)) == nil)
        #expect(ExactDecimal("1." + String(repeating: "5", count: 12)) != nil)
        #expect(ExactDecimal("1." + String(repeating: "5", count: 13)) == nil)
    }

    @Test("Comparison is by value, not by text")
    func comparesByValue() throws {
        let nine = try #require(ExactDecimal("9"))
        let ten = try #require(ExactDecimal("10"))
        let twoAndHalf = try #require(ExactDecimal("2.5"))
        let tenth = try #require(ExactDecimal("0.1"))
        let quarter = try #require(ExactDecimal("0.25"))
        #expect(nine < ten)
        #expect(!(ten < nine))
        #expect(twoAndHalf < ten)
        #expect(tenth < quarter)
        #expect(try #require(ExactDecimal("99.99")) < (try #require(ExactDecimal("100"))))
    }

    @Test("Comparison stays exact at the largest sizes accepted (30 + 12 digits)")
    func comparesLargestExactly() throws {
        let smaller = try #require(ExactDecimal("100000000000000000000000000000.000000000001"))
        let larger = try #require(ExactDecimal("100000000000000000000000000000.000000000002"))
        #expect(smaller < larger)
        #expect(!(larger < smaller))
    }

    @Test("Sorting orders amounts by value")
    func sorts() {
        let sorted = ["100", "9", "17000000", "0.5", "94.48", "10.01"].compactMap(ExactDecimal.init).sorted().map(\.text)
        #expect(sorted == ["0.5", "9", "10.01", "94.48", "100", "17000000"])
    }

    @Test("The same value written with more fraction digits is neither less nor greater")
    func trailingZerosCompareEqualInValue() throws {
        let short = try #require(ExactDecimal("17.5"))
        let long = try #require(ExactDecimal("17.50"))
        #expect(!(short < long))
        #expect(!(long < short))
        #expect(short.decimal == long.decimal)
    }

    @Test("The Foundation value is the exact decimal")
    func decimalValue() {
        #expect(ExactDecimal("94.48")?.decimal == Decimal(9448) / Decimal(100))
        #expect(ExactDecimal("17000000")?.decimal == Decimal(17_000_000))
    }

    @Test("The description is the canonical text")
    func description() {
        #expect(ExactDecimal("017.50")?.description == "17.50")
    }
}
