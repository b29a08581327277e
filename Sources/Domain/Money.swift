/// An ISO 4217 alphabetic currency code, checked against the list of active codes.
public struct CurrencyCode: Sendable, Hashable, CustomStringConvertible {
    public let code: String

    /// Accepts an active code in any case (`gbp` becomes `GBP`).
    public init?(_ raw: String) {
        let upper = raw.uppercased()
        guard Self.activeCodes.contains(upper) else { return nil }
        code = upper
    }

    public var description: String { code }
}

/// An exact amount in one currency: "£17 million" is `Money(amount: "17000000", currency: GBP)`.
public struct Money: Sendable, Hashable, CustomStringConvertible {
    public var amount: ExactDecimal
    public var currency: CurrencyCode

    public init(amount: ExactDecimal, currency: CurrencyCode) {
        self.amount = amount
        self.currency = currency
    }

    public var description: String { "\(amount.text) \(currency.code)" }
}
