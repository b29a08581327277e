import Testing
@testable import Domain

@Suite struct FlatJSONTests {
    @Test("numbers keep the exact text the file wrote")
    func numbersAreRawText() throws {
        let members = try FlatJSON.parseObject(#"{"a": 94.480, "b": -1e5, "c": 123456789012345678901234567890.123456789012}"#)
        #expect(members.map(\.value) == [.number("94.480"), .number("-1e5"), .number("123456789012345678901234567890.123456789012")])
    }

    @Test("strings unescape, including surrogate pairs; arrays hold strings; null and booleans")
    func values() throws {
        let members = try FlatJSON.parseObject(#"{"s":"a\"b\\c\n\u00a3\ud83d\ude00","t":["x","y"],"n":null,"f":false,"e":[]}"#)
        #expect(members.map(\.key) == ["s", "t", "n", "f", "e"])
        #expect(members[0].value == .string("a\"b\\c\n£😀"))
        #expect(members[1].value == .strings(["x", "y"]))
        #expect(members[2].value == .null)
        #expect(members[3].value == .bool(false))
        #expect(members[4].value == .strings([]))
        #expect(try FlatJSON.parseObject("{}").isEmpty)
    }

    @Test("malformed objects are refused with a reason", arguments: [
        #"{"a":1,"a":2}"#, #"{"a":{"b":1}}"#, #"{"a":[1]}"#, #"{"a":1"#, #"["a"]"#, #"{"a":"\ud83d"}"#,
        #"{"a":01x}"#, #"{"a":"x"} trailing"#, "{\"a\":\"tab\there\"}", #"{"a":"\q"}"#, #"{"a":1.}"#, #"{a:1}"#,
        #"{"a":"\u+12a"}"#,
    ])
    func refused(_ text: String) {
        #expect(throws: FlatJSON.SyntaxError.self) { try FlatJSON.parseObject(text) }
    }

    @Test("a duplicated key names itself")
    func duplicateKey() {
        let error = #expect(throws: FlatJSON.SyntaxError.self) { try FlatJSON.parseObject(#"{"title":"a","title":"b"}"#) }
        #expect(error?.message.contains("title") == true)
    }
}
