/// What kind of commitment a row records.
public enum CommitmentKind: String, Sendable, CaseIterable, Codable {
    case finance, humanitarian, programme, agreement
    case actionPlan = "action-plan"
    case membership, statement
}

/// How an amount (or, with no amount, a progress figure) relates to the real value.
public enum Qualifier: String, Sendable, CaseIterable, Codable {
    case exact
    case upTo = "up-to"
    case atLeast = "at-least"
    case about
    case moreThan = "more-than"
}

/// Where a commitment stands.
public enum CommitmentStatus: String, Sendable, CaseIterable, Codable {
    case announced, pledged
    case inProgress = "in-progress"
    case delivered, lapsed
}
