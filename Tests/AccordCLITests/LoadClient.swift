import Foundation
import Domain
import TestSupport

/// What the load's connections did and saw, gathered from their threads.
///
/// `@unchecked Sendable`: every field is guarded by `lock`.
final class LoadLog: @unchecked Sendable {
    private let lock = NSLock()
    private var cycleCounts: [String: Int] = [:]
    private var failureList: [String] = []
    private var open = 0
    private var peak = 0

    func opened() { lock.withLock { open += 1; peak = max(peak, open) } }
    func closed() { lock.withLock { open -= 1 } }
    func done(_ role: LoadRole) { lock.withLock { cycleCounts[role.name, default: 0] += 1 } }
    func fail(_ role: LoadRole, _ message: String) { lock.withLock { failureList.append("\(role.name): \(message)") } }

    var cycles: [String: Int] { lock.withLock { cycleCounts } }
    var failures: [String] { lock.withLock { failureList } }
    var peakOpen: Int { lock.withLock { peak } }

    private let gate = NSCondition()
    private var arrived = 0

    /// Holds a connection until `total` have arrived (or `timeout` passed): the load's
    /// connections start their first cycle together, all open at once, so the peak is the whole
    /// load whatever the timing (it once depended on how fast the server answered).
    func arriveAndWait(total: Int, timeout: TimeInterval) {
        gate.lock()
        defer { gate.unlock() }
        arrived += 1
        if arrived >= total {
            gate.broadcast()
            return
        }
        let limit = Date().addingTimeInterval(timeout)
        while arrived < total, gate.wait(until: limit) {}
    }
}

/// What one of the load's connections does, over and over until the deadline.
enum LoadRole {
    /// hello, pull from its cursor (now and then from 0) to pull_end, close.
    case puller
    /// hello, push a new row and an edit of a sample row, read the ack, pull, close.
    case pusher
    /// hello, then silence until the server's idle timeout closes it.
    case silentAfterHello
    /// connects and sends nothing at all.
    case silent
    /// something no client should send; the server must answer `error` and close.
    case garbage

    var name: String { "\(self)" }
}

/// One of the load's connections, on a thread of its own, speaking plain newline-JSON.
struct LoadClient {
    struct Failure: Error { var message: String }

    let port: Int
    let token: String
    let index: Int
    let role: LoadRole
    let idleSeconds: Double
    let log: LoadLog
    var cursor: Int64 = 0
    var localSeq: Int64 = 0
    var sampleBase: Int64 = 0
    var cycle = 0
    var random: SeededRandom

    /// A client that starts pulling from `cursor` (one already in sync), or from 0 (a clone).
    init(port: Int, token: String, index: Int, role: LoadRole, idleSeconds: Double, cursor: Int64 = 0, log: LoadLog) {
        self.port = port
        self.cursor = cursor
        self.token = token
        self.index = index
        self.role = role
        self.idleSeconds = idleSeconds
        self.log = log
        random = SeededRandom(seed: UInt64(index + 1))
    }

    /// One cycle, then more until `deadline`. With `together`, the first cycle waits, connected,
    /// until that many connections are (`LoadLog.arriveAndWait`).
    mutating func run(until deadline: Date, together: Int? = nil) {
        var gate = together
        repeat {
            do {
                let connection = Result { try LineSocket(port: port, timeout: 60, maxLineBytes: 4 << 20) }
                let connectedAt = Date()
                if case .success = connection { log.opened() }
                defer { if case .success = connection { log.closed() } }
                if let total = gate {
                    log.arriveAndWait(total: total, timeout: 20)
                    gate = nil
                }
                let socket = try connection.get()
                switch role {
                case .puller: try pull(socket, hello: true)
                case .pusher: try push(socket)
                case .silentAfterHello: try idle(socket, hello: true, connectedAt: connectedAt)
                case .silent: try idle(socket, hello: false, connectedAt: connectedAt)
                case .garbage: try garbage(socket, kind: (index + cycle) % Garbage.allCases.count)
                }
                log.done(role)
            } catch let failure as Failure {
                log.fail(role, failure.message)
            } catch {
                log.fail(role, "\(error)")
            }
            cycle += 1
            Thread.sleep(forTimeInterval: Double.random(in: role == .garbage ? 0.1...0.5 : 0.02...0.2, using: &random))
        } while Date() < deadline
    }

    static func hello(_ token: String, replica: String, compression: [String] = ["none"]) -> String {
        let offered = compression.map { "\"\($0)\"" }.joined(separator: ",")
        return "{\"type\":\"hello\",\"protocol\":1,\"schema\":1,\"token\":\"\(token)\",\"replica_id\":\"\(replica)\","
            + "\"analyst\":\"load\",\"server_identity\":null,\"compression\":[\(offered)]}\n"
    }

    /// The next line as a JSON object.
    func receive(_ socket: LineSocket, _ what: String) throws -> [String: Any] {
        let received = socket.receive()
        guard case .line(let line) = received,
              let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw Failure(message: "\(what): \(received)")
        }
        return object
    }

    func sayHello(_ socket: LineSocket, replica: String) throws {
        guard socket.send(Self.hello(token, replica: replica)) else { throw Failure(message: "hello not sent") }
        let answer = try receive(socket, "hello")
        guard answer["type"] as? String == "hello", answer["compression"] as? String == "none" else {
            throw Failure(message: "hello answered \(answer)")
        }
    }

    mutating func pull(_ socket: LineSocket, hello: Bool) throws {
        if hello { try sayHello(socket, replica: "load-puller-\(index)") }
        // Now and then a clone: a pull from 0 of everything.
        if Int.random(in: 0..<20, using: &random) == 0 { cursor = 0 }
        let from = cursor, limit = [100, 500, 1000].randomElement(using: &random)!
        socket.send("{\"type\":\"pull\",\"cursor\":\(from),\"limit\":\(limit)}\n")
        var last = from, fields = 0
        while true {
            let message = try receive(socket, "pull from \(from)")
            switch message["type"] as? String {
            case "changes":
                let batch = (message["rows"] as? [[String: Any]] ?? []).reduce(0) { $0 + (($1["fields"] as? [String: Any])?.count ?? 0) }
                guard let next = (message["cursor"] as? NSNumber)?.int64Value, next > last, batch > 0, batch <= limit else {
                    throw Failure(message: "bad batch after \(last): \(batch) fields, cursor \(String(describing: message["cursor"]))")
                }
                last = next
                fields += batch
            case "pull_end":
                guard (message["cursor"] as? NSNumber)?.int64Value == last else { throw Failure(message: "pull_end \(message) after \(last)") }
                // The sample alone is 388 fields. Pushers rewrite the note of 32 sample rows and
                // restamp their liveness (PROTOCOL §6.2), and a field rewritten while a pull
                // streams moves past that pull's end (§5.4): a pull from 0 brings at least 388 − 64.
                guard from > 0 || fields >= 388 - 2 * 32 else { throw Failure(message: "a pull from 0 brought \(fields) fields") }
                cursor = last
                return
            default:
                throw Failure(message: "during a pull: \(message)")
            }
        }
    }

    mutating func push(_ socket: LineSocket) throws {
        try sayHello(socket, replica: "load-pusher-\(index)")
        let hlc = (Int64(Date().timeIntervalSince1970 * 1000) << 16) + Int64(cycle)
        let row = String(format: "01990000-0000-7000-8%03d-%012d", index, cycle)
        let sample = String(format: "01980c%02d-5eed-7000-8000-0000000000%02d", index % 32 + 1, index % 32 + 1)
        let first = localSeq + 1
        localSeq += 3
        let changes = [
            (first, row, "title", "\"load row \(index)/\(cycle)\"", Int64(0)),
            (first + 1, row, "party", "\"Load\"", Int64(0)),
            (first + 2, sample, "notes", "\"pusher \(index), cycle \(cycle)\"", sampleBase),
        ].map { seq, id, field, value, base in
            "{\"local_seq\":\(seq),\"entity\":\"commitments\",\"id\":\"\(id)\",\"field\":\"\(field)\",\"value\":\(value),\"base\":\(base),\"alive_base\":0,\"hlc\":\(hlc)}"
        }
        socket.send("{\"type\":\"push\",\"changes\":[\(changes.joined(separator: ","))]}\n")
        let ack = try receive(socket, "push ack")
        let results = ack["results"] as? [[String: Any]] ?? []
        let outcomes = results.map { $0["outcome"] as? String ?? "?" }
        let seqs = results.map { ($0["local_seq"] as? NSNumber)?.int64Value ?? 0 }
        // The new row's fields are new: accepted. The sample row's note races other pushers'.
        guard ack["type"] as? String == "push_ack", seqs == [first, first + 1, first + 2],
              outcomes[0] == "accepted", outcomes[1] == "accepted", ["accepted", "equal", "conflict"].contains(outcomes[2]) else {
            throw Failure(message: "push answered \(ack)")
        }
        sampleBase = ((results[2]["current"] as? [String: Any])?["seq"] as? NSNumber)?.int64Value ?? 0
        try pull(socket, hello: false)
    }

    /// The server's idle clock starts at the connection, and again once it has answered the hello.
    func idle(_ socket: LineSocket, hello: Bool, connectedAt: Date) throws {
        let start = hello ? Date() : connectedAt
        if hello { try sayHello(socket, replica: "load-idle-\(index)") }
        let error = try receive(socket, "waiting for the idle timeout")
        let waited = Date().timeIntervalSince(start)
        guard error["type"] as? String == "error", error["code"] as? String == "idle-timeout", waited > idleSeconds - 0.5 else {
            throw Failure(message: "after \(waited) s of silence: \(error)")
        }
        guard socket.receive() == .closed else { throw Failure(message: "not closed after idle-timeout") }
    }
}
