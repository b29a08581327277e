import Domain
import Foundation

/// N synthetic commitments as an `accord import` CSV (no `id` column: the replica assigns ids),
/// drawn from a seeded generator so every run benchmarks the same bytes. The values look like
/// the seed article's: parties and funds, amounts with currencies, dates, periods, quotes, tags.
enum SyntheticRows {
    static let header = "title,party,beneficiary,kind,amount,currency,qualifier,disbursed,status,date,period_start,period_end,progress,source_url,source_quote,tags,notes"

    static let parties = ["United Kingdom", "ASEAN", "Viet Nam", "Japan", "Australia", "European Union", "Indonesia",
                          "Thailand", "Singapore", "Malaysia", "Philippines", "Republic of Korea", "New Zealand", "Canada",
                          "India", "United States", "Cambodia", "Lao PDR", "Brunei Darussalam", "Timor-Leste"]
    static let funds = ["Green Finance Fund", "Scholarship Programme", "Digital Trade Facility", "Climate Resilience Window",
                        "Maritime Security Initiative", "Health Systems Partnership", "Clean Energy Transition Programme",
                        "Education Exchange", "Smart Cities Network", "Disaster Relief Facility"]
    static let verbs = ["commits", "pledges", "announces", "reaffirms support for", "signs an agreement on", "extends"]
    static let currencies = ["GBP", "USD", "EUR", "JPY", "AUD", "SGD"]
    static let words = ["cooperation", "regional", "sustainable", "development", "partnership", "investment", "capacity",
                        "resilience", "trade", "security", "connectivity", "innovation", "dialogue", "implementation",
                        "centrality", "transition", "finance", "growth", "stability", "people-to-people"]

    /// Writes the CSV to `path`; returns its size in bytes.
    @discardableResult
    static func write(rows: Int, seed: UInt64, to path: String) throws -> Int {
        var random = SeededRandom(seed: seed)
        var text = header + "\n"
        text.reserveCapacity(rows * 420)
        for index in 0..<rows {
            text += row(index, &random)
            text += "\n"
        }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return text.utf8.count
    }

    static func row(_ index: Int, _ random: inout SeededRandom) -> String {
        func pick(_ values: [String]) -> String { values[Int(random.next() % UInt64(values.count))] }
        func sentence(_ count: Int) -> String { (0..<count).map { _ in pick(words) }.joined(separator: " ") }
        let party = pick(parties), beneficiary = pick(parties), fund = pick(funds)
        let millions = Int(random.next() % 500) + 1
        let hasAmount = random.next() % 4 != 0
        let year = 2015 + Int(random.next() % 12)
        let month = Int(random.next() % 12) + 1, day = Int(random.next() % 28) + 1
        let kinds = CommitmentKind.allCases.map(\.rawValue)
        let fields: [String] = [
            "\(party) \(pick(verbs)) the \(beneficiary) \(fund) (\(index))",
            party,
            beneficiary,
            pick(kinds),
            hasAmount ? "\(millions)000000" : "",
            hasAmount ? pick(currencies) : "",
            hasAmount ? pick(Qualifier.allCases.map(\.rawValue)) : "",
            hasAmount && random.next() % 3 == 0 ? "\(millions / 2 + 1)000000" : "",
            pick(CommitmentStatus.allCases.map(\.rawValue)),
            String(format: "%04d-%02d-%02d", year, month, day),
            "\(year)",
            "\(year + Int(random.next() % 6))",
            random.next() % 5 == 0 ? "\(random.next() % 10000 / 100).\(random.next() % 100)" : "",
            "https://news.example.org/\(year)/\(month)/\(party.lowercased().replacingOccurrences(of: " ", with: "-"))-\(index)",
            "\"\(party) said it would \(sentence(8)), and that the \(fund) would support \(sentence(12)).\"",
            "\(pick(words));\(pick(words))",
            random.next() % 3 == 0 ? sentence(6) : "",
        ]
        return fields.joined(separator: ",")
    }
}
