import Domain
import Foundation
import GRDB
import Logging
import Storage
import SyncClient
import SyncProtocol
import SyncServer

/// A seed that broke an invariant, with the schedule that led there.
struct SimulationFailure: Error, CustomStringConvertible {
    var seed: UInt64
    var message: String
    var trace: [String]

    var description: String {
        "seed \(seed): \(message)\n  replay: make soak SEED=\(seed)\n  last steps:\n    "
            + trace.suffix(40).joined(separator: "\n    ")
    }
}

/// What the schedules did, summed over seeds.
struct SimulationStats: Sendable, CustomStringConvertible {
    var schedules = 0
    var replicas = 0
    var edits = 0
    var syncs = 0
    var resolves = 0
    /// Faults planned into a sync that actually struck (a cut, a lost answer, a duplicate,
    /// a client or server crash), and server restarts between syncs.
    var cuts = 0
    var lostAnswers = 0
    var duplicates = 0
    var clientCrashes = 0
    var serverCrashes = 0
    var serverRestarts = 0
    var conflicts = 0

    var faults: Int { cuts + lostAnswers + duplicates + clientCrashes + serverCrashes + serverRestarts }

    static func + (lhs: Self, rhs: Self) -> Self {
        var sum = lhs
        sum.schedules += rhs.schedules; sum.replicas += rhs.replicas; sum.edits += rhs.edits
        sum.syncs += rhs.syncs; sum.resolves += rhs.resolves; sum.cuts += rhs.cuts
        sum.lostAnswers += rhs.lostAnswers; sum.duplicates += rhs.duplicates
        sum.clientCrashes += rhs.clientCrashes; sum.serverCrashes += rhs.serverCrashes
        sum.serverRestarts += rhs.serverRestarts; sum.conflicts += rhs.conflicts
        return sum
    }

    var description: String {
        "\(schedules) schedules, \(replicas) replicas, \(edits) edits, \(resolves) resolves, \(syncs) syncs, "
            + "\(conflicts) conflicts; faults: \(cuts) cuts, \(lostAnswers) lost answers, \(duplicates) duplicates, "
            + "\(clientCrashes) client crashes, \(serverCrashes) server crashes, \(serverRestarts) server restarts"
    }
}

/// One seeded schedule: a real server store and 2–8 real replica files in a scratch directory,
/// the real sync engine and server session between them over `SimulatedLink`, a simulated clock,
/// random edits biased towards a few rows and fields, random syncs with faults; then a quiet
/// round and the invariants (`Simulation+Invariants.swift`).
final class Simulation {
    let seed: UInt64
    var random: SeededRandom
    let directory: String
    let clock = SimulatedClock()
    let serverPath: String
    let serverIDs: SeededIDs
    let serverCrash = CrashInjector()
    var server: ServerStore
    var serverIdentity: String
    var limits = ProtocolLimits()
    let token: String
    var replicas: [SimulatedReplica] = []
    var ledger = EditLedger()
    var stats = SimulationStats()
    var trace: [String] = []
    var step = 0
    private var counter = 0
    private let logger = Logger(label: "simulation", factory: { _ in SwiftLogNoOpLogHandler() })

    /// What one schedule did and where it ended.
    struct Outcome {
        var stats: SimulationStats
        var trace: [String]
        /// Every replica's digest after the quiet round (they are equal).
        var digest: String
    }

    static func run(seed: UInt64, verbose: Bool = false) async throws -> Outcome {
        let simulation = try Simulation(seed: seed)
        defer {
            if verbose { print(simulation.trace.joined(separator: "\n")) }
            simulation.removeFiles()
        }
        do {
            try await simulation.runSchedule()
            try await simulation.quiesce()
            // Conflicts reach everyone only now: analysts settle some, some of them the same
            // conflict differently, and everyone syncs again.
            try simulation.resolveSome()
            try await simulation.quiesce()
            try simulation.checkInvariants()
            return Outcome(stats: simulation.stats, trace: simulation.trace, digest: try simulation.replicas[0].store.digest())
        } catch let failure as SimulationFailure {
            throw failure
        } catch {
            throw simulation.failure("unexpected error: \(error)")
        }
    }

    init(seed: UInt64) throws {
        self.seed = seed
        random = SeededRandom(seed: seed)
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm/" : NSTemporaryDirectory()
        directory = base + "accord-simulation-\(getpid())-\(seed)"
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        serverPath = directory + "/server.db"
        serverIDs = SeededIDs(seed: seed ^ 0x5EED, clock: clock)
        server = try Self.openServer(at: serverPath, clock: clock, ids: serverIDs, crash: serverCrash)
        serverIdentity = try server.identity()
        token = try server.addToken(name: "simulation", role: .editor)
        if random.chance(30) { limits.maxBatchChanges = 2 }
        let count = Int.random(in: 2...8, using: &random)
        for index in 0..<count {
            let skew = Int64.random(in: -3_000...3_000, using: &random)
            replicas.append(try SimulatedReplica(index: index, directory: directory, skew: skew,
                                                 seed: seed &+ UInt64(index + 1) &* 0x9E37_79B9, clock: clock))
        }
        stats.schedules = 1
        stats.replicas = count
        log("\(count) replicas, max batch \(limits.maxBatchChanges)")
    }

    static func openServer(at path: String, clock: SimulatedClock, ids: SeededIDs, crash: CrashInjector) throws -> ServerStore {
        let store = try ServerStore.open(at: path, wallClock: { clock.now }, newID: { ids.next() })
        store.writer.add(transactionObserver: crash, extent: .databaseLifetime)
        return store
    }

    func removeFiles() {
        for replica in replicas { try? replica.close() }
        try? (server.writer as? DatabasePool)?.close()
        try? FileManager.default.removeItem(atPath: directory)
    }

    func log(_ line: String) { trace.append("[\(step)] " + line) }

    func failure(_ message: String) -> SimulationFailure {
        SimulationFailure(seed: seed, message: message, trace: trace)
    }

    /// A value no one has written before, so the ledger can tell every write apart.
    func freshText(_ prefix: String) -> String {
        counter += 1
        return "\(prefix)\(counter)"
    }

    // MARK: The schedule

    func runSchedule() async throws {
        let steps = Int.random(in: 20...60, using: &random)
        for _ in 0..<steps {
            step += 1
            clock.advance(by: Int64.random(in: 1...2_000, using: &random))
            let replica = random.pick(replicas)
            switch Int.random(in: 0..<100, using: &random) {
            case 0..<40: try edit(replica)
            case 40..<50: try add(replica)
            case 50..<55: try delete(replica)
            case 55..<63: try resolve(replica)
            case 63..<97: try await sync(replica, faults: true)
            default: try restartServer()
            }
        }
    }

    /// Everyone syncs, without faults, until a whole round pushes nothing: the server did not
    /// change during that round, so every replica pulled all of it and the next round would
    /// move nothing (the invariants check that).
    func quiesce() async throws {
        log("quiesce")
        for round in 1...8 {
            var pushed = false
            for replica in replicas {
                if let summary = try await sync(replica, faults: false), summary.pushed > 0 { pushed = true }
            }
            if !pushed { return }
            log("round \(round) pushed")
        }
        throw failure("still pushing after 8 rounds of syncs")
    }

    func resolveSome() throws {
        for replica in replicas {
            for _ in try replica.store.openConflicts() where random.chance(40) {
                try resolve(replica)
            }
        }
    }

    func restartServer() throws {
        try (server.writer as? DatabasePool)?.close()
        serverCrash.disarm()
        server = try Self.openServer(at: serverPath, clock: clock, ids: serverIDs, crash: serverCrash)
        stats.serverRestarts += 1
        log("server restart")
    }

    // MARK: Analysts' commands

    /// The rows to edit: usually one of the first three (so edits collide), else any.
    func pickRow(_ replica: SimulatedReplica, _ schema: EntitySchema) throws -> RecordID? {
        let ids = try replica.rowIDs(schema)
        guard !ids.isEmpty else { return nil }
        if random.chance(75) { return ids[Int.random(in: 0..<min(3, ids.count), using: &random)] }
        return random.pick(ids)
    }

    func pickSchema() -> EntitySchema { random.chance(80) ? .commitments : .meetings }

    func edit(_ replica: SimulatedReplica) throws {
        let schema = pickSchema()
        guard let id = try pickRow(replica, schema) else { return try add(replica) }
        let field: String
        let value: FieldValue
        if schema == .commitments {
            field = random.pick(["title", "title", "party", "notes", "beneficiary"])
        } else {
            field = random.pick(["name", "location", "notes"])
        }
        let clearable = field == "notes" || field == "beneficiary" || field == "location"
        value = clearable && random.chance(15) ? .null : .text(freshText(String(field.prefix(1))))
        let before = try replica.value(schema, id, field)
        do {
            let changed = try replica.store.update(schema, id: id, changes: [field: value])
            guard !changed.isEmpty else { return }
            ledger.record(FieldWrite(key: FieldKey(entity: schema.name, row: id.text, field: field), value: value),
                          by: replica.index, at: step, knowing: [before])
            stats.edits += 1
            log("r\(replica.index) edit \(schema.name) \(id.text.suffix(6)) \(field)=\(value)")
        } catch let error as StoreError {
            log("r\(replica.index) edit refused: \(error.message)")
        }
    }

    func add(_ replica: SimulatedReplica) throws {
        let schema = pickSchema()
        let values: [String: FieldValue] = schema == .commitments
            ? ["title": .text(freshText("t")), "party": .text(freshText("p"))]
            : ["name": .text(freshText("m"))]
        let id = try replica.store.insert(schema, values: values)
        for (field, value) in values {
            ledger.record(FieldWrite(key: FieldKey(entity: schema.name, row: id.text, field: field), value: value),
                          by: replica.index, at: step, knowing: [])
        }
        stats.edits += 1
        log("r\(replica.index) add \(schema.name) \(id.text.suffix(6))")
    }

    func delete(_ replica: SimulatedReplica) throws {
        let schema = pickSchema()
        guard let id = try pickRow(replica, schema) else { return }
        do {
            try replica.store.delete(schema, id: id)
            ledger.record(FieldWrite(key: FieldKey(entity: schema.name, row: id.text, field: EntitySchema.deletedField), value: .integer(1)),
                          by: replica.index, at: step, knowing: [.integer(0)])
            stats.edits += 1
            log("r\(replica.index) delete \(schema.name) \(id.text.suffix(6))")
        } catch let error as StoreError {
            log("r\(replica.index) delete refused: \(error.message)")
        }
    }

    func resolve(_ replica: SimulatedReplica) throws {
        let conflicts = try replica.store.openConflicts()
        guard !conflicts.isEmpty else { return }
        let conflict = random.pick(conflicts)
        guard let schema = EntitySchema.named(conflict.entity), let row = RecordID(conflict.rowID) else {
            throw failure("a conflict names an unknown row: \(conflict)")
        }
        let resolution: ReplicaStore.Resolution
        switch Int.random(in: 0..<10, using: &random) {
        case 0..<4: resolution = .keepStanding
        case 4..<8: resolution = .keepOther
        default:
            resolution = .value(conflict.field == EntitySchema.deletedField ? random.pick(["0", "1"]) : freshText("r"))
        }
        let before = try replica.value(schema, row, conflict.field)
        do {
            let chosen = try replica.store.resolveConflict(conflict.id, resolution)
            ledger.record(FieldWrite(key: FieldKey(entity: conflict.entity, row: conflict.rowID, field: conflict.field), value: chosen),
                          by: replica.index, at: step, knowing: [conflict.standingValue, conflict.otherValue, before])
            stats.resolves += 1
            log("r\(replica.index) resolve \(conflict.id.text.suffix(6)) \(conflict.field)=\(chosen)")
        } catch let error as StoreError {
            log("r\(replica.index) resolve refused: \(error.message)")
        }
    }

    // MARK: Sync

    enum PlannedFault { case none, link(LinkFaults), clientCrash(Int), serverCrash(Int) }

    /// One sync, with a fault drawn from the schedule when `faults`; nil when a fault broke it.
    @discardableResult
    func sync(_ replica: SimulatedReplica, faults: Bool) async throws -> SyncSummary? {
        var configuration = SyncConfiguration()
        // Small batches now and then, so cuts and crashes fall between batches of one push or pull.
        configuration.pushBatch = random.pick([2, 5, 500, 500])
        configuration.pullBatch = random.pick([3, 10, 1000, 1000])
        let compressed = random.chance(60)
        configuration.compression = compressed ? [.deflate, .none] : [.none]
        var planned = PlannedFault.none
        if faults && random.chance(40) {
            var link = LinkFaults()
            switch Int.random(in: 0..<5, using: &random) {
            case 0:
                link.cutAtSend = Int.random(in: 1...6, using: &random)
                link.deliverBeforeCut = random.chance(50)
                planned = .link(link)
            case 1:
                link.cutAtReceive = Int.random(in: 1...10, using: &random)
                planned = .link(link)
            case 2 where !compressed:
                link.duplicateSend = Int.random(in: 2...5, using: &random)
                planned = .link(link)
            case 3:
                planned = .clientCrash(Int.random(in: 1...8, using: &random))
            default:
                planned = .serverCrash(Int.random(in: 1...3, using: &random))
            }
        }
        var linkFaults = LinkFaults()
        switch planned {
        case .none: break
        case .link(let faults): linkFaults = faults
        case .clientCrash(let commits): replica.crash.arm(afterCommits: commits)
        case .serverCrash(let commits): serverCrash.arm(afterCommits: commits)
        }
        let answers = AnswerQueue()
        let session = ServerSession(store: server, identity: serverIdentity, limits: limits, logger: logger, outbound: answers,
                                    storeCalls: .inline)
        var link = SimulatedLink(server: session, answers: answers, faults: linkFaults)
        stats.syncs += 1
        var outcome: Result<SyncSummary, any Error>
        do {
            outcome = .success(try await SyncEngine.sync(replica.store, over: &link, server: "simulation", token: token,
                                                         configuration: configuration))
        } catch {
            outcome = .failure(error)
        }
        let clientCrashed = replica.crash.fired, serverCrashed = serverCrash.fired || link.serverCrashed
        replica.crash.disarm()
        serverCrash.disarm()
        log("r\(replica.index) sync \(compressed ? "deflate" : "none") push \(configuration.pushBatch) pull \(configuration.pullBatch): "
            + "\(plannedDescription(planned)) -> \(outcomeDescription(outcome))")
        if clientCrashed {
            stats.clientCrashes += 1
            try replica.reopen()
        }
        if serverCrashed {
            stats.serverCrashes += 1
            try restartServer()
            stats.serverRestarts -= 1
        }
        if link.cut && !serverCrashed {
            if linkFaults.deliverBeforeCut { stats.lostAnswers += 1 } else { stats.cuts += 1 }
        }
        switch outcome {
        case .success(let summary):
            if case .link(let faults) = planned, faults.duplicateSend != nil, !link.cut { stats.duplicates += 1 }
            stats.conflicts += summary.conflicts
            return summary
        case .failure(let error):
            let struck = clientCrashed || serverCrashed || link.cut
            guard struck, let clientError = error as? SyncClientError, clientError.code == .unreachable else {
                throw failure("sync of r\(replica.index) failed (\(plannedDescription(planned))): \(error)")
            }
            return nil
        }
    }

    private func plannedDescription(_ planned: PlannedFault) -> String {
        switch planned {
        case .none: "no fault"
        case .link(let faults): faults.description
        case .clientCrash(let commits): "client crash at commit \(commits)"
        case .serverCrash(let commits): "server crash at commit \(commits)"
        }
    }

    private func outcomeDescription(_ outcome: Result<SyncSummary, any Error>) -> String {
        switch outcome {
        case .success(let summary): "pushed \(summary.pushed) (\(summary.conflicts) conflicts), pulled \(summary.pulled)"
        case .failure(let error): "failed: \(error)"
        }
    }
}
