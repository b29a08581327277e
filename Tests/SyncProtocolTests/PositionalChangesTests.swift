import Domain
import Foundation
import NIOCore
import Testing
@testable import SyncProtocol

/// Protocol 3's positional `changes` rows (PROTOCOL.md §5.4).
@Suite struct PositionalChangesTests {
    static let ids = ["01890a5d-ac96-774b-bcce-b302099a8057", "01890a5d-ac96-774b-bcce-b302099a8058",
                      "01890a5d-ac96-774b-bcce-b302099a8059"]

    static func field(_ value: FieldValue, seq: Int64, hlc: Int64 = 100, by writer: String = "a") -> PulledField {
        PulledField(value: value, seq: seq, hlc: HLCTimestamp(rawValue: hlc), replicaID: "r-\(writer)",
                    analyst: writer == "a" ? "alice" : "bob")
    }

    static func row(_ entity: String, _ id: Int, _ fields: [String: PulledField]) -> WireRow {
        WireRow(PulledRow(entity: entity, id: RecordID(ids[id])!, fields: fields))
    }

    /// The batch of PROTOCOL.md's example: two commitments, the second with one field by
    /// another writer at another time, then a meeting.
    static let example = ChangesMessage(rows: [
        row("commitments", 0, ["title": field(.text("T"), seq: 10), "party": field(.text("P"), seq: 11),
                               "amount": field(.text("5"), seq: 13), "deleted": field(.integer(0), seq: 9)]),
        row("commitments", 1, ["tags": field(.text("a;b"), seq: 21), "notes": field(.text("n"), seq: 20, hlc: 200, by: "b"),
                               "deleted": field(.integer(0), seq: 22)]),
        row("meetings", 2, ["name": field(.text("M"), seq: 30, hlc: 300, by: "b")]),
    ], cursor: 30, layout: .positional)

    func decode(_ line: String) throws -> ChangesMessage {
        try MessageCoding.decode(ChangesMessage.self, from: ByteBuffer(string: line), as: "changes")
    }

    @Test("the example batch is written as the spec writes it, and reads back to the same rows")
    func example() throws {
        // Written by hand from §5.4: sequences as differences along the batch, the second row's
        // entity, time and writer left out, bob's `notes` an exception, bob second in `writers`.
        let expected = #"{"cursor":30,"rows":[{"entity":"commitments","fields":[0,1,4,18],"hlc":100,"id":"\#(Self.ids[0])","#
            + #""seqs":[10,1,2,-4],"values":["T","P","5",0],"writer":0},{"fields":[16,17,18],"id":"\#(Self.ids[1])","#
            + #""seqs":[12,-1,2],"values":["a;b","n",0],"versions":[[1,200,1]]},{"entity":"meetings","fields":[0],"hlc":300,"#
            + #""id":"\#(Self.ids[2])","seqs":[8],"values":["M"],"writer":1}],"type":"changes","writers":[["r-a","alice"],["r-b","bob"]]}"#
        let line = try MessageCoding.line(Self.example)
        #expect(String(buffer: line) == expected + "\n")
        #expect(try decode(expected) == Self.example)
    }

    @Test("a row's version is the one most of its fields share; the keyed layout is unchanged")
    func versionsAndLayouts() throws {
        // Two of three fields by bob: bob's version is the row's, alice's (first in the
        // writers, as she wrote column 0) the exception.
        let message = ChangesMessage(rows: [
            Self.row("commitments", 0, ["title": Self.field(.text("T"), seq: 5), "party": Self.field(.text("P"), seq: 6, hlc: 7, by: "b"),
                                        "kind": Self.field(.null, seq: 7, hlc: 7, by: "b")]),
        ], cursor: 7, layout: .positional)
        let line = String(buffer: try MessageCoding.line(message))
        #expect(line.contains(#""hlc":7,"#) && line.contains(#""versions":[[0,100,0]]"#) && line.contains(#""writer":1"#))
        #expect(line.contains(#""writers":[["r-a","alice"],["r-b","bob"]]"#))
        #expect(try decode(line) == message)

        var keyed = Self.example
        keyed.layout = .keyed
        let keyedLine = try MessageCoding.line(keyed)
        #expect(!String(buffer: keyedLine).contains("writers"))
        #expect(try MessageCoding.decode(ChangesMessage.self, from: keyedLine, as: "changes") == keyed)
        #expect(ChangesMessage.Layout(protocolVersion: 2) == .keyed && ChangesMessage.Layout(protocolVersion: 3) == .positional)
    }

    @Test("every field of every entity, extreme sequences and awkward values survive the round trip")
    func roundTrip() throws {
        var rows: [WireRow] = []
        var seq = Int64.max - 3
        for (entity, columns) in WireColumns.byEntity.sorted(by: { $0.key < $1.key }) {
            var fields: [String: PulledField] = [:]
            for (index, name) in columns.enumerated() {
                // Sequences step across Int64.max and back (their differences wrap), times and
                // writers vary, values of every kind, Int64.min and max among them.
                seq = seq &+ (index % 2 == 0 ? 5 : -3)
                let number: Int64 = index == 2 ? .min : .max - Int64(index)
                let value: FieldValue = index % 3 == 0 ? .null : index % 3 == 1 ? .text("“\(name)”\n\\\"😀") : .integer(number)
                fields[name] = Self.field(value, seq: seq, hlc: Int64(index % 4), by: index % 5 == 0 ? "b" : "a")
            }
            rows.append(WireRow(PulledRow(entity: entity, id: RecordID(Self.ids[rows.count])!, fields: fields)))
        }
        rows.append(rows[0])
        let seqs = rows.flatMap { $0.pulled.fields.values.map(\.seq) }
        #expect(seqs.contains { $0 < 0 } && seqs.contains { $0 > Int64.max - 3 }, "the sequences cross Int64.max")
        let message = ChangesMessage(rows: rows, cursor: .max, layout: .positional)
        let line = try MessageCoding.line(message)
        #expect(try MessageCoding.decode(ChangesMessage.self, from: line, as: "changes") == message)
    }

    @Test("the column lists are the table of PROTOCOL.md §5.4")
    func columnsMatchTheSpec() throws {
        let spec = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Protocol/PROTOCOL.md")
        let lines = try String(contentsOf: spec, encoding: .utf8).split(separator: "\n")
        let header = try #require(lines.firstIndex(of: "| entity | columns |"))
        var table: [String: [String]] = [:]
        for line in lines[(header + 2)...] {
            guard line.hasPrefix("| `") else { break }
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            let names = { (cell: String) in cell.split(separator: ",").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: " `")) } }
            table[names(cells[0])[0]] = names(cells[1])
        }
        #expect(table == WireColumns.byEntity)
    }

    @Test("a positional batch that breaks a rule of §5.4 is a bad-message")
    func refusals() {
        let id = Self.ids[0]
        func line(_ rows: String, writers: String = #"[["r","a"]]"#) -> String {
            #"{"type":"changes","cursor":9,"rows":[\#(rows)],"writers":\#(writers)}"#
        }
        let good = #"{"entity":"commitments","id":"\#(id)","hlc":1,"writer":0,"fields":[0,2],"values":["T",null],"seqs":[3,1]}"#
        let lines = [
            line(good.replacingOccurrences(of: "[0,2]", with: "[2,0]")),                  // not increasing
            line(good.replacingOccurrences(of: "[0,2]", with: "[0,0]")),                  // a field twice
            line(good.replacingOccurrences(of: "[0,2]", with: "[0,19]")),                 // past the columns
            line(good.replacingOccurrences(of: "[0,2]", with: "[-1,2]")),
            line(good.replacingOccurrences(of: "[3,1]", with: "[3]")),                    // seqs short
            line(good.replacingOccurrences(of: #"["T",null]"#, with: #"["T",null,1]"#)),  // values long
            line(good.replacingOccurrences(of: #""fields":[0,2],"values":["T",null],"seqs":[3,1]"#, with: #""fields":[],"values":[],"seqs":[]"#)),
            line(good.replacingOccurrences(of: #""writer":0"#, with: #""writer":1"#)),    // no such writer
            line(good.replacingOccurrences(of: #""hlc":1,"#, with: "")),                  // the first row's time
            line(good.replacingOccurrences(of: "commitments", with: "pledges")),          // no such entity
            line(good.replacingOccurrences(of: #""seqs":[3,1]"#, with: #""seqs":[3,1],"versions":[[2,5,0]]"#)),
            line(good.replacingOccurrences(of: #""seqs":[3,1]"#, with: #""seqs":[3,1],"versions":[[0,5]]"#)),
            line(good.replacingOccurrences(of: #""seqs":[3,1]"#, with: #""seqs":[3,1.5]"#)),
            line(good, writers: #"[["r"]]"#),
            line(good, writers: #"[["r",1]]"#),
        ]
        #expect((try? decode(line(good)))?.rows.first?.pulled.fields["beneficiary"]?.seq == 4)
        for line in lines {
            let error = #expect(throws: ProtocolError.self, "\(line)") { _ = try decode(line) }
            #expect(error?.code == .badMessage)
        }
    }

    @Test("a row with a field that has no column, or with no field, does not encode")
    func unencodable() {
        for fields in [["title": Self.field(.text("T"), seq: 1), "colour": Self.field(.text("red"), seq: 2)], [:]] {
            let message = ChangesMessage(rows: [Self.row("commitments", 0, fields)], cursor: 2, layout: .positional)
            let error = #expect(throws: ProtocolError.self) { _ = try MessageCoding.line(message) }
            #expect(error?.code == .internal)
        }
    }
}
