extension StringProtocol {
    /// The text without leading and trailing white space and line breaks. Cheaper than
    /// Foundation's `trimmingCharacters(in:)`, which bridges through NSString on Linux; import
    /// trims every cell of every row.
    var trimmed: String {
        var start = startIndex
        var end = endIndex
        while start < end, self[start].isWhitespace { start = index(after: start) }
        while end > start, self[index(before: end)].isWhitespace { end = index(before: end) }
        return String(self[start..<end])
    }
}
