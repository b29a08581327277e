import Foundation
import Testing
@testable import Domain

@Suite struct FieldChangeTests {
    @Test("A field change round trips through JSON with its id as a string and its time as a number")
    func coding() throws {
        let change = FieldChange(
            entity: "commitments", id: RecordID("01890a5d-ac96-774b-bcce-b302099a8057")!, field: "amount",
            value: .text("17000000"), hlc: HLCTimestamp(wallMillis: 1, counter: 2)
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let text = String(decoding: try encoder.encode(change), as: UTF8.self)
        #expect(text == #"{"entity":"commitments","field":"amount","hlc":65538,"id":"01890a5d-ac96-774b-bcce-b302099a8057","value":"17000000"}"#)
        #expect(try JSONDecoder().decode(FieldChange.self, from: Data(text.utf8)) == change)
    }

    @Test("A field change with a malformed id does not decode")
    func badID() {
        let text = #"{"entity":"commitments","field":"amount","hlc":1,"id":"nope","value":null}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(FieldChange.self, from: Data(text.utf8)) }
    }

    @Test("A record id decodes from capitals to its lowercase form")
    func idDecodesNormalised() throws {
        let id = try JSONDecoder().decode(RecordID.self, from: Data(#""01890A5D-AC96-774B-BCCE-B302099A8057""#.utf8))
        #expect(id.text == "01890a5d-ac96-774b-bcce-b302099a8057")
    }
}
