import Testing
@testable import Domain

@Suite struct CSVTests {
    func fields(_ text: String) throws -> [[String]] {
        try CSV.parse(text).map(\.fields)
    }

    func formatError(_ text: String) -> CSV.FormatError? {
        do {
            _ = try CSV.parse(text)
            return nil
        } catch {
            return error
        }
    }

    // MARK: Reading

    @Test("Plain records are split on commas and line feeds")
    func plain() throws {
        #expect(try fields("a,b,c\n1,2,3\n") == [["a", "b", "c"], ["1", "2", "3"]])
    }

    @Test("forEachRow hands over, in order, the records parse returns: blank lines inside kept, those at the end left out")
    func forEachRowMatchesParse() throws {
        let text = "id,notes\r\n\n1,\"first\nsecond\"\n\n\n2,\"\"\n\"\"\n3,last\n\n\n"
        var handed: [CSV.Row] = []
        try CSV.forEachRow(text) { handed.append($0) }
        #expect(handed == (try CSV.parse(text)))
        #expect(handed.map(\.line) == [1, 2, 3, 5, 6, 7, 8, 9])
        #expect(handed.map(\.fields) == [["id", "notes"], [""], ["1", "first\nsecond"], [""], [""], ["2", ""], [""], ["3", "last"]])
    }

    @Test("forEachRow hands over the records before a malformed one, then throws")
    func forEachRowStopsAtAFormatError() {
        var handed: [Int] = []
        #expect(throws: CSV.FormatError(line: 3, message: "text after the closing quote of a field")) {
            try CSV.forEachRow("a\nb\n\"c\"d\ne\n") { handed.append($0.line) }
        }
        #expect(handed == [1, 2])
    }

    @Test("Each record carries the line it starts on")
    func lineNumbers() throws {
        #expect(try CSV.parse("a\nb\nc\n").map(\.line) == [1, 2, 3])
    }

    @Test("A quoted field may hold commas")
    func quotedComma() throws {
        #expect(try fields("\"Kuala Lumpur, Malaysia\",x\n") == [["Kuala Lumpur, Malaysia", "x"]])
    }

    @Test("A doubled quote inside a quoted field is one quote")
    func doubledQuote() throws {
        #expect(try fields("\"he said \"\"yes\"\"\",x\n") == [["he said \"yes\"", "x"]])
    }

    @Test("A quoted field that is only a doubled quote is one quote")
    func onlyQuote() throws {
        #expect(try fields("\"\"\"\"\n") == [["\""]])
    }

    @Test("A quoted field may hold line breaks, and the next record's line counts them")
    func embeddedNewline() throws {
        let rows = try CSV.parse("id,notes\n1,\"first\nsecond\nthird\"\n2,plain\n")
        #expect(rows.map(\.fields) == [["id", "notes"], ["1", "first\nsecond\nthird"], ["2", "plain"]])
        #expect(rows.map(\.line) == [1, 2, 5])
    }

    @Test("CRLF line ends are read like LF, and kept inside quotes")
    func crlf() throws {
        let rows = try CSV.parse("a,b\r\n\"x\r\ny\",z\r\nlast,row\r\n")
        #expect(rows.map(\.fields) == [["a", "b"], ["x\r\ny", "z"], ["last", "row"]])
        #expect(rows.map(\.line) == [1, 2, 4])
    }

    @Test("The last record needs no final line end")
    func noFinalNewline() throws {
        #expect(try fields("a,b\n1,2") == [["a", "b"], ["1", "2"]])
        #expect(try fields("a,\"b\"") == [["a", "b"]])
    }

    @Test("A final line end does not make an extra empty record")
    func finalNewline() throws {
        #expect(try fields("a,b\n1,2\n") == [["a", "b"], ["1", "2"]])
    }

    @Test("A blank line at the very end is ignored")
    func blankLastLine() throws {
        #expect(try fields("a,b\n1,2\n\n") == [["a", "b"], ["1", "2"]])
        #expect(try fields("a,b\r\n1,2\r\n\r\n") == [["a", "b"], ["1", "2"]])
    }

    @Test("An empty document has no records")
    func empty() throws {
        #expect(try CSV.parse("").isEmpty)
    }

    @Test("Empty fields are kept, including a trailing one")
    func emptyFields() throws {
        #expect(try fields(",a,,\n") == [["", "a", "", ""]])
        #expect(try fields("\"\",x") == [["", "x"]])
    }

    @Test("Spaces around unquoted fields are kept")
    func spacesKept() throws {
        #expect(try fields(" a , b \n") == [[" a ", " b "]])
    }

    @Test("An unterminated quote is an error on the line where its record starts")
    func unterminated() {
        let error = formatError("a,b\n1,2\n3,\"never closed\nmore\nstill more\n")
        #expect(error?.line == 3)
        #expect(error?.description.hasPrefix("line 3: ") == true)
    }

    @Test("Text after a closing quote is an error on its line")
    func textAfterQuote() {
        let error = formatError("a,b\n\"x\"y,z\n")
        #expect(error?.line == 2)
        #expect(error?.message.contains("after the closing quote") == true)
    }

    @Test("A quote in the middle of an unquoted field is an error on its line")
    func strayQuote() {
        #expect(formatError("a,b\nab\"c,d\n")?.line == 2)
    }

    @Test("A lone carriage return outside quotes is an error")
    func loneCR() {
        #expect(formatError("a,b\r1,2\n")?.line == 1)
    }

    @Test("An error after a multi-line field names the line it occurs on")
    func errorLineAfterMultilineField() {
        #expect(formatError("\"one\ntwo\",x\n\"bad\"tail\n")?.line == 3)
    }

    // MARK: Writing

    @Test("Plain fields are written bare")
    func writePlain() {
        #expect(CSV.line(["a", "17000000", "", "GBP"]) == "a,17000000,,GBP")
    }

    @Test("Fields with commas, quotes, line breaks or edge spaces are quoted, quotes doubled")
    func writeQuoted() {
        #expect(CSV.line(["a,b"]) == "\"a,b\"")
        #expect(CSV.line(["say \"hi\""]) == "\"say \"\"hi\"\"\"")
        #expect(CSV.line(["two\nlines"]) == "\"two\nlines\"")
        #expect(CSV.line(["cr\rhere"]) == "\"cr\rhere\"")
        #expect(CSV.line([" padded"]) == "\" padded\"")
        #expect(CSV.line(["padded "]) == "\"padded \"")
        #expect(CSV.line(["in side"]) == "in side")
    }

    @Test("Tricky fields survive a write then a read unchanged")
    func roundTrip() throws {
        let tricky = [
            "a,b", "say \"hi\"", "\"", "\"\"", "two\nlines", "crlf\r\ninside", "", " padded ", "ASEAN–UK ü 🇲🇾",
            "trailing,", ",leading", "\n", "semi;colon",
        ]
        let text = CSV.line(["plain"] + tricky) + "\n" + CSV.line(tricky.reversed()) + "\n"
        let rows = try CSV.parse(text)
        #expect(rows.map(\.fields) == [["plain"] + tricky, tricky.reversed()])
    }

    @Test("Random fields of commas, quotes, line ends and multi-byte text survive a write then a read")
    func randomRoundTrip() throws {
        var random = SeededRandom(seed: 4180)
        let pieces = ["a", "Kuala Lumpur", ",", "\"", "\"\"", "\n", "\r\n", "\r", " ", "é", "e\u{301}", "🇲🇾", "–", ";"]
        for _ in 0..<500 {
            let records = (0..<Int.random(in: 1...4, using: &random)).map { _ in
                (0..<Int.random(in: 1...5, using: &random)).map { _ in
                    (0..<Int.random(in: 0...6, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined()
                }
            }
            // A record of one empty field is a blank line, which a reader cannot tell from none.
            let written = records.filter { $0 != [""] }
            let text = written.map { CSV.line($0) + "\n" }.joined()
            #expect(try fields(text) == written, "\(text.debugDescription)")
        }
    }
}
