import Domain
import Storage

/// What a protocol 3 connection's acknowledgements have told its client (PROTOCOL.md §5.4):
/// the sequences each push on the connection wrote, so that the pull which follows leaves out
/// the fields the client has just applied from those acknowledgements.
///
/// A push is one transaction, so every sequence from its lowest written one to its highest was
/// written by it, for its pusher. Of those writes, each field of a commitment or meeting other
/// than `deleted` is a pushed change, and its version is the `current` of the change's answer
/// (the last answer, when a batch changes a field twice). The rest are not answered with their
/// version and are never left out: `deleted`, which the server also writes for a row's "alive"
/// assertion, and the conflict records.
struct AcknowledgedWrites {
    /// The sequences each push wrote, lowest to highest; pushes come one after another.
    private(set) var ranges: [ClosedRange<Int64>] = []
    /// Beyond this many pushes on one connection nothing more is recorded (and left out): a few
    /// hundred kilobytes at most, whatever a client pushes.
    static let maxRanges = 16_384

    /// Records what a push's answers carried.
    mutating func record(_ results: [PushResult]) {
        let written = results.compactMap(\.seq)
        guard let lowest = written.min(), let highest = written.max(), ranges.count < Self.maxRanges else { return }
        ranges.append(lowest...highest)
    }

    /// Whether the client holds this version of the field from an acknowledgement on this
    /// connection, written for `replicaID`.
    func holds(_ field: PulledField, named name: String, of entity: String, replicaID: String) -> Bool {
        guard name != EntitySchema.deletedField, EntitySchema.named(entity) != nil, field.replicaID == replicaID else { return false }
        // The last range that starts at or before the sequence.
        var low = 0, high = ranges.count
        while low < high {
            let middle = (low + high) / 2
            if ranges[middle].lowerBound <= field.seq { low = middle + 1 } else { high = middle }
        }
        return low > 0 && ranges[low - 1].contains(field.seq)
    }

    /// The rows of a pulled batch without the fields the client holds; rows left with none are
    /// dropped. The batch's cursor is unchanged.
    func filter(_ rows: [PulledRow], replicaID: String) -> [PulledRow] {
        guard !ranges.isEmpty else { return rows }
        return rows.compactMap { row in
            var row = row
            row.fields = row.fields.filter { !holds($0.value, named: $0.key, of: row.entity, replicaID: replicaID) }
            return row.fields.isEmpty ? nil : row
        }
    }
}
