import Domain
import Logging
import NIOCore
import Storage
import SyncProtocol
import SyncClient
import SyncServer
import Testing

/// The engine's push keeps two batches in flight (protocol 4, PROTOCOL.md §5.3), over the real
/// server session with no socket: the order of what it sends and reads shows it.
@Suite struct PipelinedPushTests {
    /// A SimulatedLink that notes the type of every message that goes either way.
    struct RecordingLink: SyncTransport {
        var link: SimulatedLink
        var events: [String] = []

        mutating func send(_ bytes: ByteBuffer) async throws {
            events.append("send " + Self.type(of: bytes))
            try await link.send(bytes)
        }

        mutating func receive() async throws -> ByteBuffer? {
            let bytes = try await link.receive()
            if let bytes { events.append("receive " + Self.type(of: bytes)) }
            return bytes
        }

        /// The message's type: the lines are uncompressed (compression none).
        static func type(of bytes: ByteBuffer) -> String {
            let text = String(buffer: bytes)
            guard let range = text.range(of: #""type":""#) else { return "?" }
            return String(text[range.upperBound...].prefix { $0 != "\"" })
        }
    }

    func sync(_ replica: ReplicaStore, _ server: ServerStore, token: String, pushBatch: Int) async throws -> (SyncSummary, [String]) {
        let answers = AnswerQueue()
        let session = ServerSession(store: server, identity: try server.identity(), limits: ProtocolLimits(),
                                    logger: Logger(label: "test"), outbound: answers, storeCalls: .inline)
        var link = RecordingLink(link: SimulatedLink(server: session, answers: answers, faults: LinkFaults()))
        var configuration = SyncConfiguration()
        configuration.pushBatch = pushBatch
        configuration.compression = [.none]
        let summary = try await SyncEngine.sync(replica, over: &link, server: "test", token: token, configuration: configuration)
        return (summary, link.events.filter { !$0.hasSuffix(" changes") })
    }

    @Test("a push of three batches sends the second before the first is acknowledged; every change lands once, with its version")
    func twoInFlight() async throws {
        let server = try ServerStore.inMemory()
        let token = try server.addToken(name: "alice", role: .editor)
        let alice = try ReplicaStore.inMemory(analyst: "alice")
        let ids = try ["one", "two", "three"].map { title in
            try alice.insert(EntitySchema.commitments, values: ["title": .text(title), "party": .text("UK")])
        }
        let pending = try alice.status().pendingChanges
        let (summary, events) = try await sync(alice, server, token: token, pushBatch: (pending + 2) / 3)
        #expect(summary.pushed == pending)
        #expect(events == ["send hello", "receive hello", "send push", "send push", "receive push_ack", "send push",
                           "receive push_ack", "receive push_ack", "send pull", "receive pull_end"])
        #expect(try alice.status().pendingChanges == 0)
        // The server holds each change once, and a second replica gets the three rows.
        let bob = try ReplicaStore.inMemory(analyst: "bob")
        let (cloned, _) = try await sync(bob, server, token: token, pushBatch: 500)
        #expect(cloned.pushed == 0)
        #expect(try bob.digest() == (try alice.digest()))
        #expect(try bob.list(EntitySchema.commitments).count == 3)
        // Alice's fields took their versions from acknowledgements that leave out an accepted
        // change's `current` (protocol 4): the same versions the clone got from the server.
        for id in ids {
            let versions = try alice.versions(EntitySchema.commitments, id: id)
            #expect(versions["title"]?.serverSeq != nil && versions["title"]?.pending == false)
            #expect(versions == (try bob.versions(EntitySchema.commitments, id: id)))
        }
    }
}
