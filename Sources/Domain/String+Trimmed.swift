extension StringProtocol {
    /// The text without leading and trailing white space and line breaks. Cheaper than
    /// Foundation's `trimmingCharacters(in:)`, which bridges through NSString on Linux; import
    /// trims every cell of every row.
    var trimmed: String {
        // Most cells start and end with a printable ASCII byte: nothing to trim, and no need
        // to ask each Character whether it is white space (a table lookup, 4% of an import).
        // An ASCII byte at either end is a whole Character there (the only cluster of ASCII
        // scalars is CR LF, which is white space and takes the slow path).
        let text = String(self)
        if let first = text.utf8.first, let last = text.utf8.last, first.isPrintableASCII, last.isPrintableASCII {
            return text
        }
        var start = text.startIndex
        var end = text.endIndex
        while start < end, text[start].isWhitespace { start = text.index(after: start) }
        while end > start, text[text.index(before: end)].isWhitespace { end = text.index(before: end) }
        return String(text[start..<end])
    }
}

extension UInt8 {
    /// A printable ASCII byte other than the space: U+0021–U+007E.
    var isPrintableASCII: Bool { self > 0x20 && self < 0x7F }
}
