import Domain
import Logging
import NIOCore
import NIOPosix
import Storage
import SyncProtocol

/// Serves one connection: reads lines, asks the state machine what to do, does it. A bad
/// connection ends with an `error` message and a close; nothing it sends reaches another
/// connection or changes the store unless it is a valid push.
struct ConnectionHandler {
    let store: ServerStore
    let identity: String
    let limits: ProtocolLimits
    let registry: ConnectionRegistry
    let logger: Logger

    func serve(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>) async {
        var logger = self.logger
        logger[metadataKey: "connection.peer"] = "\(connection.channel.remoteAddress?.description ?? "?")"
        guard registry.admit(connection.channel, limit: limits.maxConnections) else {
            logger.info("refused: too many connections")
            try? await connection.executeThenClose { _, outbound in
                try await outbound.write(MessageCoding.line(ErrorMessage(code: ProtocolError.Code.tooManyConnections.description,
                                                                         message: "the server is serving its limit of connections")))
            }
            return
        }
        defer { registry.remove(connection.channel) }
        logger.debug("connected")
        do {
            try await connection.executeThenClose { inbound, outbound in
                var session = ServerSession(store: store, identity: identity, limits: limits, logger: logger, outbound: outbound)
                // The idle limit counts only while the task waits for a request (ConnectionClock).
                let channel = connection.channel
                var closing: Scheduled<Void>?
                defer { closing?.cancel() }
                do {
                    for try await bytes in inbound {
                        // After an error: what the client sent before it read the error.
                        if closing != nil { continue }
                        channel.triggerUserOutboundEvent(ConnectionClock.Event.answering, promise: nil)
                        if try await !session.received(bytes) {
                            closing = Self.closeAfterError(channel, outbound)
                            continue
                        }
                        channel.triggerUserOutboundEvent(ConnectionClock.Event.awaitingRequest, promise: nil)
                    }
                } catch is ConnectionClock.IdleTimeout {
                    try await session.idleTimeout()
                }
            }
        } catch {
            logger.debug("connection ended with an error", metadata: ["error": "\(String(describing: error))"])
        }
        logger.debug("disconnected")
    }

    /// The longest a connection drains after its `error` (PROTOCOL §2).
    static let drainLimit = TimeAmount.seconds(2)

    /// Ends a connection after its `error` (already written): closes the server's side once the
    /// error has gone out, then reads and drops whatever comes until the client closes, or for
    /// `drainLimit` at most. A client may have sent its next push before it read the error
    /// (protocol 4), and closing with those bytes unread would make TCP answer with a reset,
    /// which can destroy the error before the client reads it.
    static func closeAfterError(_ channel: any Channel, _ outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>) -> Scheduled<Void> {
        outbound.finish()
        return channel.eventLoop.scheduleTask(in: drainLimit) { channel.close(promise: nil) }
    }
}

/// Where a session's answers go: the connection's writer, or a simulation's in-memory pipe.
public protocol SessionOutbound: Sendable {
    func write(_ bytes: ByteBuffer) async throws
}

extension NIOAsyncChannelOutboundWriter: SessionOutbound where OutboundOut == ByteBuffer {}

/// One connection's server side, bytes in and bytes out: the state machine, the store and the
/// framing. The server runs one per TCP connection; a simulation drives it without sockets.
public struct ServerSession<Outbound: SessionOutbound> {
    let store: ServerStore
    /// The most bytes of one `changes` line: a quarter of the line limit.
    var maxBatchBytes: Int { limits.maxLineBytes / 4 }
    let limits: ProtocolLimits
    var logger: Logger
    var machine: ServerConnectionStateMachine
    var reader: LineReader
    var writer: LineWriter
    let outbound: Outbound
    let storeCalls: StoreCalls
    /// What this connection's acknowledgements told a protocol 3 client, which its pulls leave out.
    var acknowledged = AcknowledgedWrites()

    /// Where the session makes its store calls (SQLite, which blocks).
    public enum StoreCalls: Sendable {
        /// On NIO's thread pool, not on Swift's cooperative pool, whose few threads every
        /// connection's task shares: what a server does.
        case threadPool
        /// In the calling task: a simulation driving one session at a time, where hopping
        /// threads would cost more than the call.
        case inline
    }

    public init(store: ServerStore, identity: String, limits: ProtocolLimits, logger: Logger, outbound: Outbound,
                storeCalls: StoreCalls = .threadPool) {
        self.store = store
        self.storeCalls = storeCalls
        self.limits = limits
        self.logger = logger
        self.machine = ServerConnectionStateMachine(serverIdentity: identity, limits: limits)
        self.reader = LineReader(limits: limits)
        self.writer = LineWriter()
        self.outbound = outbound
    }

    /// Handles the bytes; false when the connection must close.
    public mutating func received(_ bytes: ByteBuffer) async throws -> Bool {
        do {
            try reader.feed(bytes)
            while let line = try reader.nextLine() {
                if try await !perform(machine.lineReceived(line)) { return false }
            }
        } catch let error as ProtocolError {
            return try await perform(machine.readFailed(error))
        }
        return true
    }

    /// Nothing received for the idle time: sends the error; the connection must close.
    public mutating func idleTimeout() async throws {
        _ = try await perform(machine.idleTimeout())
    }

    /// Performs an action; false when the connection must close.
    mutating func perform(_ action: ServerConnectionStateMachine.Action) async throws -> Bool {
        switch action {
        case .authenticate(let hello):
            let next: ServerConnectionStateMachine.Action
            let store = self.store, token = hello.token, replica = hello.replicaID
            if let (name, role) = try await offPool({ try store.authenticate(token: token) }) {
                logger[metadataKey: "connection.token"] = "\(name)"
                logger[metadataKey: "connection.replica"] = "\(hello.replicaID)"
                let highWater = try await offPool { try store.highWater(of: replica) }
                next = machine.authenticated(role: role.rawValue, canPush: role.canPush, highWater: highWater)
            } else {
                logger.info("refused: bad token")
                next = machine.authenticationFailed()
            }
            return try await perform(next)
        case .sendHello(let hello, let session):
            try await outbound.write(writer.encode(hello))
            if session.compression == .deflate {
                try writer.startDeflating()
                try reader.startInflating()
            }
            logger.info("hello", metadata: ["connection.compression": "\(session.compression.rawValue)", "connection.role": "\(session.role)"])
            return true
        case .applyPush(let push, let session):
            let results: [PushResult]
            do {
                let changes = push.changes.map(\.pushed)
                let pusher = ServerStore.Pusher(replicaID: session.replicaID, analyst: session.analyst)
                let store = self.store
                results = try await offPool { try store.applyPush(changes, from: pusher) }
            } catch let error as StoreError {
                return try await perform(machine.readFailed(ProtocolError(.badMessage, error.message)))
            }
            if session.protocolVersion >= 3 { acknowledged.record(results) }
            let conflicts = results.filter { $0.outcome == .conflict }.count
            logger.info("push", metadata: ["push.changes": "\(results.count)", "push.conflicts": "\(conflicts)"])
            // Protocol 4 leaves out the `current` of an accepted change: it is the change as pushed (§5.3).
            let answered = results.map { result in
                var wire = WireResult(result)
                if session.protocolVersion >= 4 && result.outcome == .accepted { wire.current = nil }
                return wire
            }
            try await outbound.write(writer.encode(PushAckMessage(results: answered)))
            return true
        case .streamPull(let pull, let session):
            let layout = ChangesMessage.Layout(protocolVersion: session.protocolVersion)
            var cursor = pull.cursor
            var sent = 0
            let requested = pull.limit ?? PullMessage.defaultLimit
            var limit = requested
            let store = self.store
            // The pull streams what was written before it began: while others keep pushing,
            // a pull that followed them would never end. What comes later is the next pull's.
            let end = try await offPool { try store.lastSeq() }
            while true {
                let from = cursor, fields = limit
                let batch = try await offPool { try store.pull(after: from, through: end, limit: fields) }
                if batch.rows.isEmpty { break }
                // A batch whose every field the client holds still goes, empty: it moves the cursor.
                let rows = acknowledged.filter(batch.rows, replicaID: session.replicaID)
                let line = try MessageCoding.line(ChangesMessage(rows: rows.map(WireRow.init), cursor: batch.cursor, layout: layout))
                // A batch stays well inside the peer's line limit, however large its values:
                // halve it until it fits (one field always does; fields are bounded).
                if line.readableBytes > maxBatchBytes && fields > 1 {
                    limit = max(1, fields / 2)
                    continue
                }
                // Each write waits while the socket is not writable: a slow reader slows the
                // pull instead of filling the server's memory.
                try await outbound.write(writer.encode(bytes: line))
                sent += rows.count
                cursor = batch.cursor
                limit = min(requested, limit * 2)
            }
            try await outbound.write(writer.encode(PullEndMessage(cursor: cursor)))
            logger.info("pull", metadata: ["pull.from": "\(pull.cursor)", "pull.to": "\(cursor)", "pull.rows": "\(sent)"])
            return true
        case .fail(let error):
            logger.info("refused", metadata: ["error.code": "\(error.code)"])
            try? await outbound.write(writer.encode(ErrorMessage(code: error.code.description, message: error.message)))
            return false
        }
    }
}

extension ServerSession {
    /// Runs a store call where `storeCalls` says.
    func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        switch storeCalls {
        case .threadPool: try await NIOThreadPool.singleton.runIfActive(body)
        case .inline: try body()
        }
    }
}
