import Foundation
import Testing
import TestSupport

/// PENDING for the lead (issue 5): three gaps of the server's connection task that the load
/// tests found, in `Sources/SyncServer/ConnectionHandler.swift` (and the idle handler in
/// `SyncServer.swift`), which this branch does not touch. Each test states the behaviour that
/// should hold and wraps that expectation in `withKnownIssue`, so the suite passes today; once a
/// gap is fixed its known issue is no longer recorded, the test fails, and the wrapper should go.
/// The fixes proposed are in the report (and in short on each test).
///
/// 1. The idle timer counts from the last byte received, whatever the server is doing, and its
///    event reaches the task only where it reads: a task blocked writing to a peer that stopped
///    reading never sees it (the slot is held until the peer goes away)...
/// 2. ...and a task that took longer than the idle time to answer sees it as soon as it reads
///    again (the next request is answered `idle-timeout`). Fix for both: run the idle clock only
///    while the task waits for a request, and give writes their own deadline (no write progress
///    for the idle time: close).
/// 3. A pull streams until it finds nothing newer, so while others keep pushing it never ends.
///    Fix: read the store's last sequence when the pull begins and stream up to it.
@Suite struct PendingServerFixTests {
    @Test("a client that asks for a pull and then stops reading is closed after the idle time, freeing its slot")
    func stalledReader() throws {
        let (directory, server, token) = try serverWithLargePull(options: ["--max-connections", "1", "--idle-seconds", "2"])
        defer { withExtendedLifetime(directory) {} }
        // The request goes with the hello, so a slow hello cannot make it late for the idle timer.
        var stalled: LineSocket? = try connect(server, receiveBuffer: 4096)
        stalled?.send(LoadClient.hello(token, replica: "stalled") + "{\"type\":\"pull\",\"cursor\":0,\"limit\":1000}\n")
        #expect(stalled?.receive().isHello == true)
        // More than twice the idle time without reading a byte.
        Thread.sleep(forTimeInterval: 5)
        let next = try LineSocket(port: server.port, timeout: 10)
        next.send(LoadClient.hello(token, replica: "next"))
        let answer = next.receive()
        withKnownIssue("a connection blocked writing to a peer that stopped reading is never timed out, so it keeps its slot") {
            #expect(answer.isHello, "\(answer)")
        }
        // Once the stalled client goes away, its slot is free again.
        stalled = nil
        let after = try connect(server)
        after.send(LoadClient.hello(token, replica: "after"))
        #expect(after.receive().isHello)
        #expect(server.stop() == 0)
    }

    @Test("a request sent after a long answer that the client kept reading is answered, not cut as idle")
    func slowAnswer() throws {
        let (directory, server, token) = try serverWithLargePull(options: ["--idle-seconds", "1"])
        defer { withExtendedLifetime(directory) {} }
        // The request goes with the hello, so a slow hello cannot make it late for the idle timer.
        let client = try LineSocket(port: server.port, timeout: 10, receiveBuffer: 65536)
        client.send(LoadClient.hello(token, replica: "slow") + "{\"type\":\"pull\",\"cursor\":0,\"limit\":1000}\n")
        #expect(client.receive().isHello)
        // About 10 MB, read steadily at some 2 MB/s: the server writes for seconds, never stalled.
        var lines = 0
        while true {
            let received = client.receive()
            lines += 1
            Thread.sleep(forTimeInterval: 0.4)
            if received.type == "pull_end" { break }
            guard received.type == "changes", lines < 100 else {
                Issue.record("during the pull, after \(lines) lines: \(received); server running: \(server.isRunning)\n\(server.log.suffix(3000))")
                return
            }
        }
        client.send("{\"type\":\"pull\",\"cursor\":0,\"limit\":1}\n")
        let answer = client.receive()
        withKnownIssue("the idle timer runs while the server answers, so the next request is refused as idle") {
            #expect(answer.type == "changes", "\(answer)")
        }
        #expect(server.stop() == 0)
    }

    @Test("a pull ends at the last change made before it began, while others keep pushing")
    func pullEndsWhileOthersPush() throws {
        let directory = try TemporaryDirectory()
        let db = directory.file("server.db")
        _ = try Executables.run("accord-server", ["import", "--sample", "--db", db])
        let token = try Executables.run("accord-server", ["token", "add", "busy", "--role", "editor", "--db", db]).stdout
            .trimmingCharacters(in: .newlines)
        let server = try ServerProcess(db: db, in: directory.path)
        // Eight writers: each batch of the pull waits its turn behind their pushes.
        let writer = BusyWriter(port: server.port, token: token, connections: 8)
        defer { writer.stop() }
        #expect(writer.waitForPushes(16) != nil)
        let reader = try LineSocket(port: server.port, timeout: 30)
        reader.send(LoadClient.hello(token, replica: "reader"))
        #expect(reader.receive().isHello)
        let known = writer.highestAcknowledged
        // Batches of 100 fields, while each round of the eight writers adds 600: the pull cannot
        // catch up. Pushes in flight, and pushes queued before the pull is read, may land between
        // the last one acknowledged and the start of the pull: a margin of 40 pushes (75 fields
        // each). Past it, the pull is streaming what was pushed after it began.
        reader.send("{\"type\":\"pull\",\"cursor\":0,\"limit\":100}\n")
        let bound = known + 40 * 75
        var end: Int64?
        var cursor: Int64 = 0
        while end == nil, cursor <= bound {
            let received = reader.receive()
            guard case .line(let line) = received,
                  let message = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let at = (message["cursor"] as? NSNumber)?.int64Value else {
                Issue.record("during the pull: \(received)")
                return
            }
            cursor = at
            if message["type"] as? String == "pull_end" { end = at }
        }
        withKnownIssue("a pull streams until nothing is newer, so it follows the pushes made after it began") {
            #expect(end != nil && cursor <= bound, "the pull passed seq \(cursor); \(known) was known when it began")
        }
    }

    /// A server holding about 10 MB to pull (more than the socket buffers hold), made cheaply:
    /// each pulled field carries its writer's replica id and analyst, here 2,000 characters each.
    func serverWithLargePull(options: [String]) throws -> (TemporaryDirectory, ServerProcess, String) {
        let directory = try TemporaryDirectory()
        let db = directory.file("server.db")
        _ = try Executables.run("accord-server", ["import", "--sample", "--db", db])
        let token = try Executables.run("accord-server", ["token", "add", "slow", "--role", "editor", "--db", db]).stdout
            .trimmingCharacters(in: .newlines)
        let server = try ServerProcess(db: db, in: directory.path, options: options)
        let long = String(repeating: "w", count: 2000)
        for batch in 0..<2 {
            let hlc = Int64(Date().timeIntervalSince1970 * 1000) << 16
            let changes = (batch * 600..<(batch + 1) * 600).map { index in
                "{\"local_seq\":\(index + 1),\"entity\":\"commitments\",\"id\":\"01990000-0000-7000-9000-\(String(format: "%012d", index))\","
                    + "\"field\":\"title\",\"value\":\"Large \(index)\",\"base\":0,\"hlc\":\(hlc)}"
            }
            // The push goes with the hello (the idle timer is short here).
            let pusher = try connect(server)
            pusher.send(LoadClient.hello(token, replica: long).replacingOccurrences(of: "\"load\"", with: "\"\(long)\"")
                        + "{\"type\":\"push\",\"changes\":[\(changes.joined(separator: ","))]}\n")
            #expect(pusher.receive().isHello)
            #expect(pusher.receive().type == "push_ack")
        }
        return (directory, server, token)
    }

    /// A connection the server has admitted (with one slot, the last one may take a moment to free).
    func connect(_ server: ServerProcess, receiveBuffer: Int? = nil) throws -> LineSocket {
        let deadline = Date().addingTimeInterval(10)
        while true {
            let socket = try LineSocket(port: server.port, timeout: 10, receiveBuffer: receiveBuffer)
            // A refusal comes at once, before any hello; an admitted connection hears nothing.
            socket.timeout(seconds: 0.3)
            let first = socket.receive()
            socket.timeout(seconds: 10)
            if first == .timedOut { return socket }
            if Date() > deadline { throw LineSocket.Failure(description: "no free slot: \(first)") }
            Thread.sleep(forTimeInterval: 0.1)
        }
    }
}

/// Pushes 50 changes (25 new rows) at a time on each of `connections` connections, as fast as
/// the server takes them, until stopped; remembers the highest sequence acknowledged.
///
/// `@unchecked Sendable`: the fields are guarded by `lock`.
final class BusyWriter: @unchecked Sendable {
    private let lock = NSLock()
    private var highest: Int64 = 0
    private var pushes = 0
    private var stopping = false
    private let finished = DispatchGroup()

    init(port: Int, token: String, connections: Int) {
        for writer in 0..<connections {
            finished.enter()
            Thread { [self] in
                defer { finished.leave() }
                guard let socket = try? LineSocket(port: port, timeout: 30) else { return }
                socket.send(LoadClient.hello(token, replica: "busy-writer-\(writer)"))
                guard socket.receive().isHello else { return }
                var push = 0
                // Ten seconds at most, whatever happens to the test.
                let deadline = Date().addingTimeInterval(10)
                while !lock.withLock({ stopping }), Date() < deadline {
                    let hlc = Int64(Date().timeIntervalSince1970 * 1000) << 16
                    let changes = (0..<50).map { index in
                        let row = String(format: "01990000-0000-7000-a%03d-%012d", writer, push * 25 + index / 2)
                        return "{\"local_seq\":\(push * 50 + index + 1),\"entity\":\"commitments\",\"id\":\"\(row)\","
                            + "\"field\":\"\(index % 2 == 0 ? "title" : "party")\",\"value\":\"Busy\",\"base\":0,\"hlc\":\(hlc)}"
                    }
                    guard socket.send("{\"type\":\"push\",\"changes\":[\(changes.joined(separator: ","))]}\n"),
                          case .line(let line) = socket.receive(),
                          let ack = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                          let results = ack["results"] as? [[String: Any]] else { break }
                    let seqs = results.compactMap { ($0["seq"] as? NSNumber)?.int64Value }
                    lock.withLock {
                        highest = max(highest, seqs.max() ?? 0)
                        pushes += 1
                    }
                    push += 1
                }
            }.start()
        }
    }

    var highestAcknowledged: Int64 { lock.withLock { highest } }

    /// The highest sequence acknowledged once `count` pushes went through; nil if they did not.
    func waitForPushes(_ count: Int) -> Int64? {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if let seq = lock.withLock({ pushes >= count ? highest : nil }) { return seq }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return nil
    }

    func stop() {
        lock.withLock { stopping = true }
        finished.wait()
    }
}
