import Testing
@testable import Domain

@Suite struct MergeRuleTests {
    let early = HLCTimestamp(wallMillis: 1_752_130_800_000, counter: 0)
    let late = HLCTimestamp(wallMillis: 1_752_130_900_000, counter: 0)

    func stamp(_ value: FieldValue, seq: Int64, at hlc: HLCTimestamp, by replica: String) -> FieldStamp {
        FieldStamp(value: value, seq: seq, hlc: hlc, replicaID: replica)
    }

    func change(_ value: FieldValue, base: Int64, at hlc: HLCTimestamp, by replica: String) -> ProposedChange {
        ProposedChange(value: value, baseSeq: base, hlc: hlc, replicaID: replica)
    }

    @Test("a field never written accepts any change")
    func firstWrite() {
        #expect(MergeRule.merge(current: nil, incoming: change(.text("17000000"), base: 0, at: early, by: "a")) == .accept)
    }

    @Test("a change based on the current write is accepted, whatever the clocks say")
    func fastForward() {
        let current = stamp(.text("1"), seq: 7, at: late, by: "b")
        #expect(MergeRule.merge(current: current, incoming: change(.text("2"), base: 7, at: early, by: "a")) == .accept)
    }

    @Test("a replica's own earlier write is not a conflict with itself, even with a stale base")
    func ownEarlierWrite() {
        // A's first push was applied at seq 9 but its acknowledgement was lost; its next edit
        // still carries base 3.
        let current = stamp(.text("first"), seq: 9, at: early, by: "a")
        #expect(MergeRule.merge(current: current, incoming: change(.text("second"), base: 3, at: late, by: "a")) == .accept)
    }

    @Test("equal concurrent values are accepted without a conflict")
    func equalConcurrentValues() {
        let current = stamp(.text("GBP"), seq: 9, at: late, by: "b")
        #expect(MergeRule.merge(current: current, incoming: change(.text("GBP"), base: 3, at: early, by: "a")) == .alreadyEqual)
        let sampleRow = stamp(.text("£17m"), seq: 1, at: early, by: "b")
        #expect(MergeRule.merge(current: sampleRow, incoming: change(.text("£17m"), base: 0, at: early, by: "a")) == .alreadyEqual)
    }

    @Test("different concurrent values conflict; the later edit by clock stands")
    func laterEditStands() {
        let current = stamp(.text("pledged"), seq: 9, at: early, by: "b")
        #expect(MergeRule.merge(current: current, incoming: change(.text("delivered"), base: 3, at: late, by: "a"))
                == .conflict(incomingStands: true))
        let newer = stamp(.text("pledged"), seq: 9, at: late, by: "b")
        #expect(MergeRule.merge(current: newer, incoming: change(.text("delivered"), base: 3, at: early, by: "a"))
                == .conflict(incomingStands: false))
    }

    @Test("equal clocks are broken by the greater replica id, the same way from both sides")
    func tieBreak() {
        let fromB = stamp(.text("x"), seq: 9, at: early, by: "b")
        #expect(MergeRule.merge(current: fromB, incoming: change(.text("y"), base: 0, at: early, by: "a")) == .conflict(incomingStands: false))
        let fromA = stamp(.text("y"), seq: 9, at: early, by: "a")
        #expect(MergeRule.merge(current: fromA, incoming: change(.text("x"), base: 0, at: early, by: "b")) == .conflict(incomingStands: true))
        #expect(MergeRule.stands(early, "b", over: early, "a") && !MergeRule.stands(early, "a", over: early, "b"))
    }

    @Test("clearing a field is a value like any other")
    func clearingConflicts() {
        let current = stamp(.text("17000000"), seq: 9, at: early, by: "b")
        #expect(MergeRule.merge(current: current, incoming: change(.null, base: 3, at: late, by: "a")) == .conflict(incomingStands: true))
        let cleared = stamp(.null, seq: 9, at: early, by: "b")
        #expect(MergeRule.merge(current: cleared, incoming: change(.null, base: 3, at: late, by: "a")) == .alreadyEqual)
    }

    @Test("an edit made without knowledge of a concurrent delete conflicts on deleted; the later stands")
    func editAfterUnseenDelete() {
        // B deleted the row at seq 9; A, knowing deleted only as written at seq 2, edits it:
        // the edit asserts deleted = 0 with base 2.
        let deletedByB = stamp(.integer(1), seq: 9, at: early, by: "b")
        #expect(MergeRule.merge(current: deletedByB, incoming: change(.integer(0), base: 2, at: late, by: "a"))
                == .conflict(incomingStands: true))
        let deletedLater = stamp(.integer(1), seq: 9, at: late, by: "b")
        #expect(MergeRule.merge(current: deletedLater, incoming: change(.integer(0), base: 2, at: early, by: "a"))
                == .conflict(incomingStands: false))
    }

    @Test("a delete made without knowledge of a concurrent edit conflicts on deleted too")
    func deleteAfterUnseenEdit() {
        // B's edit at seq 9 asserted the row alive (deleted = 0); A deletes with base 2.
        let aliveByB = stamp(.integer(0), seq: 9, at: early, by: "b")
        #expect(MergeRule.merge(current: aliveByB, incoming: change(.integer(1), base: 2, at: late, by: "a"))
                == .conflict(incomingStands: true))
    }

    @Test("edits of a live row that others also edited are not delete conflicts")
    func concurrentEditsOfALiveRow() {
        let aliveByB = stamp(.integer(0), seq: 9, at: late, by: "b")
        #expect(MergeRule.merge(current: aliveByB, incoming: change(.integer(0), base: 2, at: early, by: "a")) == .alreadyEqual)
    }

    @Test("two deletes of one row agree")
    func twoDeletes() {
        let deletedByB = stamp(.integer(1), seq: 9, at: early, by: "b")
        #expect(MergeRule.merge(current: deletedByB, incoming: change(.integer(1), base: 2, at: late, by: "a")) == .alreadyEqual)
    }
}
