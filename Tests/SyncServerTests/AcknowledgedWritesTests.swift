import Domain
import Foundation
import NIOCore
import Storage
import SyncProtocol
import Testing
@testable import SyncServer

/// A protocol 3 pull leaves out what the connection's acknowledgements gave (PROTOCOL.md §5.4).
@Suite struct AcknowledgedWritesTests {
    static let id = RecordID("01980c08-5eed-7000-8000-000000000008")!

    func field(_ seq: Int64, by replica: String = "me") -> PulledField {
        PulledField(value: .text("v"), seq: seq, hlc: .zero, replicaID: replica, analyst: "a")
    }

    @Test("held: a commitment's or meeting's field other than deleted, by this replica, inside a push's written sequences")
    func holds() {
        var acknowledged = AcknowledgedWrites()
        acknowledged.record([PushResult(localSeq: 1, outcome: .accepted, seq: 10), PushResult(localSeq: 2, outcome: .duplicate),
                             PushResult(localSeq: 3, outcome: .conflict, seq: 14), PushResult(localSeq: 4, outcome: .equal)])
        acknowledged.record([PushResult(localSeq: 5, outcome: .conflict, seq: nil)]) // nothing written: no range
        acknowledged.record([PushResult(localSeq: 6, outcome: .accepted, seq: 30)])
        #expect(acknowledged.ranges == [10...14, 30...30])
        for seq: Int64 in [10, 12, 14, 30] {
            #expect(acknowledged.holds(field(seq), named: "title", of: "commitments", replicaID: "me"), "\(seq)")
            #expect(acknowledged.holds(field(seq), named: "name", of: "meetings", replicaID: "me"), "\(seq)")
        }
        for seq: Int64 in [9, 15, 29, 31] {
            #expect(!acknowledged.holds(field(seq), named: "title", of: "commitments", replicaID: "me"), "\(seq)")
        }
        #expect(!acknowledged.holds(field(12), named: "deleted", of: "commitments", replicaID: "me"))
        #expect(!acknowledged.holds(field(12), named: "status", of: "conflicts", replicaID: "me"))
        #expect(!acknowledged.holds(field(12, by: "other"), named: "title", of: "commitments", replicaID: "me"))
        #expect(!AcknowledgedWrites().holds(field(12), named: "title", of: "commitments", replicaID: "me"))
    }

    @Test("a filtered batch drops held fields and rows left empty, and keeps the rest")
    func filter() {
        var acknowledged = AcknowledgedWrites()
        acknowledged.record([PushResult(localSeq: 1, outcome: .accepted, seq: 1), PushResult(localSeq: 2, outcome: .accepted, seq: 3)])
        let other = RecordID("01980c08-5eed-7000-8000-000000000009")!
        let rows = [PulledRow(entity: "commitments", id: Self.id, fields: ["title": field(1), "deleted": field(2), "party": field(3)]),
                    PulledRow(entity: "commitments", id: other, fields: ["notes": field(3)]),
                    PulledRow(entity: "commitments", id: other, fields: ["tags": field(4)])]
        #expect(acknowledged.filter(rows, replicaID: "me") == [
            PulledRow(entity: "commitments", id: Self.id, fields: ["deleted": field(2)]), rows[2],
        ])
        #expect(acknowledged.filter(rows, replicaID: "you") == rows)
    }

    @Test("recording stops at its bound: later pushes' fields are sent, not left out")
    func bounded() {
        var acknowledged = AcknowledgedWrites()
        for push in 0..<Int64(AcknowledgedWrites.maxRanges + 5) {
            acknowledged.record([PushResult(localSeq: push + 1, outcome: .accepted, seq: push * 2 + 1)])
        }
        #expect(acknowledged.ranges.count == AcknowledgedWrites.maxRanges)
        let lastRecorded = Int64(AcknowledgedWrites.maxRanges - 1) * 2 + 1
        #expect(acknowledged.holds(field(lastRecorded), named: "title", of: "commitments", replicaID: "me"))
        #expect(!acknowledged.holds(field(lastRecorded + 2), named: "title", of: "commitments", replicaID: "me"))
    }
}
