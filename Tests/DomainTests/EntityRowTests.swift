import Testing
@testable import Domain

@Suite struct EntityRowTests {
    static let id = RecordID("01890a5d-ac96-774b-bcce-b302099a8057")!

    @Test("A field missing from the values reads as null")
    func missingIsNull() {
        let row = EntityRow(entity: "commitments", id: Self.id, values: ["title": .text("t")])
        #expect(row["title"] == .text("t"))
        #expect(row["notes"] == .null)
        #expect(!row.deleted)
    }

    @Test("Setting a field through the subscript stores it")
    func subscriptSets() {
        var row = EntityRow(entity: "commitments", id: Self.id, values: [:])
        row["amount"] = .text("5")
        #expect(row.values == ["amount": .text("5")])
    }
}
