import Foundation
import Testing
import TestSupport

/// The server's connection limits under a misbehaving or a busy world, against the real
/// `accord-server` (regression tests for three gaps the load tests found):
/// 1. a peer that stops reading an answer is disconnected after the idle time, freeing its slot
///    (it used to keep it until it went away: the idle clock reached a task only where it read);
/// 2. the time the server spends answering is not idle time (a long pull read steadily used to
///    make the next request `idle-timeout`);
/// 3. a pull ends at the last change made before it began (it used to follow the pushes made
///    while it streamed, and never end while others kept pushing).
@Suite struct ConnectionLimitTests {
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
        #expect(answer.isHello, "\(answer)")
        // Once the stalled client goes away, its slot is free again.
        stalled = nil
        let after = try connect(server)
        after.send(LoadClient.hello(token, replica: "after"))
        #expect(after.receive().isHello)
        #expect(server.stop() == 0)
    }

    @Test("a request sent after a long answer that the client kept reading is answered, not cut as idle")
    func slowAnswer() throws {
        let (directory, server, token) = try serverWithLargePull(options: ["--idle-seconds", "2"])
        defer { withExtendedLifetime(directory) {} }
        // The request goes with the hello, so a slow hello cannot make it late for the idle timer.
        let client = try LineSocket(port: server.port, timeout: 10, receiveBuffer: 65536)
        client.send(LoadClient.hello(token, replica: "slow") + "{\"type\":\"pull\",\"cursor\":0,\"limit\":1000}\n")
        #expect(client.receive().isHello)
        // About 10 MB in 1 MB lines, read with a pause of 0.4 s after each: the server answers
        // for several times the idle limit, never stalled for long. The next request goes as
        // soon as the answer's end is read (within a second of the server's last write).
        var lines = 0
        while true {
            let received = client.receive()
            lines += 1
            let type = received.type
            if type == "pull_end" { break }
            guard type == "changes", lines < 100 else {
                Issue.record("during the pull, after \(lines) lines: \(received); server running: \(server.isRunning)\n\(server.log.suffix(3000))")
                return
            }
            Thread.sleep(forTimeInterval: 0.4)
        }
        client.send("{\"type\":\"pull\",\"cursor\":0,\"limit\":1}\n")
        let answer = client.receive()
        #expect(answer.type == "changes", "\(answer)")
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
        #expect(end != nil && cursor <= bound, "the pull passed seq \(cursor); \(known) was known when it began")
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
