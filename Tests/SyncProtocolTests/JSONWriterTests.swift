import Domain
import Foundation
import NIOCore
import Testing
@testable import SyncProtocol

@Suite struct JSONWriterTests {
    static let id = RecordID("01890a5d-ac96-774b-bcce-b302099a8057")!
    /// Every control character, the escaped ones, a slash, DEL, accents, an emoji, U+2028.
    static let awkward = String((0..<0x20).map { Character(Unicode.Scalar(UInt8($0))) }) + "\"\\/\u{7F} café ＄ 😀 \u{2028} £17m"

    func field(_ value: FieldValue, _ seq: Int64 = 1) -> PulledField {
        PulledField(value: value, seq: seq, hlc: HLCTimestamp(rawValue: seq << 16 | 3), replicaID: "r-\(seq)", analyst: "ana \(seq)")
    }

    /// The hand-written line and JSONEncoder's are the same bytes.
    func expectSameBytes(_ message: some Encodable & WritableMessage, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let written = try message.json()
        let encoded = try MessageCoding.encoderLine(message)
        #expect(ByteBuffer(bytes: written + [0x0A]) == encoded, "\(String(decoding: written, as: UTF8.self))", sourceLocation: sourceLocation)
        #expect(try MessageCoding.line(message) == encoded, sourceLocation: sourceLocation)
    }

    @Test("changes with every field of every entity, awkward text and extreme integers are JSONEncoder's bytes")
    func changes() throws {
        var rows: [WireRow] = []
        var seq: Int64 = 0
        for schema in EntitySchema.all {
            var fields: [String: PulledField] = [:]
            for name in schema.syncedFieldNames {
                seq += 1
                fields[name] = field(seq % 3 == 0 ? .null : seq % 3 == 1 ? .text(Self.awkward + name) : .integer(-seq), seq)
            }
            rows.append(WireRow(PulledRow(entity: schema.name, id: Self.id, fields: fields)))
        }
        var conflict: [String: PulledField] = [:]
        for name in ["entity", "row_id", "field", "standing_value", "standing_hlc", "standing_replica_id", "standing_analyst",
                     "other_value", "other_hlc", "other_replica_id", "other_analyst", "status", "resolved_by", "resolved_hlc"] {
            conflict[name] = field(.text(name), Int64.max - Int64(conflict.count))
        }
        conflict["standing_hlc"] = field(.integer(.min), 7)
        rows.append(WireRow(PulledRow(entity: "conflicts", id: Self.id, fields: conflict)))
        try expectSameBytes(ChangesMessage(rows: rows, cursor: 9_007_199_254_740_993))
        try expectSameBytes(ChangesMessage(rows: [], cursor: 0))
    }

    @Test("push and push_ack, optional keys present and absent, are JSONEncoder's bytes")
    func pushAndAck() throws {
        let change = { (value: FieldValue, localSeq: Int64) in
            WireChange(PushedChange(localSeq: localSeq, change: FieldChange(entity: "commitments", id: Self.id, field: "notes",
                                                                            value: value, hlc: HLCTimestamp(rawValue: localSeq)),
                                    baseSeq: localSeq - 1, aliveBaseSeq: -localSeq))
        }
        try expectSameBytes(PushMessage(changes: [change(.text(Self.awkward), 1), change(.null, 2), change(.integer(.max), 3)]))
        try expectSameBytes(PushAckMessage(results: [
            WireResult(PushResult(localSeq: 1, outcome: .accepted, seq: 10, current: field(.text(Self.awkward)))),
            WireResult(PushResult(localSeq: 2, outcome: .conflict, seq: nil, conflictID: Self.id, current: field(.null, 2))),
            WireResult(PushResult(localSeq: 3, outcome: .equal)),
            WireResult(PushResult(localSeq: 4, outcome: .duplicate, seq: 0, conflictID: Self.id)),
        ]))
    }

    @Test("field names outside the schema sort as JSONEncoder sorts them: by their UTF-8 bytes")
    func awkwardNamesSortLikeJSONEncoder() throws {
        let names = ["title", "Title_2", "title_", "a_b", "ab", "aB", "a1", "a10", "a2", "_z", "é", "e", "ß", "ss", "𝔸", "ｆ", "\u{7F}", "a b", ""]
        let fields = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($0.element, field(.integer(Int64($0.offset)))) })
        try expectSameBytes(ChangesMessage(rows: [WireRow(PulledRow(entity: "commitments", id: Self.id, fields: fields))], cursor: 1))
    }
}
