extension EntitySchema {
    /// Pledges, funds, programmes, agreements and action-plan figures.
    public static let commitments = EntitySchema(
        name: "commitments",
        singular: "commitment",
        fields: [
            FieldSpec("title", .text(maxLength: 200, multiline: false), required: true),
            FieldSpec("party", .text(maxLength: 200, multiline: false), required: true),
            FieldSpec("beneficiary", .text(maxLength: 200, multiline: false)),
            FieldSpec("kind", .choice(CommitmentKind.allCases.map(\.rawValue))),
            FieldSpec("amount", .decimal),
            FieldSpec("currency", .currency),
            FieldSpec("qualifier", .choice(Qualifier.allCases.map(\.rawValue))),
            FieldSpec("disbursed", .decimal),
            FieldSpec("status", .choice(CommitmentStatus.allCases.map(\.rawValue))),
            FieldSpec("meeting_id", .reference(entity: "meetings")),
            FieldSpec("date", .date),
            FieldSpec("period_start", .year),
            FieldSpec("period_end", .year),
            FieldSpec("progress", .percent),
            FieldSpec("source_url", .url),
            FieldSpec("source_quote", .text(maxLength: 4000, multiline: true)),
            FieldSpec("tags", .tags),
            FieldSpec("notes", .text(maxLength: 4000, multiline: true)),
        ],
        crossRules: [
            CrossRule(kind: .requires(field: "amount", needs: "currency")),
            CrossRule(kind: .requires(field: "disbursed", needs: "currency")),
            CrossRule(kind: .notBefore(later: "period_end", earlier: "period_start")),
        ]
    )

    /// The meetings at which commitments are announced.
    public static let meetings = EntitySchema(
        name: "meetings",
        singular: "meeting",
        fields: [
            FieldSpec("name", .text(maxLength: 200, multiline: false), required: true),
            FieldSpec("series", .text(maxLength: 100, multiline: false)),
            FieldSpec("location", .text(maxLength: 200, multiline: false)),
            FieldSpec("start_date", .date),
            FieldSpec("end_date", .date),
            FieldSpec("notes", .text(maxLength: 4000, multiline: true)),
        ],
        crossRules: [
            CrossRule(kind: .notBefore(later: "end_date", earlier: "start_date")),
        ]
    )
}
