import Foundation

/// What a figure must reach (issue 7's targets).
enum Target: Sendable {
    /// The figure over its reference, at most.
    case ratioAtMost(Double)
    /// The figure itself, at most / at least (in its unit).
    case atMost(Double)
    case atLeast(Double)

    func text(unit: String) -> String {
        switch self {
        case .ratioAtMost(let ratio): "≤ \(Figure.format(ratio))× reference"
        case .atMost(let value): "≤ \(Figure.format(value)) \(unit)"
        case .atLeast(let value): "≥ \(Figure.format(value)) \(unit)"
        }
    }
}

/// One measured figure, with the reference it is compared with in the same run.
struct Figure: Sendable {
    var name: String
    var value: Double
    var unit: String
    var reference: String?
    var referenceValue: Double?
    var target: Target?

    var ratio: Double? { referenceValue.flatMap { $0 > 0 ? value / $0 : nil } }

    var holds: Bool? {
        switch target {
        case .none: nil
        case .ratioAtMost(let most): ratio.map { $0 <= most }
        case .atMost(let most): value <= most
        case .atLeast(let least): value >= least
        }
    }

    static func format(_ number: Double) -> String {
        if number == number.rounded(), abs(number) < 1e15 { return String(Int64(number)) }
        return abs(number) >= 100 ? String(format: "%.0f", number) : abs(number) >= 1 ? String(format: "%.2f", number) : String(format: "%.3f", number)
    }

    var json: [String: Any] {
        var object: [String: Any] = ["name": name, "value": value, "unit": unit]
        if let reference { object["reference"] = reference }
        if let referenceValue { object["reference_value"] = referenceValue }
        if let ratio { object["ratio"] = ratio }
        if let target { object["target"] = target.text(unit: unit) }
        if let holds { object["holds"] = holds }
        return object
    }
}

enum Report {
    static func markdown(_ figures: [Figure], rows: Int, runs: Int) -> String {
        var lines = ["Accord benchmarks: \(rows) synthetic commitments, median of \(runs) run\(runs == 1 ? "" : "s")", "",
                     "| measure | Accord | reference | ratio | target | holds |", "| --- | --- | --- | --- | --- | --- |"]
        for figure in figures {
            let reference = figure.reference.map { name in "\(name): \(figure.referenceValue.map { Figure.format($0) } ?? "?") \(figure.unit)" } ?? ""
            let ratio = figure.ratio.map { Figure.format($0) + "×" } ?? ""
            let holds = figure.holds.map { $0 ? "yes" : "**no**" } ?? ""
            lines.append("| \(figure.name) | \(Figure.format(figure.value)) \(figure.unit) | \(reference) | \(ratio) | \(figure.target?.text(unit: figure.unit) ?? "") | \(holds) |")
        }
        return lines.joined(separator: "\n")
    }

    static func json(_ figures: [Figure], rows: Int, runs: Int) throws -> String {
        let object: [String: Any] = ["rows": rows, "runs": runs, "figures": figures.map(\.json)]
        return String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys]), as: UTF8.self)
    }
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return 0 }
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}
