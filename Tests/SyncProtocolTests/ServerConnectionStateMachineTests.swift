import NIOCore
import Testing
@testable import SyncProtocol

@Suite struct ServerConnectionStateMachineTests {
    func line(_ message: some Encodable) throws -> ByteBuffer {
        var buffer = try MessageCoding.line(message)
        buffer.moveWriterIndex(to: buffer.writerIndex - 1) // without its newline, as the framer gives it
        return buffer
    }

    func hello(serverIdentity: String? = nil, compression: [String] = ["deflate", "none"]) -> ClientHello {
        ClientHello(token: "t", replicaID: "r", analyst: "alice", serverIdentity: serverIdentity, compression: compression)
    }

    @Test("hello, authentication, then requests: each step asks for the right action")
    func goodPath() throws {
        var machine = ServerConnectionStateMachine(serverIdentity: "srv")
        #expect(machine.lineReceived(try line(hello())) == .authenticate(hello()))
        guard case .sendHello(let serverHello, let session) = machine.authenticated(role: "editor", canPush: true) else {
            Issue.record("expected sendHello")
            return
        }
        #expect(serverHello.compression == .deflate && serverHello.serverIdentity == "srv" && session.analyst == "alice")
        guard case .applyPush = machine.lineReceived(try line(PushMessage(changes: []))) else {
            Issue.record("expected applyPush")
            return
        }
        guard case .streamPull(let pull, _) = machine.lineReceived(try line(PullMessage(cursor: 3, limit: 1_000_000))) else {
            Issue.record("expected streamPull")
            return
        }
        #expect(pull.limit == ProtocolLimits().maxPullBatch)
        guard case .streamPull(let unnamed, _) = machine.lineReceived(try line(PullMessage(cursor: 3))) else {
            Issue.record("expected streamPull")
            return
        }
        #expect(unnamed.limit == PullMessage.defaultLimit)
    }

    @Test("the first compression offered that the server speaks is chosen")
    func compressionChoice() throws {
        var machine = ServerConnectionStateMachine(serverIdentity: "srv")
        _ = machine.lineReceived(try line(hello(compression: ["zstd", "none", "deflate"])))
        guard case .sendHello(let serverHello, _) = machine.authenticated(role: "reader", canPush: false) else {
            Issue.record("expected sendHello")
            return
        }
        #expect(serverHello.compression == Compression.none)
    }

    @Test("refusals close the connection with the right code", arguments: [
        ("not json", "bad-hello"),
        (#"{"type":"pull","cursor":0}"#, "bad-hello"),
    ])
    func refusedFirstLines(text: String, code: String) {
        var machine = ServerConnectionStateMachine(serverIdentity: "srv")
        guard case .fail(let error) = machine.lineReceived(ByteBuffer(string: text)) else {
            Issue.record("expected fail")
            return
        }
        #expect(error.code.description == code)
        #expect(machine.state == .closed)
    }

    @Test("a wrong server identity (after the token), a bad token and a reader's push are refused")
    func refusals() throws {
        var other = ServerConnectionStateMachine(serverIdentity: "srv")
        guard case .authenticate = other.lineReceived(try line(hello(serverIdentity: "old"))) else { Issue.record("expected authenticate"); return }
        #expect(other.authenticated(role: "editor", canPush: true) == .fail(ProtocolError(.wrongServer, "this replica last synced with another server store; re-clone to sync with this one")))
        var revoked = ServerConnectionStateMachine(serverIdentity: "srv")
        _ = revoked.lineReceived(try line(hello(serverIdentity: "old")))
        guard case .fail(let revokedError) = revoked.authenticationFailed() else { Issue.record("expected fail"); return }
        #expect(revokedError.code == .unauthorized)
        var badToken = ServerConnectionStateMachine(serverIdentity: "srv")
        _ = badToken.lineReceived(try line(hello()))
        guard case .fail(let error) = badToken.authenticationFailed() else { Issue.record("expected fail"); return }
        #expect(error.code == .unauthorized)
        var reader = ServerConnectionStateMachine(serverIdentity: "srv")
        _ = reader.lineReceived(try line(hello()))
        _ = reader.authenticated(role: "reader", canPush: false)
        guard case .fail(let forbidden) = reader.lineReceived(try line(PushMessage(changes: []))) else { Issue.record("expected fail"); return }
        #expect(forbidden.code == .forbidden)
    }

    @Test("a request before the server's hello, and anything after a failure, is refused")
    func outOfOrder() throws {
        var machine = ServerConnectionStateMachine(serverIdentity: "srv")
        _ = machine.lineReceived(try line(hello()))
        guard case .fail(let early) = machine.lineReceived(try line(PullMessage(cursor: 0))) else { Issue.record("expected fail"); return }
        #expect(early.code == .badMessage)
        guard case .fail = machine.lineReceived(try line(PullMessage(cursor: 0))) else { Issue.record("expected fail"); return }
        #expect(machine.idleTimeout() == .fail(ProtocolError(.idleTimeout, "nothing received for 60 seconds")))
    }
}
