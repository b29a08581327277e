import Domain
import GRDB
import Storage

/// One analyst's replica in the simulation: a real `ReplicaStore` file, reopened after a
/// simulated crash, with its own clock skew and seeded ids.
final class SimulatedReplica {
    let index: Int
    let path: String
    let skew: Int64
    let ids: SeededIDs
    let clock: SimulatedClock
    let crash = CrashInjector()
    private(set) var store: ReplicaStore

    init(index: Int, directory: String, skew: Int64, seed: UInt64, clock: SimulatedClock) throws {
        self.index = index
        path = directory + "/replica-\(index).db"
        self.skew = skew
        self.clock = clock
        ids = SeededIDs(seed: seed, clock: clock)
        let ids = self.ids
        store = try ReplicaStore.create(at: path, analyst: "analyst\(index)", wallClock: { clock.now + skew }, newID: { ids.next() })
        store.writer.add(transactionObserver: crash, extent: .databaseLifetime)
    }

    /// The process died: whatever transaction was in flight is gone; the file is opened again.
    func reopen() throws {
        crash.disarm()
        try (store.writer as? DatabaseQueue)?.close()
        let clock = self.clock, skew = self.skew, ids = self.ids
        store = try ReplicaStore.open(at: path, wallClock: { clock.now + skew }, newID: { ids.next() })
        store.writer.add(transactionObserver: crash, extent: .databaseLifetime)
    }

    func close() throws {
        try (store.writer as? DatabaseQueue)?.close()
    }

    /// Row ids of an entity, tombstones included, in id order.
    func rowIDs(_ schema: EntitySchema) throws -> [RecordID] {
        try store.reading { db in
            try String.fetchAll(db.cachedStatement(sql: "SELECT id FROM \(schema.name) ORDER BY id")).compactMap(RecordID.init)
        }
    }

    func value(_ schema: EntitySchema, _ id: RecordID, _ field: String) throws -> FieldValue {
        try store.reading { db in
            try FieldValue.fetchOne(db.cachedStatement(sql: "SELECT \(field) FROM \(schema.name) WHERE id = ?"), arguments: [id.text]) ?? .null
        }
    }
}
