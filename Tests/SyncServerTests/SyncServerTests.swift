import Domain
import Foundation
import NIOCore
import Storage
import SyncProtocol
import Testing

/// The real server over loopback sockets: the good path and every bad input of the server
/// issue. After each bad input, the test checks that the connection got an `error` with its
/// code and was closed, that the store is unchanged, and that the server still serves others.
@Suite(.serialized) struct SyncServerTests {
    func change(_ local: Int64, _ field: String, _ value: FieldValue, id: RecordID) -> WireChange {
        WireChange(PushedChange(localSeq: local, change: FieldChange(entity: "commitments", id: id, field: field, value: value,
                                                                     hlc: HLCTimestamp(wallMillis: 1_752_130_800_000, counter: 0)),
                                baseSeq: 0, aliveBaseSeq: 0))
    }

    /// A `changes` message as `TestClient` received it, read by the client's decoder.
    func decodeChanges(_ message: [String: Any]) throws -> ChangesMessage {
        try MessageCoding.decode(ChangesMessage.self, from: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: message)), as: "changes")
    }

    /// Expects an `error` with `code` and then a close.
    func expectRefusal(_ client: TestClient, _ code: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let answer = try await client.receive()
        #expect(answer?["type"] as? String == "error", sourceLocation: sourceLocation)
        #expect(answer?["code"] as? String == code, "\(String(describing: answer))", sourceLocation: sourceLocation)
        #expect(await client.isClosed(), sourceLocation: sourceLocation)
    }

    /// A good client still gets served: hello and an empty-or-not pull.
    func expectServing(_ server: TestServer, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let client = try server.connect()
        let hello = try await client.hello(token: try server.token(.reader))
        #expect(hello?["type"] as? String == "hello", sourceLocation: sourceLocation)
        try client.send(PullMessage(cursor: 0))
        var type: String?
        repeat { type = try await client.receive()?["type"] as? String } while type == "changes"
        #expect(type == "pull_end", sourceLocation: sourceLocation)
    }

    @Test("the server hello leaves out the identity a protocol 2 or 3 client named, and says it to a clone and to protocol 1")
    func helloIdentityByProtocol() async throws {
        let server = try await TestServer.start()
        let identity = try server.store.identity()
        let token = try server.token(.editor)
        for (version, named, echoed) in [(3, identity, false), (3, nil, true), (2, identity, false), (2, nil, true), (1, identity, true),
                                         (1, nil, true)] as [(Int, String?, Bool)] {
            let client = try server.connect()
            let hello = try #require(try await client.hello(token: token, serverIdentity: named, protocolVersion: version))
            #expect(hello["type"] as? String == "hello")
            #expect(hello["protocol"] as? Int == version, "protocol \(version)")
            #expect((hello["server_identity"] as? String) == (echoed ? identity : nil), "protocol \(version), named \(named ?? "none")")
        }
        try await expectServing(server)
        try await server.stop()
    }

    @Test("a pull answers protocol 1 and 2 with keyed rows, 3 with positional ones: the same fields and versions")
    func changesLayoutByProtocol() async throws {
        let server = try await TestServer.start()
        try server.store.importSample()
        var pulled: [Int: [PulledRow]] = [:]
        for version in 1...3 {
            let client = try server.connect()
            try await client.hello(token: try server.token(.reader), protocolVersion: version)
            try client.send(PullMessage(cursor: 0, limit: 100))
            while let message = try await client.receive(), message["type"] as? String == "changes" {
                let changes = try decodeChanges(message)
                #expect(changes.layout == ChangesMessage.Layout(protocolVersion: version))
                #expect((message["writers"] != nil) == (version == 3))
                pulled[version, default: []] += changes.rows.map(\.pulled)
            }
        }
        #expect(Set(pulled[3]?.map(\.id) ?? []).count == 36) // the sample's rows (a row may span batches)
        #expect(pulled[1] == pulled[3] && pulled[2] == pulled[3])
        try await server.stop()
    }

    @Test("a protocol 3 pull leaves out what the push before it on the connection acknowledged; other connections get it all")
    func pullLeavesOutAcknowledged() async throws {
        let server = try await TestServer.start()
        let id = RecordID.generate()
        let fields: [(String, FieldValue)] = [("title", .text("£17m")), ("party", .text("United Kingdom")), ("notes", .text("n"))]
        var received: [Int: [(rows: [PulledRow], cursor: Int64)]] = [:]
        for version in [3, 2] {
            let client = try server.connect()
            try await client.hello(token: try server.token(.editor), replicaID: "replica-\(version)", protocolVersion: version)
            let id = version == 3 ? id : RecordID.generate()
            try client.send(PushMessage(changes: fields.enumerated().map { change(Int64($0.offset + 1), $0.element.0, $0.element.1, id: id) }))
            #expect(try await client.receive()?["type"] as? String == "push_ack")
            // One field a batch: the batches of held fields come empty, and still move the cursor.
            try client.send(PullMessage(cursor: try server.store.lastSeq() - 4, limit: 1))
            while let message = try await client.receive(), message["type"] as? String == "changes" {
                let changes = try decodeChanges(message)
                received[version, default: []].append((changes.rows.map(\.pulled), changes.cursor))
            }
        }
        // Protocol 3: three held fields left out, `deleted` (the alive assertion) sent.
        let three = try #require(received[3])
        #expect(three.map(\.cursor) == [1, 2, 3, 4])
        #expect(three.flatMap(\.rows).map { Set($0.fields.keys) } == [["deleted"]])
        // Protocol 2: every field of its push.
        #expect(Set(try #require(received[2]).flatMap(\.rows).flatMap(\.fields.keys)) == ["title", "party", "notes", "deleted"])
        // Another connection of the same replica holds nothing from this one's acknowledgements.
        let again = try server.connect()
        try await again.hello(token: try server.token(.editor), replicaID: "replica-3")
        try again.send(PullMessage(cursor: 0))
        var fieldsAgain = Set<String>()
        while let message = try await again.receive(), message["type"] as? String == "changes" {
            let changes = try decodeChanges(message)
            for row in changes.rows where row.id == id { fieldsAgain.formUnion(row.pulled.fields.keys) }
        }
        #expect(fieldsAgain == ["title", "party", "notes", "deleted"])
        try await server.stop()
    }

    @Test("first sync: hello with deflate, a pull of the sample in batches, a push acknowledged with sequences")
    func firstSync() async throws {
        let server = try await TestServer.start()
        try server.store.importSample()
        let client = try server.connect()
        let hello = try #require(try await client.hello(token: try server.token(.editor)))
        #expect(hello["compression"] as? String == "deflate")
        #expect(hello["server_identity"] as? String == (try server.store.identity()))
        #expect(hello["role"] as? String == "editor")
        try client.send(PullMessage(cursor: 0, limit: 100))
        var rows = Set<String>()
        var cursor = 0
        while let message = try await client.receive(), message["type"] as? String == "changes" {
            for row in message["rows"] as? [[String: Any]] ?? [] { rows.insert(row["id"] as? String ?? "") }
            cursor = message["cursor"] as? Int ?? cursor
        }
        #expect(rows.count == 36)
        #expect(Int64(cursor) == (try server.store.lastSeq()))
        let id = RecordID.generate()
        try client.send(PushMessage(changes: [change(1, "title", .text("New"), id: id), change(2, "party", .text("UK"), id: id)]))
        let ack = try #require(try await client.receive())
        #expect(ack["type"] as? String == "push_ack")
        let results = ack["results"] as? [[String: Any]] ?? []
        #expect(results.map { $0["outcome"] as? String } == ["accepted", "accepted"])
        #expect((results.first?["seq"] as? Int ?? 0) > cursor)
        try await server.stop()
    }

    @Test("a wrong or missing token is refused and pulls nothing")
    func badToken() async throws {
        let server = try await TestServer.start()
        let client = try server.connect()
        #expect(try await client.hello(token: "acc_not-a-token")?["code"] as? String == "unauthorized")
        #expect(await client.isClosed())
        let revoked = try server.token(.editor, name: "gone")
        try server.store.revokeToken(name: "gone")
        let second = try server.connect()
        #expect(try await second.hello(token: revoked)?["code"] as? String == "unauthorized")
        try await expectServing(server)
        try await server.stop()
    }

    @Test("a hello that is not JSON, not UTF-8, without a token, of another protocol, or for another server is refused")
    func badHellos() async throws {
        let server = try await TestServer.start()
        let notJSON = try server.connect()
        notJSON.send(raw: "GET / HTTP/1.1\r\n")
        try await expectRefusal(notJSON, "bad-hello")
        let binary = try server.connect()
        binary.send(raw: [0xFF, 0xFE, 0x00, 0xC3, 0x28, 0x0A])
        try await expectRefusal(binary, "bad-hello")
        let noToken = try server.connect()
        noToken.send(raw: #"{"type":"hello","protocol":1,"schema":1,"replica_id":"r","analyst":"a","compression":["none"]}"# + "\n")
        try await expectRefusal(noToken, "bad-hello")
        let future = try server.connect()
        #expect(try await future.hello(token: try server.token(.editor), protocolVersion: 99)?["code"] as? String == "unsupported-protocol")
        let elsewhere = try server.connect()
        #expect(try await elsewhere.hello(token: try server.token(.editor), serverIdentity: "another")?["code"] as? String == "wrong-server")
        let noCompression = try server.connect()
        #expect(try await noCompression.hello(token: try server.token(.editor), compression: ["brotli"])?["code"] as? String == "bad-hello")
        try await expectServing(server)
        try await server.stop()
    }

    @Test("after the hello: bad JSON, unknown types, wrong field types and a second hello are refused")
    func badRequests() async throws {
        let server = try await TestServer.start()
        let token = try server.token(.editor)
        let cases: [(String, String)] = [
            ("this is not json\n", "bad-json"),
            ("{\"type\":\"dance\"}\n", "unknown-type"),
            ("{\"type\":\"push\",\"changes\":\"all of them\"}\n", "bad-message"),
            ("{\"type\":\"push\",\"changes\":[{\"local_seq\":\"one\"}]}\n", "bad-message"),
            ("{\"type\":\"pull\",\"cursor\":-5}\n", "bad-message"),
            ("{\"type\":\"hello\",\"protocol\":1}\n", "bad-message"),
        ]
        for (line, code) in cases {
            let client = try server.connect()
            try await client.hello(token: token, compression: ["none"])
            client.send(raw: line)
            try await expectRefusal(client, code)
        }
        #expect(try server.store.lastSeq() == 0)
        try await expectServing(server)
        try await server.stop()
    }

    @Test("a push that breaks a rule, or holds too many changes, is refused and changes nothing")
    func badPushes() async throws {
        var limits = ProtocolLimits()
        limits.maxBatchChanges = 3
        let server = try await TestServer.start(limits: limits)
        let editor = try server.token(.editor)
        let invalid = try server.connect()
        try await invalid.hello(token: editor)
        let id = RecordID.generate()
        try invalid.send(PushMessage(changes: [change(1, "title", .text("ok"), id: id), change(2, "amount", .text("-5"), id: id)]))
        try await expectRefusal(invalid, "bad-message")
        let tooMany = try server.connect()
        try await tooMany.hello(token: editor)
        try tooMany.send(PushMessage(changes: (1...4).map { change(Int64($0), "title", .text("t"), id: id) }))
        try await expectRefusal(tooMany, "batch-too-large")
        #expect(try server.store.lastSeq() == 0)
        try await server.stop()
    }

    @Test("protocol 4 leaves the current version out of an accepted change's result, 3 keeps it; both keep it for the others")
    func acceptedResultsWithoutCurrent() async throws {
        let server = try await TestServer.start()
        let id = RecordID.generate()
        for version in [3, 4] {
            let client = try server.connect()
            try await client.hello(token: try server.token(.editor), replicaID: "replica-\(version)", protocolVersion: version)
            // A new title (accepted), then the same title again from another replica (equal).
            try client.send(PushMessage(changes: [change(1, "title", .text("Fund"), id: id)]))
            let ack = try #require(try await client.receive())
            let result = try #require((ack["results"] as? [[String: Any]])?.first)
            #expect(result["outcome"] as? String == (version == 3 ? "accepted" : "equal"), "\(result)")
            if version == 3 {
                #expect(result["current"] != nil && result["seq"] as? Int == 1, "\(result)")
            } else {
                // Equal: the current version is replica 3's, which this replica cannot know.
                #expect((result["current"] as? [String: Any])?["replica_id"] as? String == "replica-3", "\(result)")
            }
            // A field no one wrote yet (accepted).
            try client.send(PushMessage(changes: [change(2, version == 3 ? "party" : "beneficiary", .text("UK"), id: id)]))
            let accepted = try #require(try await client.receive())
            let answer = try #require((accepted["results"] as? [[String: Any]])?.first)
            #expect(answer["outcome"] as? String == "accepted" && answer["seq"] is Int, "\(answer)")
            #expect((answer["current"] != nil) == (version == 3), "\(answer)")
        }
        try await server.stop()
    }

    @Test("a push refused while the next one is on its way: the error arrives whole, the next push is not applied")
    func refusedWithNextPushInFlight() async throws {
        let server = try await TestServer.start()
        let client = try server.connect()
        try await client.hello(token: try server.token(.editor), compression: ["none"])
        let id = RecordID.generate()
        let refused = try MessageCoding.line(PushMessage(changes: [change(1, "colour", .text("green"), id: id)]))
        // The next push, 3 MB of it: still arriving when the server refuses the first, so
        // closing without reading it would make TCP reset the connection (PROTOCOL §2).
        let notes = String(repeating: "n", count: 3_000)
        let next = try MessageCoding.line(PushMessage(changes: (2...1000).map { change(Int64($0), "notes", .text(notes), id: id) }))
        #expect(next.readableBytes > 3_000_000)
        // On a thread of its own: the send blocks until the server has taken the 3 MB.
        let bytes = Array(refused.readableBytesView) + Array(next.readableBytesView)
        try await offPool { client.send(raw: bytes) }
        let answer = try await client.receive()
        #expect(answer?["type"] as? String == "error" && answer?["code"] as? String == "bad-message", "\(String(describing: answer))")
        #expect(await client.isClosed())
        #expect(try server.store.lastSeq() == 0)
        try await expectServing(server)
        try await server.stop()
    }

    @Test("a reader's push is refused with forbidden and changes nothing")
    func readerPush() async throws {
        let server = try await TestServer.start()
        let client = try server.connect()
        try await client.hello(token: try server.token(.reader))
        try client.send(PushMessage(changes: [change(1, "title", .text("t"), id: RecordID.generate())]))
        try await expectRefusal(client, "forbidden")
        #expect(try server.store.lastSeq() == 0)
        try await server.stop()
    }

    @Test("a line over the limit, and a line that never ends, are refused before they end")
    func longLines() async throws {
        var limits = ProtocolLimits()
        limits.maxLineBytes = 4096
        let server = try await TestServer.start(limits: limits)
        let long = try server.connect()
        long.send(raw: String(repeating: "x", count: 5000) + "\n")
        try await expectRefusal(long, "line-too-long")
        let endless = try server.connect()
        try await endless.hello(token: try server.token(.editor))
        for _ in 0..<3 { try endless.send(stream: String(repeating: "y", count: 2000)) }
        try await expectRefusal(endless, "line-too-long")
        try await expectServing(server)
        try await server.stop()
    }

    @Test("a corrupt deflate stream and a deflate bomb are refused")
    func badStreams() async throws {
        let server = try await TestServer.start()
        let token = try server.token(.editor)
        let corrupt = try server.connect()
        try await corrupt.hello(token: token)
        corrupt.send(raw: [0xFF, 0xFF, 0xFF, 0xFF, 0x13, 0x37, 0x00, 0x42])
        try await expectRefusal(corrupt, "bad-compression")
        let bomb = try server.connect()
        try await bomb.hello(token: token)
        let zeros = ByteBuffer(repeating: UInt8(ascii: "0"), count: 32 * 1024 * 1024)
        bomb.send(raw: Array(try DeflateWriter().compress(zeros).readableBytesView))
        try await expectRefusal(bomb, "inflate-ratio")
        try await expectServing(server)
        try await server.stop()
    }

    @Test("a pull of large values comes in batches that stay well inside the line limit")
    func largeValuesSplitBatches() async throws {
        var limits = ProtocolLimits()
        limits.maxLineBytes = 64 * 1024
        let server = try await TestServer.start(limits: limits)
        let quote = String(repeating: "東南アジア", count: 600) // 3000 characters, 9000 bytes
        let writer = try server.connect()
        try await writer.hello(token: try server.token(.editor))
        let rows = (0..<40).map { _ in RecordID.generate() }
        for start in stride(from: 0, to: rows.count, by: 5) { // five per push keeps each push line under the limit
            try writer.send(PushMessage(changes: (start..<start + 5).map { change(Int64($0 + 1), "source_quote", .text(quote), id: rows[$0]) }))
            #expect(try await writer.receive()?["type"] as? String == "push_ack")
        }
        // This client refuses any line over 16 KiB: the server must cut its batches to fit.
        var strict = ProtocolLimits()
        strict.maxLineBytes = 16 * 1024
        let reader = try server.connect(limits: strict)
        try await reader.hello(token: try server.token(.reader))
        try reader.send(PullMessage(cursor: 0, limit: 1000))
        var quotes = 0, batches = 0
        // Protocol 3's rows name their fields by column (PROTOCOL.md §5.4).
        let column = try #require(WireColumns.byEntity["commitments"]?.firstIndex(of: "source_quote"))
        while let message = try await reader.receive(), message["type"] as? String == "changes" {
            batches += 1
            for row in message["rows"] as? [[String: Any]] ?? [] where (row["fields"] as? [Int])?.contains(column) == true { quotes += 1 }
        }
        #expect(quotes == 40)
        #expect(batches > 1)
        try await server.stop()
    }

    @Test("a silent connection is closed with idle-timeout")
    func idleTimeout() async throws {
        var limits = ProtocolLimits()
        limits.idleSeconds = 1
        let server = try await TestServer.start(limits: limits)
        let silent = try server.connect()
        try await silent.hello(token: try server.token(.editor))
        try await expectRefusal(silent, "idle-timeout")
        try await server.stop()
    }

    @Test("hundreds of idle connections: those over the limit are refused, and the server serves again once they go")
    func manyIdleConnections() async throws {
        var limits = ProtocolLimits()
        limits.maxConnections = 200
        let server = try await TestServer.start(limits: limits)
        let token = try server.token(.reader)
        var idle: [TestClient] = []
        for _ in 0..<200 {
            let client = try server.connect()
            // A hello answered means the server has admitted the connection.
            #expect(try await client.hello(token: token, compression: ["none"])?["type"] as? String == "hello")
            idle.append(client)
        }
        let extra = try server.connect()
        try await expectRefusal(extra, "too-many-connections")
        idle.removeAll()
        // The server notices the closes on its own time: poll, bounded, until it admits again.
        var served = false
        for _ in 0..<50 where !served {
            let client = try server.connect()
            served = try await client.hello(token: token, compression: ["none"])?["type"] as? String == "hello"
            if !served { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(served)
        try await server.stop()
    }

    @Test("a graceful shutdown closes open connections and returns")
    func gracefulShutdown() async throws {
        let server = try await TestServer.start()
        let client = try server.connect()
        try await client.hello(token: try server.token(.editor))
        try await server.stop()
        #expect(await client.isClosed())
    }
}
