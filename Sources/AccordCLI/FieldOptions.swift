import ArgumentParser
import Domain
import Storage

/// The commitment field flags shared by `add`, `edit` and the `list` filters.
struct FieldOptions: ParsableArguments {
    @Option(help: "Short title of the commitment.") var title: String?
    @Option(help: "Who commits (a government, an organisation).") var party: String?
    @Option(help: "Who receives.") var beneficiary: String?
    @Option(help: "One of: \(CommitmentKind.allCases.map(\.rawValue).joined(separator: ", ")).") var kind: String?
    @Option(help: "Exact decimal amount, e.g. 17000000.") var amount: String?
    @Option(help: "ISO 4217 code, e.g. GBP.") var currency: String?
    @Option(help: "One of: \(Qualifier.allCases.map(\.rawValue).joined(separator: ", ")).") var qualifier: String?
    @Option(help: "Exact decimal amount disbursed so far.") var disbursed: String?
    @Option(help: "One of: \(CommitmentStatus.allCases.map(\.rawValue).joined(separator: ", ")).") var status: String?
    @Option(help: "The meeting's id or a unique prefix of it.") var meeting: String?
    @Option(help: "Date announced, YYYY-MM-DD.") var date: String?
    @Option(help: "Years covered, e.g. 2022-2026 or 2024.") var period: String?
    @Option(help: "Progress in percent, 0-100.") var progress: String?
    @Option(help: "Source URL (http or https).") var source: String?
    @Option(help: "The sentence of the source the commitment comes from.") var quote: String?
    @Option(help: "A tag; repeat for several.") var tag: [String] = []
    @Option(help: "Free notes.") var note: String?

    /// Flag names and the fields they set, for `--clear` and messages.
    static let fieldsByFlag: [String: [String]] = [
        "title": ["title"], "party": ["party"], "beneficiary": ["beneficiary"], "kind": ["kind"],
        "amount": ["amount"], "currency": ["currency"], "qualifier": ["qualifier"], "disbursed": ["disbursed"],
        "status": ["status"], "meeting": ["meeting_id"], "date": ["date"], "period": ["period_start", "period_end"],
        "progress": ["progress"], "source": ["source_url"], "quote": ["source_quote"], "tag": ["tags"],
        "note": ["notes"],
    ]

    var isEmpty: Bool { rawValues.isEmpty && tag.isEmpty && meeting == nil && period == nil }

    /// The given flags as raw text per field (meeting and period are handled apart).
    private var rawValues: [String: String] {
        let pairs: [(String, String?)] = [
            ("title", title), ("party", party), ("beneficiary", beneficiary), ("kind", kind),
            ("amount", amount), ("currency", currency), ("qualifier", qualifier), ("disbursed", disbursed),
            ("status", status), ("date", date), ("progress", progress), ("source_url", source),
            ("source_quote", quote), ("notes", note),
        ]
        return Dictionary(uniqueKeysWithValues: pairs.compactMap { name, value in value.map { (name, $0) } })
    }

    /// Parses every given flag into field values, reporting every bad one at once.
    /// `--meeting` is resolved against the replica's meetings.
    func values(store: ReplicaStore) throws -> [String: FieldValue] {
        var raw = rawValues
        if let period {
            let parts = period.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
            guard (1...2).contains(parts.count), parts.allSatisfy({ !$0.isEmpty }) else {
                throw CLIError.invalid("period: \"\(period)\" is not a year or a range like 2022-2026")
            }
            raw["period_start"] = parts[0]
            raw["period_end"] = parts.count == 2 ? parts[1] : parts[0]
        }
        var values = try EntitySchema.commitments.parse(raw)
        if let meeting {
            values["meeting_id"] = .text(try store.resolveID(.meetings, prefix: meeting).text)
        }
        if !tag.isEmpty {
            do {
                values["tags"] = try FieldType.parseTags(tag)
            } catch {
                throw ValidationFailure([ValidationError(field: "tags", error.message)])
            }
        }
        return values
    }
}
