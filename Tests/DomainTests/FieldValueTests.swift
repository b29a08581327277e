import Foundation
import Testing
@testable import Domain

@Suite struct FieldValueTests {
    func json(_ value: FieldValue) throws -> String {
        String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
    }

    func decode(_ text: String) throws -> FieldValue {
        try JSONDecoder().decode(FieldValue.self, from: Data(text.utf8))
    }

    @Test("Null is coded as JSON null and read back as null")
    func null() throws {
        #expect(try json(.null) == "null")
        #expect(try decode("null") == .null)
    }

    @Test("Text is coded as a JSON string and read back as text")
    func text() throws {
        #expect(try json(.text("94.48")) == #""94.48""#)
        #expect(try decode(#""94.48""#) == .text("94.48"))
        #expect(try decode(#""Kuala Lumpur – ü""#) == .text("Kuala Lumpur – ü"))
    }

    @Test("Text made only of digits stays text through a round trip")
    func digitText() throws {
        #expect(try decode(try json(.text("17000000"))) == .text("17000000"))
        #expect(try decode(try json(.text(""))) == .text(""))
    }

    @Test("An integer is coded as a JSON number and read back as an integer")
    func integer() throws {
        #expect(try json(.integer(2026)) == "2026")
        #expect(try decode("2026") == .integer(2026))
        #expect(try decode("-1") == .integer(-1))
        #expect(try decode(try json(.integer(.max))) == .integer(.max))
        #expect(try decode(try json(.integer(.min))) == .integer(.min))
    }

    @Test("Values round trip inside a keyed object, nulls included")
    func inObject() throws {
        let values: [String: FieldValue] = ["title": .text("Fund"), "period_start": .integer(2022), "notes": .null]
        let data = try JSONEncoder().encode(values)
        #expect(try JSONDecoder().decode([String: FieldValue].self, from: data) == values)
    }

    @Test("A JSON fraction, boolean or array is not a field value", arguments: ["94.48", "true", "[1]", "{}"])
    func refused(text: String) {
        #expect(throws: DecodingError.self) { try decode(text) }
    }

    @Test("Accessors give the text, the integer and whether the value is null")
    func accessors() {
        #expect(FieldValue.text("GBP").text == "GBP")
        #expect(FieldValue.integer(2022).text == "2022")
        #expect(FieldValue.null.text == nil)
        #expect(FieldValue.integer(2022).integer == 2022)
        #expect(FieldValue.text("2022").integer == nil)
        #expect(FieldValue.null.isNull)
        #expect(!FieldValue.text("").isNull)
    }

    @Test("The description is the text, the digits, or null")
    func description() {
        #expect(FieldValue.text("GBP").description == "GBP")
        #expect(FieldValue.integer(7).description == "7")
        #expect(FieldValue.null.description == "null")
    }
}
