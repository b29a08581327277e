import Domain
import Logging
import NIOCore
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
                var session = Session(store: store, logger: logger, machine: ServerConnectionStateMachine(serverIdentity: identity, limits: limits),
                                      reader: LineReader(limits: limits), writer: LineWriter(), outbound: outbound)
                do {
                    for try await bytes in inbound {
                        if try await !session.received(bytes) { return }
                    }
                } catch is IdleToErrorHandler.IdleTimeout {
                    let action = session.machine.idleTimeout()
                    _ = try await session.perform(action)
                }
            }
        } catch {
            logger.debug("connection ended with an error", metadata: ["error": "\(String(describing: error))"])
        }
        logger.debug("disconnected")
    }
}

/// One connection's state as the task serving it sees it.
struct Session {
    let store: ServerStore
    var logger: Logger
    var machine: ServerConnectionStateMachine
    var reader: LineReader
    var writer: LineWriter
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>

    /// Handles the bytes; false when the connection must close.
    mutating func received(_ bytes: ByteBuffer) async throws -> Bool {
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

    /// Performs an action; false when the connection must close.
    mutating func perform(_ action: ServerConnectionStateMachine.Action) async throws -> Bool {
        switch action {
        case .authenticate(let hello):
            let next: ServerConnectionStateMachine.Action
            if let (name, role) = try store.authenticate(token: hello.token) {
                logger[metadataKey: "connection.token"] = "\(name)"
                logger[metadataKey: "connection.replica"] = "\(hello.replicaID)"
                next = machine.authenticated(role: role.rawValue, canPush: role.canPush)
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
                results = try store.applyPush(push.changes.map(\.pushed), from: .init(replicaID: session.replicaID, analyst: session.analyst))
            } catch let error as StoreError {
                return try await perform(machine.readFailed(ProtocolError(.badMessage, error.message)))
            }
            let conflicts = results.filter { $0.outcome == .conflict }.count
            logger.info("push", metadata: ["push.changes": "\(results.count)", "push.conflicts": "\(conflicts)"])
            try await outbound.write(writer.encode(PushAckMessage(results: results.map(WireResult.init))))
            return true
        case .streamPull(let pull, _):
            var cursor = pull.cursor
            var sent = 0
            while true {
                let batch = try store.pull(after: cursor, limit: pull.limit ?? 1000)
                if batch.rows.isEmpty { break }
                // Each write waits while the socket is not writable: a slow reader slows the
                // pull instead of filling the server's memory.
                try await outbound.write(writer.encode(ChangesMessage(rows: batch.rows.map(WireRow.init), cursor: batch.cursor)))
                sent += batch.rows.count
                cursor = batch.cursor
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
