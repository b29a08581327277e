import Testing
@testable import Domain

@Suite struct MeetingTests {
    static let id = RecordID("0197f2b4-5c00-7a3e-8c11-2f6d3e4a5b6c")!

    @Test("Every field of a meeting record is read into its typed property")
    func readsFull() throws {
        let record = EntityRow(entity: "meetings", id: Self.id, values: [
            "name": .text("58th ASEAN Foreign Ministers' Meeting"), "series": .text("58th AMM"),
            "location": .text("Kuala Lumpur"), "start_date": .text("2025-07-08"), "end_date": .text("2025-07-11"),
            "notes": .text("Chaired by Malaysia"),
        ])
        let meeting = try #require(Meeting(record))
        #expect(meeting.id == Self.id)
        #expect(meeting.name == "58th ASEAN Foreign Ministers' Meeting")
        #expect(meeting.series == "58th AMM")
        #expect(meeting.location == "Kuala Lumpur")
        #expect(meeting.startDate == CalendarDate("2025-07-08"))
        #expect(meeting.endDate?.day == 11)
        #expect(meeting.notes == "Chaired by Malaysia")
    }

    @Test("A meeting with only a name has no other values")
    func readsMinimal() throws {
        let meeting = try #require(Meeting(EntityRow(entity: "meetings", id: Self.id, values: ["name": .text("AMM")])))
        #expect(meeting.series == nil)
        #expect(meeting.startDate == nil)
        #expect(meeting.endDate == nil)
    }

    @Test("A record of another entity, or without a name, is not a meeting")
    func notAMeeting() {
        #expect(Meeting(EntityRow(entity: "commitments", id: Self.id, values: ["name": .text("AMM")])) == nil)
        #expect(Meeting(EntityRow(entity: "meetings", id: Self.id, values: ["location": .text("KL")])) == nil)
    }
}
