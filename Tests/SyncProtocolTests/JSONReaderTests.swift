import Domain
import Foundation
import NIOCore
import Testing
@testable import SyncProtocol

@Suite struct JSONReaderTests {
    func parse(_ text: String) -> JSONValue? {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { try? JSONReader.parse($0) }
    }

    func string(_ text: String) -> String? {
        if case .string(let value)? = parse(text) { value } else { nil }
    }

    func integer(_ text: String) -> Int64? {
        if case .integer(let value)? = parse(text) { value } else { nil }
    }

    @Test("strings: escapes, surrogate pairs and UTF-8 read as JSONDecoder reads them")
    func strings() throws {
        for text in [#""plain""#, #""a\"b\\c\/d\b\f\n\r\t""#, #""caf\u00e9 \u00E9""#, #""\ud83d\ude00 😀""#, #""£17 million""#, #""""#] {
            let expected = try JSONDecoder().decode(String.self, from: Data(text.utf8))
            #expect(string(text) == expected, "\(text)")
        }
    }

    @Test("refused: lone surrogates, unknown escapes, raw control characters, bad UTF-8, unclosed strings")
    func badStrings() {
        for text in [#""\ud83d""#, #""\ude00x""#, #""\x""#, "\"a\tb\"", #""\u12""#, #""abc"#, "\"a\\"] {
            #expect(parse(text) == nil, "\(text)")
        }
        let invalidUTF8: [UInt8] = [0x22, 0xC3, 0x28, 0x22]
        #expect(invalidUTF8.withUnsafeBytes { try? JSONReader.parse($0) } == nil)
    }

    @Test("numbers: integers that fit Int64 are integers; anything else is another number or refused")
    func numbers() {
        #expect(integer("0") == 0)
        #expect(integer("-0") == 0)
        #expect(integer("9223372036854775807") == .max)
        #expect(integer("-9223372036854775808") == .min)
        for other in ["9223372036854775808", "-9223372036854775809", "1.5", "1e3", "12345678901234567890123"] {
            guard case .otherNumber? = parse(other) else { Issue.record("\(other) is not another number"); continue }
        }
        for bad in ["01", "-", "1.", ".5", "1e", "+1", "- 1", "0x10"] {
            #expect(parse(bad) == nil, "\(bad)")
        }
    }

    @Test("structure: a repeated key, trailing text, deep nesting and bad literals are refused")
    func structure() {
        guard case .object(let members)? = parse(#" { "a" : [1, "x", null, true, false, {}] , "b": {} } "#) else {
            Issue.record("an object did not parse"); return
        }
        #expect(members.map(\.key) == ["a", "b"])
        for bad in [#"{"a":1,"a":2}"#, #"{"a":1} x"#, #"{"a":1,}"#, "[1,]", "nul", "tru", #"{a:1}"#, "",
                    String(repeating: "[", count: 17) + String(repeating: "]", count: 17)] {
            #expect(parse(bad) == nil, "\(bad)")
        }
        #expect(parse(String(repeating: "[", count: 16) + String(repeating: "]", count: 16)) != nil)
        // A large object: every key counted once, a repeat far from its first use refused.
        let keys = (0..<20_000).map { "\"k\($0)\":\($0)" }
        guard case .object(let large)? = parse("{" + keys.joined(separator: ",") + "}") else {
            Issue.record("a large object did not parse"); return
        }
        #expect(large.count == 20_000)
        #expect(parse("{" + (keys + [#""k3":0"#]).joined(separator: ",") + "}") == nil)
        #expect(parse("{" + (keys.prefix(10) + [#""k3":0"#]).joined(separator: ",") + "}") == nil)
    }

    func viaReader<M: Decodable>(_ type: M.Type, _ line: String) throws -> M {
        try MessageCoding.decode(M.self, from: ByteBuffer(string: line), as: "test")
    }

    @Test("changes, push and push_ack read by JSONReader equal what JSONDecoder reads")
    func messagesMatchJSONDecoder() throws {
        let id = try #require(RecordID("01890a5d-ac96-774b-bcce-b302099a8057"))
        let field = PulledField(value: .text("“£17m” \\ \"quoted\"\n😀"), seq: 42, hlc: HLCTimestamp(rawValue: 1 << 40),
                                replicaID: "r-1", analyst: "alice")
        let changes = ChangesMessage(rows: [WireRow(PulledRow(entity: "commitments", id: id, fields: [
            "title": field, "amount": PulledField(value: .integer(-7), seq: 43, hlc: .zero, replicaID: "r", analyst: "a"),
            "notes": PulledField(value: .null, seq: 44, hlc: .zero, replicaID: "r", analyst: "a"),
        ]))], cursor: 44)
        let push = PushMessage(changes: [WireChange(PushedChange(
            localSeq: 3, change: FieldChange(entity: "commitments", id: id, field: "notes", value: .null, hlc: .zero),
            baseSeq: 2, aliveBaseSeq: 1))])
        let ack = PushAckMessage(results: [
            WireResult(PushResult(localSeq: 3, outcome: .conflict, seq: nil, conflictID: id, current: field)),
            WireResult(PushResult(localSeq: 4, outcome: .accepted, seq: 9)),
        ])
        for (message, line) in [(changes, try MessageCoding.line(changes))] as [(ChangesMessage, ByteBuffer)] {
            #expect(try MessageCoding.decode(ChangesMessage.self, from: line, as: "changes") == message)
            #expect(try JSONDecoder().decode(ChangesMessage.self, from: Data(line.readableBytesView)) == message)
        }
        #expect(try MessageCoding.decode(PushMessage.self, from: try MessageCoding.line(push), as: "push") == push)
        #expect(try MessageCoding.decode(PushAckMessage.self, from: try MessageCoding.line(ack), as: "push_ack") == ack)

        // Optional keys: absent or null are the same; `alive_base` defaults to 0.
        let change = #"{"type":"push","changes":[{"local_seq":1,"entity":"commitments","id":"\#(id)","field":"notes","value":null,"base":0,"hlc":5,"alive_base":null}]}"#
        #expect(try viaReader(PushMessage.self, change).changes.first?.aliveBase == 0)
        #expect(try viaReader(PushMessage.self, change) == JSONDecoder().decode(PushMessage.self, from: Data(change.utf8)))
        let result = #"{"type":"push_ack","results":[{"local_seq":1,"outcome":"equal","seq":null,"extra":[1,2]}]}"#
        #expect(try viaReader(PushAckMessage.self, result) == JSONDecoder().decode(PushAckMessage.self, from: Data(result.utf8)))
    }

    @Test("a message missing a required key, or with one of the wrong type, is a bad-message")
    func badMessages() {
        let id = "01890a5d-ac96-774b-bcce-b302099a8057"
        let field = #"{"value":"x","seq":1,"hlc":2,"replica_id":"r","analyst":"a"}"#
        let lines = [
            #"{"type":"changes","cursor":1,"rows":[{"entity":"commitments","id":"\#(id)","fields":{"title":{"seq":1,"hlc":2,"replica_id":"r","analyst":"a"}}}]}"#,
            #"{"type":"changes","cursor":1.5,"rows":[]}"#,
            #"{"type":"changes","rows":[]}"#,
            #"{"type":"changes","cursor":1,"rows":[{"entity":"commitments","id":"not-a-uuid","fields":{"title":\#(field)}}]}"#,
            #"{"type":"changes","cursor":1,"rows":[{"entity":"commitments","id":"\#(id)","fields":{"title":{"value":true,"seq":1,"hlc":2,"replica_id":"r","analyst":"a"}}}]}"#,
            #"{"type":"push_ack","results":[{"local_seq":1,"outcome":"maybe"}]}"#,
            #"{"type":"push","changes":[{"local_seq":1,"entity":"commitments","id":"\#(id)","field":"notes","base":0,"hlc":5}]}"#,
        ]
        for line in lines {
            let error = #expect(throws: ProtocolError.self, "\(line)") {
                switch line.contains(#""changes","#) ? "changes" : line.contains("push_ack") ? "push_ack" : "push" {
                case "changes": _ = try viaReader(ChangesMessage.self, line)
                case "push_ack": _ = try viaReader(PushAckMessage.self, line)
                default: _ = try viaReader(PushMessage.self, line)
                }
            }
            #expect(error?.code == .badMessage)
        }
    }
}
