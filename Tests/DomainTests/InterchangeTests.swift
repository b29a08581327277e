import Foundation
import Testing
@testable import Domain

@Suite struct InterchangeTests {
    static let fundID = RecordID("01890a5d-ac96-774b-bcce-b302099a8057")!
    static let meetingID = RecordID("0197f2b4-5c00-7a3e-8c11-2f6d3e4a5b6c")!

    /// The £17 million fund of the seed article, as storage holds it.
    static let fund = EntityRow(entity: "commitments", id: fundID, values: [
        "title": .text("ASEAN Green Finance Fund"),
        "party": .text("United Kingdom"),
        "kind": .text("finance"),
        "amount": .text("17000000"),
        "currency": .text("GBP"),
        "meeting_id": .text(meetingID.text),
        "date": .text("2025-07-10"),
        "period_start": .integer(2022),
        "period_end": .integer(2026),
        "progress": .text("94.48"),
        "tags": .text("climate;finance"),
    ])

    func importError(_ body: () throws(Interchange.ImportError) -> [Interchange.ImportedRow]) -> Interchange.ImportError? {
        do {
            _ = try body()
            return nil
        } catch {
            return error
        }
    }

    // MARK: Writing JSON lines

    @Test("A JSON line has id first, then every field in schema order, nulls included")
    func jsonLineShape() {
        let expected = #"{"id":"01890a5d-ac96-774b-bcce-b302099a8057","title":"ASEAN Green Finance Fund","party":"United Kingdom","beneficiary":null,"kind":"finance","amount":"17000000","currency":"GBP","qualifier":null,"disbursed":null,"status":null,"meeting_id":"0197f2b4-5c00-7a3e-8c11-2f6d3e4a5b6c","date":"2025-07-10","period_start":2022,"period_end":2026,"progress":"94.48","source_url":null,"source_quote":null,"tags":["climate","finance"],"notes":null}"#
        #expect(Interchange.jsonLine(Self.fund, schema: .commitments) == expected)
    }

    @Test("A meeting's JSON line follows the meeting schema")
    func meetingJSONLine() {
        let meeting = EntityRow(entity: "meetings", id: Self.meetingID, values: [
            "name": .text("58th ASEAN Foreign Ministers' Meeting"), "series": .text("58th AMM"),
            "location": .text("Kuala Lumpur"), "start_date": .text("2025-07-08"), "end_date": .text("2025-07-11"),
        ])
        let expected = #"{"id":"0197f2b4-5c00-7a3e-8c11-2f6d3e4a5b6c","name":"58th ASEAN Foreign Ministers' Meeting","series":"58th AMM","location":"Kuala Lumpur","start_date":"2025-07-08","end_date":"2025-07-11","notes":null}"#
        #expect(Interchange.jsonLine(meeting, schema: .meetings) == expected)
    }

    @Test("Decimals are written as strings with their exact digits, years as numbers")
    func jsonNumbers() {
        let row = EntityRow(entity: "commitments", id: Self.fundID, values: [
            "title": .text("t"), "party": .text("p"), "amount": .text("17.50"), "currency": .text("USD"),
            "disbursed": .text("0.1"), "progress": .text("100.00"), "period_start": .integer(2024),
        ])
        let line = Interchange.jsonLine(row, schema: .commitments)
        #expect(line.contains(#""amount":"17.50","#))
        #expect(line.contains(#""disbursed":"0.1","#))
        #expect(line.contains(#""progress":"100.00","#))
        #expect(line.contains(#""period_start":2024,"#))
    }

    @Test("No tags are written as an empty array")
    func emptyTags() {
        let row = EntityRow(entity: "commitments", id: Self.fundID, values: ["title": .text("t"), "party": .text("p")])
        #expect(Interchange.jsonLine(row, schema: .commitments).contains(#""tags":[],"#))
    }

    @Test("Tags are written as one array element each, split at every ';'")
    func tagsWrittenOnePerElement() {
        let row = EntityRow(entity: "commitments", id: Self.fundID, values: ["title": .text("t"), "party": .text("p"), "tags": .text("a;\u{301}b;\"c\"")])
        #expect(Interchange.jsonLine(row, schema: .commitments).contains("\"tags\":[\"a\",\"\u{301}b\",\"\\\"c\\\"\"],"))
    }

    @Test("Quotes, backslashes, line breaks and control characters are escaped")
    func escaping() {
        #expect(Interchange.jsonString("say \"hi\"") == #""say \"hi\"""#)
        #expect(Interchange.jsonString(#"C:\path"#) == #""C:\\path""#)
        #expect(Interchange.jsonString("a\nb\rc\td") == #""a\nb\rc\td""#)
        #expect(Interchange.jsonString("bell\u{7}nul\u{0}us\u{1F}") == #""bell\u0007nul\u0000us\u001f""#)
        #expect(Interchange.jsonString("ASEAN–UK ü 🇲🇾") == "\"ASEAN–UK ü 🇲🇾\"")
        // Escapes right beside multi-byte scalars, at the start and at the end.
        #expect(Interchange.jsonString("\"é\"🇲🇾\n£\u{1}") == #""\"é\"🇲🇾\n£\u0001""#)
    }

    @Test("Escaped text inside a JSON line reads back as the same text")
    func escapedFieldReadsBack() throws {
        let notes = "He said \"17 million\"\nthen left\t\\ \u{1}"
        let row = EntityRow(entity: "commitments", id: Self.fundID, values: ["title": .text("t"), "party": .text("p"), "notes": .text(notes)])
        let line = Interchange.jsonLine(row, schema: .commitments)
        #expect(!line.contains("\n"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["notes"] as? String == notes)
    }

    // MARK: Reading JSON lines

    @Test("A bad row is reported with its line number, blank lines counted")
    func badRowLine() {
        let text = """
        {"title":"One","party":"UK"}

        {"title":"Three","party":"UK","amount":"-5","currency":"GBP"}
        {"title":"Four","party":"UK"}
        """
        let error = importError { () throws(Interchange.ImportError) in try Interchange.parseJSONLines(text, schema: .commitments) }
        #expect(error?.line == 3)
        #expect(error?.message.contains("amount") == true)
    }

    @Test("The third of three lines being bad is reported as line 3")
    func thirdLine() {
        let text = "{\"title\":\"a\",\"party\":\"b\"}\n{\"title\":\"a\",\"party\":\"b\"}\n{\"title\":\"a\",\"party\":\"b\",\"date\":\"2025-02-30\"}\n"
        let error = importError { () throws(Interchange.ImportError) in try Interchange.parseJSONLines(text, schema: .commitments) }
        #expect(error?.line == 3)
        #expect(error?.description.hasPrefix("line 3: ") == true)
    }

    @Test("An amount may be given as a JSON number or a string, keeping its digits")
    func amountNumberOrString() throws {
        let text = """
        {"title":"a","party":"b","amount":94.48,"currency":"GBP"}
        {"title":"a","party":"b","amount":"94.48","currency":"GBP"}
        {"title":"a","party":"b","amount":17000000,"currency":"GBP"}
        {"title":"a","party":"b","amount":0.1,"currency":"GBP"}
        """
        let rows = try Interchange.parseJSONLines(text, schema: .commitments)
        #expect(rows.map { $0.values["amount"] } == [.text("94.48"), .text("94.48"), .text("17000000"), .text("0.1")])
        #expect(rows.map(\.line) == [1, 2, 3, 4])
    }

    @Test("Years may be given as numbers or strings")
    func yearsNumberOrString() throws {
        let rows = try Interchange.parseJSONLines(#"{"title":"a","party":"b","period_start":2022,"period_end":"2026"}"#, schema: .commitments)
        #expect(rows.first?.values["period_start"] == .integer(2022))
        #expect(rows.first?.values["period_end"] == .integer(2026))
    }

    @Test("A negative JSON number is refused like a negative string")
    func negativeNumber() {
        let error = importError { () throws(Interchange.ImportError) in
            try Interchange.parseJSONLines(#"{"title":"a","party":"b","amount":-5,"currency":"GBP"}"#, schema: .commitments)
        }
        #expect(error?.message.contains("amount") == true)
    }

    @Test("An unknown key is refused, naming it")
    func unknownKey() {
        let error = importError { () throws(Interchange.ImportError) in
            try Interchange.parseJSONLines(#"{"title":"a","party":"b","colour":"red"}"#, schema: .commitments)
        }
        #expect(error?.line == 1)
        #expect(error?.message.contains("colour") == true)
    }

    @Test("An unknown key is refused even when its value is null")
    func unknownKeyNull() {
        let error = importError { () throws(Interchange.ImportError) in
            try Interchange.parseJSONLines(#"{"title":"a","party":"b","benficiary":null}"#, schema: .commitments)
        }
        #expect(error?.message.contains("benficiary") == true)
    }

    @Test("A line that is not a JSON object is refused, naming its line",
          arguments: ["[1,2]", "42", "\"text\"", "null", "{\"title\":", "title,party", "{\"title\":{\"a\":1},\"party\":\"b\"}", "{\"title\":true,\"party\":\"b\"}"])
    func notAnObject(line: String) {
        let text = "{\"title\":\"a\",\"party\":\"b\"}\n" + line + "\n"
        let error = importError { () throws(Interchange.ImportError) in try Interchange.parseJSONLines(text, schema: .commitments) }
        #expect(error?.line == 2)
    }

    @Test("A malformed id is refused, naming the id")
    func badID() {
        let error = importError { () throws(Interchange.ImportError) in
            try Interchange.parseJSONLines(#"{"id":"not-an-id","title":"a","party":"b"}"#, schema: .commitments)
        }
        #expect(error?.message.hasPrefix("id:") == true)
        #expect(error?.message.contains("not-an-id") == true)
    }

    @Test("An id that is not a string is refused")
    func numericID() {
        let error = importError { () throws(Interchange.ImportError) in
            try Interchange.parseJSONLines(#"{"id":12,"title":"a","party":"b"}"#, schema: .commitments)
        }
        #expect(error?.message.hasPrefix("id:") == true)
    }

    @Test("An id in capitals is accepted and normalised; a null or missing id is none")
    func idForms() throws {
        let text = """
        {"id":"01890A5D-AC96-774B-BCCE-B302099A8057","title":"a","party":"b"}
        {"id":null,"title":"a","party":"b"}
        {"title":"a","party":"b"}
        """
        let rows = try Interchange.parseJSONLines(text, schema: .commitments)
        #expect(rows.map(\.id) == [Self.fundID, nil, nil])
    }

    @Test("Tags are read from an array, trimmed and de-duplicated")
    func tagsArray() throws {
        let rows = try Interchange.parseJSONLines(#"{"title":"a","party":"b","tags":[" climate","finance","climate"]}"#, schema: .commitments)
        #expect(rows.first?.values["tags"] == .text("climate;finance"))
    }

    @Test("A tag in an array may not contain ';'")
    func tagWithSemicolon() {
        let error = importError { () throws(Interchange.ImportError) in
            try Interchange.parseJSONLines(#"{"title":"a","party":"b","tags":["a;b"]}"#, schema: .commitments)
        }
        #expect(error?.message.contains("tags") == true)
    }

    @Test("An array for a field that is not tags is refused")
    func arrayForText() {
        let error = importError { () throws(Interchange.ImportError) in
            try Interchange.parseJSONLines(#"{"title":["a"],"party":"b"}"#, schema: .commitments)
        }
        #expect(error?.message.contains("title") == true)
    }

    @Test("Nulls and empty values are no value in the imported row")
    func nullsDropped() throws {
        let rows = try Interchange.parseJSONLines(#"{"title":"a","party":"b","beneficiary":null,"notes":"","tags":[]}"#, schema: .commitments)
        #expect(rows.first?.values == ["title": .text("a"), "party": .text("b")])
    }

    @Test("CRLF line ends and blank lines are tolerated")
    func crlfLines() throws {
        let rows = try Interchange.parseJSONLines("{\"title\":\"a\",\"party\":\"b\"}\r\n\r\n{\"title\":\"c\",\"party\":\"d\"}\r\n", schema: .commitments)
        #expect(rows.map(\.line) == [1, 3])
        #expect(rows.map { $0.values["title"] } == [.text("a"), .text("c")])
    }

    @Test("A row with several bad fields reports every one of them")
    func jsonSeveralBadFields() {
        let error = importError { () throws(Interchange.ImportError) in
            try Interchange.parseJSONLines(#"{"title":"a","party":"b","amount":"1e6","currency":"XYZ","date":"2023-02-29"}"#, schema: .commitments)
        }
        #expect(error?.message.contains("amount:") == true)
        #expect(error?.message.contains("currency:") == true)
        #expect(error?.message.contains("date:") == true)
    }

    @Test("A row with a bad field and a missing required field reports both")
    func badFieldAndMissingRequired() {
        let error = importError { () throws(Interchange.ImportError) in
            try Interchange.parseJSONLines(#"{"party":"b","amount":"-5","currency":"GBP"}"#, schema: .commitments)
        }
        #expect(error?.message.contains("amount:") == true)
        #expect(error?.message.contains("title: is required") == true)
    }

    // MARK: CSV

    @Test("The CSV header is id then the schema's field names")
    func csvHeader() {
        #expect(Interchange.csvHeader(schema: .meetings) == "id,name,series,location,start_date,end_date,notes")
    }

    @Test("A CSV line writes empty cells for nulls and joins tags with ';'")
    func csvLine() {
        #expect(Interchange.csvLine(Self.fund, schema: .commitments)
            == "01890a5d-ac96-774b-bcce-b302099a8057,ASEAN Green Finance Fund,United Kingdom,,finance,17000000,GBP,,,,0197f2b4-5c00-7a3e-8c11-2f6d3e4a5b6c,2025-07-10,2022,2026,94.48,,,climate;finance,")
    }

    @Test("A CSV file with a known header is read into values, empty cells being no value")
    func csvRead() throws {
        let text = "title,party,amount,currency,tags\nGreen Fund,United Kingdom,017.50,gbp,\" a ; b ;a\"\nOther,Japan,,,\n"
        let rows = try Interchange.parseCSV(text, schema: .commitments)
        #expect(rows.count == 2)
        #expect(rows[0].line == 2)
        #expect(rows[0].id == nil)
        #expect(rows[0].values == ["title": .text("Green Fund"), "party": .text("United Kingdom"), "amount": .text("17.50"),
                                   "currency": .text("GBP"), "tags": .text("a;b")])
        #expect(rows[1].values == ["title": .text("Other"), "party": .text("Japan")])
    }

    @Test("An unknown column in the header is refused on line 1, naming it")
    func csvUnknownColumn() {
        let error = importError { () throws(Interchange.ImportError) in
            try Interchange.parseCSV("title,party,colour\na,b,red\n", schema: .commitments)
        }
        #expect(error?.line == 1)
        #expect(error?.message.contains("colour") == true)
    }

    @Test("A column named twice is refused")
    func csvDuplicateColumn() {
        let error = importError { () throws(Interchange.ImportError) in
            try Interchange.parseCSV("title,party,title\na,b,c\n", schema: .commitments)
        }
        #expect(error?.line == 1)
    }

    @Test("The id column is optional, and ids are normalised when present")
    func csvIDColumn() throws {
        let text = "party,id,title\nUK,01890A5D-AC96-774B-BCCE-B302099A8057,Fund\nJapan,,Other\n"
        let rows = try Interchange.parseCSV(text, schema: .commitments)
        #expect(rows.map(\.id) == [Self.fundID, nil])
        #expect(rows[0].values == ["title": .text("Fund"), "party": .text("UK")])
    }

    @Test("A malformed id in CSV is refused on its line")
    func csvBadID() {
        let error = importError { () throws(Interchange.ImportError) in
            try Interchange.parseCSV("id,title,party\n1234,a,b\n", schema: .commitments)
        }
        #expect(error?.line == 2)
        #expect(error?.message.contains("1234") == true)
    }

    @Test("A record with the wrong number of fields is refused on the line it starts")
    func csvFieldCount() {
        let text = "title,notes,party\nA,\"two\nlines\",UK\nB,x,UK,extra\n"
        let error = importError { () throws(Interchange.ImportError) in try Interchange.parseCSV(text, schema: .commitments) }
        #expect(error?.line == 4)
        #expect(error?.message.contains("4") == true)
        #expect(error?.message.contains("3") == true)
    }

    @Test("A byte order mark before the header is tolerated")
    func csvBOM() throws {
        let rows = try Interchange.parseCSV("\u{FEFF}title,party\nFund,UK\n", schema: .commitments)
        #expect(rows.first?.values == ["title": .text("Fund"), "party": .text("UK")])
    }

    @Test("Blank lines between and after records are skipped")
    func csvBlankLines() throws {
        let rows = try Interchange.parseCSV("title,party\n\nFund,UK\n\n\n", schema: .commitments)
        #expect(rows.map(\.line) == [3])
    }

    @Test("A CSV row that breaks a rule is refused on its line, naming the field")
    func csvInvalidRow() {
        let error = importError { () throws(Interchange.ImportError) in
            try Interchange.parseCSV("title,party,period_start,period_end\nFund,UK,2022,2026\nOther,UK,2026,2022\n", schema: .commitments)
        }
        #expect(error?.line == 3)
        #expect(error?.message.contains("period_end") == true)
    }

    @Test("A CSV quoting error is reported with its line")
    func csvFormatError() {
        let error = importError { () throws(Interchange.ImportError) in
            try Interchange.parseCSV("title,party\nFund,UK\n\"open,UK\n", schema: .commitments)
        }
        #expect(error?.line == 3)
    }

    @Test("A malformed CSV file is reported before a bad row above the place where it breaks")
    func csvFormatErrorBeforeBadRow() {
        let error = importError { () throws(Interchange.ImportError) in
            try Interchange.parseCSV("title,party,amount,currency\nFund,UK,-5,GBP\nOther,UK,5,GBP\n\"open,UK,5,GBP\n", schema: .commitments)
        }
        #expect(error?.line == 4)
        #expect(error?.message.contains("never closed") == true)
    }

    @Test("A CSV file's first bad row is the one reported")
    func csvFirstBadRow() {
        let error = importError { () throws(Interchange.ImportError) in
            try Interchange.parseCSV("title,party,amount,currency\nFund,UK,5,GBP\nOther,UK,-5,GBP\nThird,UK,5,XYZ\n", schema: .commitments)
        }
        #expect(error?.line == 3)
    }

    @Test("An empty CSV file has no rows")
    func csvEmpty() throws {
        #expect(try Interchange.parseCSV("", schema: .commitments).isEmpty)
    }

    @Test("A CSV row with a bad field and a missing required field reports both")
    func csvBadFieldAndMissingRequired() {
        let error = importError { () throws(Interchange.ImportError) in
            try Interchange.parseCSV("title,party,amount,currency\n,UK,-5,GBP\n", schema: .commitments)
        }
        #expect(error?.message.contains("amount:") == true)
        #expect(error?.message.contains("title: is required") == true)
    }

    @Test("A CSV row reports its bad fields as the same row in JSON lines does, in name order")
    func csvErrorsMatchJSON() {
        let csv = importError { () throws(Interchange.ImportError) in
            try Interchange.parseCSV("title,party,date,currency,amount\na,b,2023-02-29,XYZ,1e6\n", schema: .commitments)
        }
        let json = importError { () throws(Interchange.ImportError) in
            try Interchange.parseJSONLines(#"{"title":"a","party":"b","date":"2023-02-29","currency":"XYZ","amount":"1e6"}"#, schema: .commitments)
        }
        #expect(csv?.message != nil && csv?.message == json?.message)
        let message = csv?.message ?? ""
        #expect(message.range(of: "amount:")!.lowerBound < message.range(of: "currency:")!.lowerBound)
        #expect(message.range(of: "currency:")!.lowerBound < message.range(of: "date:")!.lowerBound)
    }

    @Test("A CSV row with an id gives only its columns, checked one by one: the store checks the whole row once it knows it")
    func csvRowWithIDIsPartial() throws {
        let rows = try Interchange.parseCSV("id,amount,notes\n\(Self.fundID),5,\n", schema: .commitments)
        #expect(rows.first?.values == ["amount": .text("5")])
        #expect(rows.first?.present == ["amount", "notes"])
    }

    // MARK: Round trips

    /// A row whose every value is awkward to carry in a file.
    static let tricky = EntityRow(entity: "commitments", id: fundID, values: [
        "title": .text("Fund \"Green\", phase 2"),
        "party": .text("Malaysia – Kementerian Luar Negeri"),
        "beneficiary": .text("ASEAN, Timor-Leste"),
        "kind": .text("action-plan"),
        "amount": .text("17.50"),
        "currency": .text("MYR"),
        "qualifier": .text("up-to"),
        "disbursed": .text("0.1"),
        "status": .text("in-progress"),
        "meeting_id": .text(meetingID.text),
        "date": .text("2024-02-29"),
        "period_start": .integer(2022),
        "period_end": .integer(2026),
        "progress": .text("100.00"),
        "source_url": .text("https://example.com/a?b=c,d&e=f"),
        "source_quote": .text("He said:\n\"we will deliver\"\n\tby 2026"),
        "tags": .text("climate;ASEAN–UK;🇲🇾"),
        "notes": .text("back\\slash and tab\there"),
    ])

    @Test("A record written as a JSON line reads back with the same id and values")
    func jsonRoundTrip() throws {
        let line = Interchange.jsonLine(Self.tricky, schema: .commitments)
        let rows = try Interchange.parseJSONLines(line + "\n", schema: .commitments)
        #expect(rows.count == 1)
        #expect(rows.first?.id == Self.tricky.id)
        #expect(rows.first?.values == Self.tricky.values)
    }

    @Test("A record written as CSV reads back with the same id and values")
    func csvRoundTrip() throws {
        let text = Interchange.csvHeader(schema: .commitments) + "\n"
            + Interchange.csvLine(Self.tricky, schema: .commitments) + "\n"
            + Interchange.csvLine(Self.fund, schema: .commitments) + "\n"
        let rows = try Interchange.parseCSV(text, schema: .commitments)
        #expect(rows.map(\.id) == [Self.tricky.id, Self.fund.id])
        #expect(rows.first?.values == Self.tricky.values)
        #expect(rows.last?.values == Self.fund.values)
    }

    @Test("Meetings survive both round trips")
    func meetingRoundTrips() throws {
        let meeting = EntityRow(entity: "meetings", id: Self.meetingID, values: [
            "name": .text("58th AMM, \"Inclusivity\""), "location": .text("Kuala Lumpur"),
            "start_date": .text("2025-07-08"), "end_date": .text("2025-07-11"), "notes": .text("line one\nline two"),
        ])
        let json = try Interchange.parseJSONLines(Interchange.jsonLine(meeting, schema: .meetings), schema: .meetings)
        let csv = try Interchange.parseCSV(
            Interchange.csvHeader(schema: .meetings) + "\n" + Interchange.csvLine(meeting, schema: .meetings),
            schema: .meetings
        )
        #expect(json.first?.values == meeting.values)
        #expect(csv.first?.values == meeting.values)
        #expect(csv.first?.id == Self.meetingID)
    }
}
