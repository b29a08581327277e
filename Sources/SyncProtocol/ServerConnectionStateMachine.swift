import NIOCore

/// The server side of one connection's protocol rules, with no socket and no store: each event
/// returns the action the handler performs (Protocol/PROTOCOL.md §2 and §5).
public struct ServerConnectionStateMachine: Sendable {
    /// An authenticated connection.
    public struct Session: Sendable, Hashable {
        public var replicaID: String
        public var analyst: String
        public var role: String
        public var canPush: Bool
        public var compression: Compression
        /// The protocol of the client's hello, which the server answers in.
        public var protocolVersion: Int
    }

    public enum State: Sendable, Hashable {
        case awaitingHello
        case authenticating(ClientHello, Compression)
        case ready(Session)
        case closed
    }

    public enum Action: Sendable, Hashable {
        /// Check the hello's token, then call `authenticated` or `authenticationFailed`.
        case authenticate(ClientHello)
        /// Send the hello; from the next byte on, both directions use `compression`.
        case sendHello(ServerHello, Session)
        case applyPush(PushMessage, Session)
        case streamPull(PullMessage, Session)
        /// Send an `error` message and close.
        case fail(ProtocolError)
    }

    public private(set) var state: State = .awaitingHello
    let serverIdentity: String
    let limits: ProtocolLimits

    public init(serverIdentity: String, limits: ProtocolLimits = ProtocolLimits()) {
        self.serverIdentity = serverIdentity
        self.limits = limits
    }

    public mutating func lineReceived(_ line: ByteBuffer) -> Action {
        switch state {
        case .awaitingHello:
            return helloReceived(line)
        case .authenticating:
            return fail(ProtocolError(.badMessage, "a request arrived before the server's hello"))
        case .ready(let session):
            do {
                switch try MessageCoding.request(from: line) {
                case .push(let push):
                    guard session.canPush else {
                        return fail(ProtocolError(.forbidden, "a \(session.role) token may pull but not push"))
                    }
                    guard push.changes.count <= limits.maxBatchChanges else {
                        return fail(ProtocolError(.batchTooLarge, "a push holds \(push.changes.count) changes; the limit is \(limits.maxBatchChanges)"))
                    }
                    return .applyPush(push, session)
                case .pull(var pull):
                    guard pull.cursor >= 0, (pull.limit ?? 1) > 0 else {
                        return fail(ProtocolError(.badMessage, "a pull needs a cursor of 0 or more and a positive limit"))
                    }
                    pull.limit = min(pull.limit ?? PullMessage.defaultLimit, limits.maxPullBatch)
                    return .streamPull(pull, session)
                }
            } catch let error as ProtocolError {
                return fail(error)
            } catch {
                return fail(ProtocolError(.internal, "the request could not be read"))
            }
        case .closed:
            return fail(ProtocolError(.badMessage, "the connection is closed"))
        }
    }

    private mutating func helloReceived(_ line: ByteBuffer) -> Action {
        guard (try? MessageCoding.type(of: line)) == "hello",
              let hello = try? MessageCoding.decode(ClientHello.self, from: line, as: "hello") else {
            return fail(ProtocolError(.badHello, "the first line must be a hello with protocol, schema, token, replica_id, analyst and compression"))
        }
        guard ProtocolVersion.supported.contains(hello.protocolVersion) else {
            let supported = ProtocolVersion.supported.map(String.init).joined(separator: " or ")
            return fail(ProtocolError(.unsupportedProtocol, "this server speaks protocol \(supported), not \(hello.protocolVersion)"))
        }
        guard hello.schema == ProtocolVersion.schema else {
            return fail(ProtocolError(.schemaMismatch, "this server holds schema \(ProtocolVersion.schema), not \(hello.schema)"))
        }
        guard let compression = hello.compression.lazy.compactMap(Compression.init(rawValue:)).first else {
            return fail(ProtocolError(.badHello, "the hello offers no compression this server speaks (deflate, none)"))
        }
        guard !hello.replicaID.isEmpty, !hello.analyst.isEmpty else {
            return fail(ProtocolError(.badHello, "the hello needs a replica_id and an analyst"))
        }
        state = .authenticating(hello, compression)
        return .authenticate(hello)
    }

    /// The token is good, with this role; `highWater` is what the store has applied from the replica.
    public mutating func authenticated(role: String, canPush: Bool, highWater: Int64 = 0) -> Action {
        guard case .authenticating(let hello, let compression) = state else {
            return fail(ProtocolError(.internal, "authenticated outside the hello"))
        }
        // Checked after the token, so that a revoked token hears `unauthorized` whatever
        // server its replica knew.
        if let identity = hello.serverIdentity, identity != serverIdentity {
            return fail(ProtocolError(.wrongServer, "this replica last synced with another server store; re-clone to sync with this one"))
        }
        let session = Session(replicaID: hello.replicaID, analyst: hello.analyst, role: role, canPush: canPush, compression: compression,
                              protocolVersion: hello.protocolVersion)
        state = .ready(session)
        // Protocols 2 and 3 leave out the identity the client just named (§5.2): it is the same.
        let identity = hello.protocolVersion >= 2 && hello.serverIdentity == serverIdentity ? nil : serverIdentity
        return .sendHello(ServerHello(serverIdentity: identity, role: role, compression: compression, limits: limits.announced,
                                      highWater: highWater, protocolVersion: hello.protocolVersion), session)
    }

    public mutating func authenticationFailed() -> Action {
        fail(ProtocolError(.unauthorized, "the token is unknown or revoked"))
    }

    /// Nothing received for `limits.idleSeconds`.
    public mutating func idleTimeout() -> Action {
        fail(ProtocolError(.idleTimeout, "nothing received for \(limits.idleSeconds) seconds"))
    }

    /// A framing or compression error from the `LineReader`.
    public mutating func readFailed(_ error: ProtocolError) -> Action {
        fail(error)
    }

    private mutating func fail(_ error: ProtocolError) -> Action {
        state = .closed
        return .fail(error)
    }
}
