import ArgumentParser
import Domain

/// How `list` and friends print rows.
enum RowFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, csv
}

/// Rows of an entity as a JSON array (one object per line), CSV, or a table for humans.
enum RowPrinter {
    static func render(_ rows: [EntityRow], schema: EntitySchema, format: RowFormat) -> String {
        switch format {
        case .json:
            if rows.isEmpty { return "[]\n" }
            return "[\n" + rows.map { Interchange.jsonLine($0, schema: schema) }.joined(separator: ",\n") + "\n]\n"
        case .csv:
            return ([Interchange.csvHeader(schema: schema)] + rows.map { Interchange.csvLine($0, schema: schema) })
                .map { $0 + "\n" }.joined()
        case .table:
            return table(rows, schema: schema).render(width: Terminal.current.width)
        }
    }

    static func table(_ rows: [EntityRow], schema: EntitySchema) -> TextTable {
        let shortID = shortIDs(rows.map(\.id))
        if schema == .meetings {
            var table = TextTable(headers: ["ID", "NAME", "SERIES", "LOCATION", "DATES"], flexibleColumn: 1)
            table.rows = rows.map { row in
                let dates = [row["start_date"].text, row["end_date"].text].compactMap { $0 }.joined(separator: " – ")
                return [shortID(row.id), row["name"].text ?? "", row["series"].text ?? "", row["location"].text ?? "", dates]
            }
            return table
        }
        var table = TextTable(headers: ["ID", "TITLE", "PARTY", "KIND", "AMOUNT", "STATUS"], flexibleColumn: 1)
        table.rows = rows.map { row in
            [shortID(row.id), (row.deleted ? "(deleted) " : "") + (row["title"].text ?? ""), row["party"].text ?? "",
             row["kind"].text ?? "", amountText(row), row["status"].text ?? ""]
        }
        return table
    }

    /// For each id, its shortest prefix (at least 8 characters) that no other listed id shares,
    /// so that what the table shows can be typed back into `show` or `edit`.
    static func shortIDs(_ ids: [RecordID]) -> (RecordID) -> String {
        let sorted = ids.map { Array($0.text) }.sorted { $0.lexicographicallyPrecedes($1) }
        func common(_ a: [Character], _ b: [Character]) -> Int {
            zip(a, b).prefix { $0 == $1 }.count
        }
        var lengths: [String: Int] = [:]
        for (index, id) in sorted.enumerated() {
            var length = 8
            if index > 0 { length = max(length, common(sorted[index - 1], id) + 1) }
            if index + 1 < sorted.count { length = max(length, common(sorted[index + 1], id) + 1) }
            lengths[String(id)] = min(length, id.count)
        }
        return { id in String(id.text.prefix(lengths[id.text] ?? 8)) }
    }

    /// "≤ GBP 40,000,000", "94.48%", or "" — the amount with its qualifier, else the progress.
    static func amountText(_ row: EntityRow) -> String {
        let mark = switch row["qualifier"].text {
        case "up-to": "≤ "
        case "at-least": "≥ "
        case "about": "~ "
        case "more-than": "> "
        default: ""
        }
        if let amount = row["amount"].text {
            return mark + [row["currency"].text, grouped(amount)].compactMap { $0 }.joined(separator: " ")
        }
        if let progress = row["progress"].text { return mark + progress + "%" }
        return ""
    }

    /// Thousands separators for the integer part of exact digits: 17000000 → 17,000,000.
    static func grouped(_ digits: String) -> String {
        let parts = digits.split(separator: ".", maxSplits: 1)
        var integer = String(parts[0])
        var groups: [String] = []
        while integer.count > 3 {
            groups.insert(String(integer.suffix(3)), at: 0)
            integer.removeLast(3)
        }
        groups.insert(integer, at: 0)
        return groups.joined(separator: ",") + (parts.count == 2 ? "." + parts[1] : "")
    }
}
