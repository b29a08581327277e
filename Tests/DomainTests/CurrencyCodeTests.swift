import Testing
@testable import Domain

@Suite struct CurrencyCodeTests {
    @Test("Active codes are accepted", arguments: ["GBP", "USD", "EUR", "MYR", "SGD", "JPY", "IDR", "THB", "VND", "PHP"])
    func active(code: String) {
        #expect(CurrencyCode(code)?.code == code)
    }

    @Test("Codes in lower or mixed case are accepted and written in capitals")
    func normalised() {
        #expect(CurrencyCode("gbp")?.code == "GBP")
        #expect(CurrencyCode("Eur")?.code == "EUR")
        #expect(CurrencyCode("usd")?.description == "USD")
    }

    @Test("Unknown, retired and malformed codes are refused", arguments: ["XYZ", "DEM", "FRF", "GB", "GBPP", "", "G B P", "£"])
    func refused(code: String) {
        #expect(CurrencyCode(code) == nil)
    }

    @Test("The list of active codes holds only three capital letters each")
    func listShape() {
        #expect(CurrencyCode.activeCodes.count > 150)
        for code in CurrencyCode.activeCodes {
            #expect(code.count == 3 && code.allSatisfy { ("A"..."Z").contains($0) }, "\(code)")
        }
    }

    @Test("Money describes itself as the exact amount then the code")
    func moneyDescription() throws {
        let money = Money(amount: try #require(ExactDecimal("17000000")), currency: try #require(CurrencyCode("gbp")))
        #expect(money.description == "17000000 GBP")
    }
}
