import Foundation
import NIOCore

extension FuzzEntryPoints {
    /// Bytes as one line (Protocol/PROTOCOL.md §5): decoded as the message types its `type` names
    /// and one more, as a request, and by a server state machine before and after the hellos.
    /// Anything that decodes must encode to one line that decodes to an equal value and encodes
    /// to the same bytes again; a refusal carries the code §5.5 gives it, and a machine's action
    /// keeps the limits.
    public static func messageDecoding(_ input: UnsafeRawBufferPointer) {
        let line = ByteBuffer(bytes: input)
        var type: String?
        let typeError = attempt { type = try MessageCoding.type(of: line) }
        check(typeError == nil || typeError?.code == .badJSON, "reading the type threw \(typeError!)")
        // Every message has a `type`: a line without one decodes as none, and the rest is faster.
        guard let type else {
            check((try? MessageCoding.decode(ErrorMessage.self, from: line, as: "error")) == nil, "a message without a type decodes")
            requestLine(line, type: nil)
            return
        }

        // The decoders do not look at the value of `type`: each line also tries one other.
        let decoders = messageDecoders.filter { $0.type == type } + [messageDecoders[input.count % messageDecoders.count]]
        for decoder in decoders { decoder.reencodes(line) }

        var request: ClientRequest?
        let requestError = attempt { request = try MessageCoding.request(from: line) }
        switch request {
        case .push(let push):
            check(type == "push", "a \(type) line read as a push")
            reencode(push)
        case .pull(let pull):
            check(type == "pull", "a \(type) line read as a pull")
            reencode(pull)
        case nil:
            let code = requestError?.code
            check(code == .badJSON || code == .badMessage || code == .unknownType, "a request refused with \(String(describing: requestError))")
        }

        if type == "hello" { firstLine(line) }
        requestLine(line, type: type)
    }

    /// Each message type with its `type`.
    private static let messageDecoders: [(type: String, reencodes: @Sendable (ByteBuffer) -> Void)] = [
        ("hello", { reencodes(ClientHello.self, from: $0) }),
        ("hello", { reencodes(ServerHello.self, from: $0) }),
        ("push", { reencodes(PushMessage.self, from: $0) }),
        ("push_ack", { reencodes(PushAckMessage.self, from: $0) }),
        ("pull", { reencodes(PullMessage.self, from: $0) }),
        ("changes", { reencodes(ChangesMessage.self, from: $0) }),
        ("pull_end", { reencodes(PullEndMessage.self, from: $0) }),
        ("error", { reencodes(ErrorMessage.self, from: $0) }),
    ]

    /// A fresh server connection taking `line` as its first.
    private static func firstLine(_ line: ByteBuffer) {
        var machine = ServerConnectionStateMachine(serverIdentity: "srv")
        switch machine.lineReceived(line) {
        case .authenticate(let hello):
            check(ProtocolVersion.supported.contains(hello.protocolVersion) && hello.schema == ProtocolVersion.schema,
                  "a hello of another protocol or schema is authenticated")
            check(!hello.replicaID.isEmpty && !hello.analyst.isEmpty, "a hello without replica or analyst is authenticated")
            guard case .authenticating = machine.state else { fatalError("fuzz invariant broken: authenticating in \(machine.state)") }
            // The server identity is checked after the token (a revoked token hears `unauthorized`
            // whatever server its replica knew): a hello for another server fails only now.
            let forAnotherServer = hello.serverIdentity != nil && hello.serverIdentity != "srv"
            let answer = machine.authenticated(role: "editor", canPush: true)
            if case .fail(let error) = answer {
                check(forAnotherServer && error.code == .wrongServer, "an authenticated hello refused with \(error)")
                check(machine.state == .closed, "a hello for another server leaves the connection open")
                return
            }
            guard case .sendHello(let serverHello, let session) = answer else {
                fatalError("fuzz invariant broken: an authenticated hello is not answered")
            }
            check(!forAnotherServer, "a hello for another server is answered")
            check(hello.compression.contains(session.compression.rawValue), "a compression the client did not offer")
            check(serverHello.compression == session.compression, "the hello and the session disagree on compression")
            check(serverHello.protocolVersion == hello.protocolVersion, "the server hello answers another protocol")
            check((serverHello.serverIdentity ?? hello.serverIdentity) == "srv", "the server hello leaves its identity unknown")
            reencode(serverHello)
        case .fail(let error):
            check(machine.state == .closed, "a refused hello leaves the connection open")
            check([.badHello, .unsupportedProtocol, .schemaMismatch, .wrongServer].contains(error.code), "a first line refused with \(error)")
        case let action:
            fatalError("fuzz invariant broken: a first line asks for \(action)")
        }
    }

    /// A connection after the hellos taking `line` as a request.
    private static func requestLine(_ line: ByteBuffer, type: String?) {
        var machine = readyMachine
        let limits = ProtocolLimits()
        switch machine.lineReceived(line) {
        case .applyPush(let push, _):
            check(type == "push", "a \(type ?? "nil") line applied as a push")
            check(push.changes.count <= limits.maxBatchChanges, "a push of \(push.changes.count) changes is applied")
        case .streamPull(let pull, _):
            check(type == "pull", "a \(type ?? "nil") line streamed as a pull")
            check(pull.cursor >= 0 && (1...limits.maxPullBatch).contains(pull.limit ?? 0), "a pull streamed with \(pull)")
        case .fail(let error):
            check(machine.state == .closed, "a refused request leaves the connection open")
            check(error.code != .internal, "a request line fails as internal: \(error)")
        case let action:
            fatalError("fuzz invariant broken: a request asks for \(action)")
        }
    }

    /// A server connection after a good hello from an editor.
    private static let readyMachine: ServerConnectionStateMachine = {
        var machine = ServerConnectionStateMachine(serverIdentity: "srv")
        do {
            let hello = ClientHello(token: "t", replicaID: "r", analyst: "alice", serverIdentity: nil)
            _ = machine.lineReceived(try MessageCoding.line(hello))
        } catch {
            fatalError("a hello does not encode: \(error)")
        }
        _ = machine.authenticated(role: "editor", canPush: true)
        return machine
    }()

    /// When `line` decodes as `M`, the value survives encoding.
    private static func reencodes<M: Codable & Hashable>(_ type: M.Type, from line: ByteBuffer) {
        let message = try? MessageCoding.decode(M.self, from: line, as: "fuzzed")
        if M.self is any ReadableMessage.Type, !isPositional(message) {
            // JSONReader may refuse more than JSONDecoder, never read a message differently.
            let viaDecoder = try? JSONDecoder().decode(M.self, from: Data(line.readableBytesView))
            check(message == nil || message == viaDecoder, "JSONReader and JSONDecoder read a \(M.self) differently")
        }
        guard let message else { return }
        reencode(message)
    }

    /// Protocol 3's `changes` rows, which only `JSONReader` reads and `JSONWriter` writes.
    private static func isPositional(_ message: Any?) -> Bool {
        (message as? ChangesMessage)?.layout == .positional
    }

    /// `message` encodes to one line that decodes to an equal value and encodes to the same bytes.
    private static func reencode<M: Codable & Hashable>(_ message: M) {
        let encoded: ByteBuffer
        do { encoded = try MessageCoding.line(message) } catch {
            fatalError("fuzz invariant broken: a decoded \(M.self) does not encode: \(error)")
        }
        if message is any WritableMessage, !isPositional(message) {
            // JSONWriter writes what JSONEncoder writes, byte for byte.
            check((try? MessageCoding.encoderLine(message)) == encoded, "JSONWriter and JSONEncoder write a \(M.self) differently")
        }
        let bytes = Array(encoded.readableBytesView)
        check(bytes.last == UInt8(ascii: "\n") && !bytes.dropLast().contains(UInt8(ascii: "\n")),
              "a \(M.self) encodes to more than one line")
        let decoded: M
        do { decoded = try MessageCoding.decode(M.self, from: ByteBuffer(bytes: bytes.dropLast()), as: "encoded") } catch {
            fatalError("fuzz invariant broken: an encoded \(M.self) does not decode: \(error)")
        }
        check(decoded == message && decoded.hashValue == message.hashValue, "a \(M.self) changes when encoded and decoded")
        let again = try? MessageCoding.line(decoded)
        check(again == encoded, "a \(M.self) encodes to other bytes the second time")
    }
}
