import Foundation
import Testing
import Domain
import TestSupport

/// SIGKILLs `accord sync` and `accord-server` at random moments of 20,000-row pushes and pulls,
/// then syncs everyone to quiescence and checks that nothing was lost, doubled or diverged.
///
/// The moments are drawn from a seeded generator (the seed is printed; `ACCORD_TEST_SEED=N`
/// replays the plan) as points of progress: "when the replica's outbox has shrunk by 10%", "when
/// its cursor has passed 2% of what is left to pull", read from the replica file with `sqlite3`
/// while the sync runs, then a random extra delay, so each kill lands inside a push or a pull
/// whatever the machine's speed. A few kills land at a random time just after start.
@Suite struct ProcessKillTests {
    static let aliceRows = 20_000
    static let carolRows = 300

    @Test("54 SIGKILLs of accord sync and accord-server during 20,000-row pushes and pulls lose no edit and leave equal replicas")
    func killsDuringLargeSyncs() throws {
        let seed = TestSeed.fromEnvironment()
        var random = SeededRandom(seed: seed)
        print("ProcessKillTests: seed \(seed) (ACCORD_TEST_SEED=\(seed) replays the kill plan)")
        let started = Date()
        let directory = try TemporaryDirectory()
        let db = directory.file("server.db")
        _ = try Executables.run("accord-server", ["import", "--sample", "--db", db])
        let server = try ServerProcess(db: db, in: directory.path)
        func replica(_ analyst: String) throws -> Replica {
            let token = try Executables.run("accord-server", ["token", "add", analyst, "--role", "editor", "--db", db]).stdout
            let replica = Replica(path: directory.file("\(analyst).db"), directory: directory.path)
            let created = try replica.run(["init", "--server", server.address, "--token", token.trimmingCharacters(in: .newlines), "--analyst", analyst])
            #expect(created.status == 0, "\(created)")
            return replica
        }
        let alice = try replica("alice"), carol = try replica("carol"), dan = try replica("dan")
        try alice.ok("import", try rowsCSV("alice", Self.aliceRows, in: directory))
        try carol.ok("import", try rowsCSV("carol", Self.carolRows, in: directory))
        let setUp = Date()

        // Dan edits and syncs in the background all along, so server kills also cut his syncs.
        let background = BackgroundAnalyst(dan, server: server)
        defer { background.stop() }
        var log = KillLog()
        // Alice pushes 40,000 field changes and pulls them back; then Carol, who has 600 of her
        // own to push, clones it all.
        try syncThroughKills(alice, plan: plan(push: 16, pull: 12, client: 16, server: 12, using: &random), server: server, log: &log)
        let aliceDone = Date()
        try syncThroughKills(carol, plan: plan(push: 1, pull: 25, client: 16, server: 10, using: &random), server: server, log: &log)
        let carolDone = Date()
        let danLog = background.stop()
        #expect(danLog.unexpected.isEmpty, "\(danLog.unexpected)")

        // One conflict on purpose, so conflict records also travel to everyone.
        try alice.ok("edit", "01980c08", "--note", "alice's reading")
        Thread.sleep(forTimeInterval: 0.01)
        try carol.ok("edit", "01980c08", "--note", "carol's reading")
        let replicas = [alice, carol, dan]
        for _ in 0..<2 {
            for replica in replicas { try replica.ok("sync", "--server", server.address) }
        }
        for replica in replicas {
            #expect(try replica.ok("sync", "--server", server.address) == "pushed 0 changes (0 new conflicts), pulled 0 fields; 1 open conflicts\n")
        }

        // Equal everywhere: counts, pending edits, digests, exports.
        let statuses = try replicas.map { try JSONSerialization.jsonObject(with: Data(try $0.ok("status", "--format", "json").utf8)) as? [String: Any] ?? [:] }
        for status in statuses {
            #expect(status["pending_changes"] as? Int == 0)
            #expect(status["open_conflicts"] as? Int == 1)
            #expect((status["rows"] as? [String: Int])?["commitments"] == 32 + Self.aliceRows + Self.carolRows + danLog.created.count)
        }
        #expect(Set(statuses.map { $0["digest"] as? String ?? "" }).count == 1)
        let exports = try replicas.map { try $0.ok("export") }
        #expect(Set(exports).count == 1)

        // Every row each analyst created is there exactly once, with every edit made to it.
        let rows = try exports[0].split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:] }
        var titles: [String: Int] = [:]
        for row in rows { titles[row["title"] as? String ?? "", default: 0] += 1 }
        let created = (0..<Self.aliceRows).map { "alice row \($0)" } + (0..<Self.carolRows).map { "carol row \($0)" } + danLog.created.map(\.title)
        #expect(created.filter { titles[$0] != 1 }.isEmpty, "missing or doubled: \(created.filter { titles[$0] != 1 }.prefix(10))")
        #expect(rows.count == 32 + created.count)
        let notes = Dictionary(rows.map { ($0["id"] as? String ?? "", $0["notes"] as? String) }) { first, _ in first }
        for row in danLog.created where row.note != nil {
            #expect(notes[row.id] == row.note, "\(row.title)")
        }
        #expect(rows.first { $0["id"] as? String == "01980c08-5eed-7000-8000-000000000008" }?["notes"] as? String == "carol's reading")

        // The server holds the same rows; no file is damaged.
        #expect(SQLiteShell.query(db, "SELECT count(DISTINCT row_id) FROM fields WHERE entity = 'commitments'") == String(rows.count))
        for file in [db] + replicas.map(\.path) {
            #expect(SQLiteShell.integrityCheck(file) == "ok", "\(file)")
        }

        #expect(log.client >= 30 && log.server >= 20, "\(log)")
        let finished = Date()
        print("ProcessKillTests: \(log.client + log.server) kills (\(log.client) of accord sync, \(log.server) of accord-server;",
              "\(log.duringPush) during pushes, \(log.duringPull) during pulls, \(log.atStart) just after start;",
              "\(log.cutSyncs) syncs cut by server kills, \(log.missed) syncs finished before their kill and tried again);",
              "dan: \(danLog.created.count) rows added, \(danLog.syncs) syncs of which \(danLog.cut) cut off;",
              "seconds: setup \(seconds(started, setUp)), alice \(seconds(setUp, aliceDone)), carol \(seconds(aliceDone, carolDone)),",
              "checks \(seconds(carolDone, finished)), total \(seconds(started, finished))")
    }

    /// A CSV of `count` commitments titled "ANALYST row N", with no ids (the replica makes them).
    func rowsCSV(_ analyst: String, _ count: Int, in directory: TemporaryDirectory) throws -> String {
        let lines = ["title,party"] + (0..<count).map { "\(analyst) row \($0),Party \($0 % 17)" }
        return try directory.write("\(analyst).csv", lines.joined(separator: "\n") + "\n")
    }

    /// `push` moments then `pull` moments (one in ten moved to just after start), each killing
    /// the client or the server, in a random order.
    func plan(push: Int, pull: Int, client: Int, server: Int, using random: inout SeededRandom) -> [KillMoment] {
        let victims = (Array(repeating: KillMoment.Victim.client, count: client) + Array(repeating: .server, count: server)).shuffled(using: &random)
        let phases = Array(repeating: KillMoment.Phase.push, count: push) + Array(repeating: .pull, count: pull)
        return zip(victims, phases).map { victim, phase in
            KillMoment(victim: victim, phase: Double.random(in: 0..<1, using: &random) < 0.1 ? .start : phase,
                       fraction: Double.random(in: 0..<1, using: &random), delay: Double.random(in: 0..<1, using: &random))
        }
    }

    /// Runs `accord sync` once per planned moment, killing it or the server there, then once to the end.
    /// A moment the sync finished before is tried again 10 ms after the start of another sync
    /// (while the process starts, opens its replica or connects), so the plan's kills all land
    /// however fast the syncs have become.
    func syncThroughKills(_ replica: Replica, plan: [KillMoment], server: ServerProcess, log: inout KillLog) throws {
        for moment in plan {
            var moment = moment
            for _ in 0..<5 {
                if try attempt(replica, moment, server: server, log: &log) { break }
                moment.phase = .start
                moment.fraction = 0
            }
        }
        try replica.ok("sync", "--server", server.address)
    }

    /// One sync, and one kill at `moment`; false if the sync had finished before it.
    func attempt(_ replica: Replica, _ moment: KillMoment, server: ServerProcess, log: inout KillLog) throws -> Bool {
        let before = progress(replica)
        let lastSeq = Int(SQLiteShell.query(server.db, "SELECT last_seq FROM server") ?? "") ?? 0
        // A push moment is 3-15% into what is left to push, then up to half a second (about one
        // batch) later; a pull moment 0.5-3% into what is left to pull, then up to 0.05 s later
        // (pulls run faster); a start moment 10-80 ms after the process starts. Too little left,
        // and the moment moves on to the next phase.
        let trigger: Trigger, delay: Double
        if moment.phase == .push, let before, before.outbox > 500 {
            trigger = .outboxAtMost(Int(Double(before.outbox) * (1 - 0.03 - moment.fraction * 0.12)))
            delay = moment.delay * 0.5
        } else if moment.phase != .start, let before, lastSeq - before.cursor > 1500 {
            trigger = .cursorAtLeast(before.cursor + Int(Double(lastSeq - before.cursor) * (0.005 + moment.fraction * 0.025)))
            delay = moment.delay * 0.05
        } else {
            trigger = .seconds(0.01 + moment.fraction * 0.07)
            delay = 0
        }
        let sync = try RunningProcess("accord", ["sync", "--replica", replica.path, "--server", server.address],
                                      in: replica.directory, keepErrors: true)
        let start = Date()
        var reached = false
        while sync.isRunning, Date().timeIntervalSince(start) < 300 {
            switch trigger {
            case .seconds(let seconds): reached = Date().timeIntervalSince(start) >= seconds
            case .outboxAtMost(let count): reached = (progress(replica)?.outbox ?? .max) <= count
            case .cursorAtLeast(let cursor): reached = (progress(replica)?.cursor ?? 0) >= cursor
            }
            if reached { break }
            Thread.sleep(forTimeInterval: trigger.isTime ? 0.005 : 0.05)
        }
        if reached { Thread.sleep(forTimeInterval: delay) }
        switch moment.victim {
        case .client:
            if sync.isRunning { kill(sync.pid, SIGKILL) }
            let exit = sync.waitForExit(seconds: 60)
            guard let exit, exit.signalled, exit.status == SIGKILL else {
                log.missed += 1
                #expect(exit?.status == 0, "a sync that was not killed failed: \(String(describing: exit)) \(sync.standardError)")
                return false
            }
            log.client += 1
            log.count(trigger)
        case .server:
            server.kill()
            log.server += 1
            log.count(trigger)
            let exit = sync.waitForExit(seconds: 60)
            // Cut off, the sync says so and exits 69 ("run it again"); or it had just finished.
            #expect(exit.map { !$0.signalled && [0, 69].contains($0.status) } == true,
                    "sync cut by a server kill: \(String(describing: exit)) \(sync.standardError)")
            if exit?.status == 69 { log.cutSyncs += 1 }
            try server.restart()
        }
        return true
    }

    /// The replica's outbox size and cursor, read as the sync writes them.
    func progress(_ replica: Replica) -> (outbox: Int, cursor: Int)? {
        guard let line = SQLiteShell.query(replica.path, "SELECT (SELECT count(*) FROM outbox), cursor FROM replica") else { return nil }
        let parts = line.split(separator: "|").compactMap { Int($0) }
        return parts.count == 2 ? (parts[0], parts[1]) : nil
    }

    func seconds(_ from: Date, _ to: Date) -> String { String(format: "%.0f", to.timeIntervalSince(from)) }
}

/// When to kill: after an amount of progress, or a time after start.
enum Trigger {
    case seconds(Double)
    case outboxAtMost(Int)
    case cursorAtLeast(Int)

    var isTime: Bool { if case .seconds = self { true } else { false } }
}

/// One planned kill: whom, in which phase of the sync, and where in it (`fraction` and `delay`
/// are drawn from 0..<1 and scaled to the phase).
struct KillMoment {
    enum Victim { case client, server }
    enum Phase { case start, push, pull }
    var victim: Victim
    var phase: Phase
    var fraction: Double
    var delay: Double
}

struct KillLog: CustomStringConvertible {
    var client = 0, server = 0
    var duringPush = 0, duringPull = 0, atStart = 0
    var cutSyncs = 0, missed = 0

    mutating func count(_ trigger: Trigger) {
        switch trigger {
        case .seconds: atStart += 1
        case .outboxAtMost: duringPush += 1
        case .cursorAtLeast: duringPull += 1
        }
    }

    var description: String {
        "\(client) client kills, \(server) server kills (\(duringPush) push, \(duringPull) pull, \(atStart) start), \(missed) missed"
    }
}

/// An analyst who, until stopped, adds a row, notes the one added before, and syncs, over and
/// over: a small pusher whose syncs the server kills cut, and whose every edit must arrive.
///
/// `@unchecked Sendable`: `log` and `stopping` are guarded by `lock`.
final class BackgroundAnalyst: @unchecked Sendable {
    struct Created { var id: String; var title: String; var note: String? }
    struct Log { var created: [Created] = []; var syncs = 0; var cut = 0; var unexpected: [String] = [] }

    private let lock = NSLock()
    private var log = Log()
    private var stopping = false
    private let finished = DispatchSemaphore(value: 0)

    init(_ replica: Replica, server: ServerProcess, rounds: Int = 30) {
        let thread = Thread { [self] in
            for round in 0..<rounds where !lock.withLock({ stopping }) {
                do { try self.round(round, replica, server) } catch { lock.withLock { log.unexpected.append("\(error)") } }
                Thread.sleep(forTimeInterval: 0.3)
            }
            finished.signal()
        }
        thread.start()
    }

    private func round(_ round: Int, _ replica: Replica, _ server: ServerProcess) throws {
        let title = "dan row \(round)"
        let added = try replica.run(["add", "--title", title, "--party", "Dan"])
        guard added.status == 0 else { return lock.withLock { log.unexpected.append("add: \(added)") } }
        let id = added.stdout.trimmingCharacters(in: .newlines)
        if let previous = lock.withLock({ log.created.last }) {
            let note = "dan's note on \(previous.title)"
            let edited = try replica.run(["edit", previous.id, "--note", note])
            guard edited.status == 0 else { return lock.withLock { log.unexpected.append("edit: \(edited)") } }
            lock.withLock { log.created[log.created.count - 1].note = note }
        }
        lock.withLock { log.created.append(Created(id: id, title: title)) }
        let synced = try replica.run(["sync", "--server", server.address])
        lock.withLock {
            log.syncs += 1
            if synced.status == 69 { log.cut += 1 } else if synced.status != 0 { log.unexpected.append("sync: \(synced)") }
        }
    }

    /// Stops after the round under way and returns what was done.
    @discardableResult
    func stop() -> Log {
        let first = lock.withLock {
            defer { stopping = true }
            return !stopping
        }
        if first { finished.wait() }
        return lock.withLock { log }
    }
}
