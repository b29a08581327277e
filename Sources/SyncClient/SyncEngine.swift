import Domain
import Foundation
import NIOCore
import NIOPosix
import Storage
import SyncProtocol

/// Where and how to sync; the CLI fills it from flags and the replica.
public struct SyncConfiguration: Sendable {
    /// HOST:PORT; nil takes the replica's.
    public var server: String?
    /// nil takes the replica's.
    public var token: String?
    /// Start over from cursor 0 with whatever server answers (after a server was replaced).
    public var reclone = false
    /// Changes per push (the server's limit caps it, 1000 when it announces none).
    public var pushBatch = 5000
    /// Push batches sent and not yet acknowledged, at most: 1 or 2 (protocol 4 allows two; an
    /// older server gets one at a time).
    public var pushesInFlight = 2
    /// Fields per pull batch (the server's limit caps it).
    public var pullBatch = 5000
    public var connectTimeoutSeconds: Int64 = 5
    /// Gives up on a server that sends nothing for this long while an answer is due (a network
    /// that drops everything without a reset would otherwise hang the sync for good). The server
    /// answers at once and streams with back-pressure, so a long silence means it is gone.
    public var readTimeoutSeconds: Int64 = 120
    /// The compressions offered, best first; the server picks the first it speaks.
    public var compression: [Compression] = [.deflate, .none]

    public init() {}
}

/// What happened during a sync, as it happens.
public enum SyncEvent: Sendable, Hashable {
    case connected(server: String, compression: String)
    case pushed(changes: Int, conflicts: Int)
    case pulled(fields: Int)
}

/// What a sync did.
public struct SyncSummary: Sendable, Hashable {
    public var pushed = 0
    public var conflicts = 0
    public var pulled = 0
    /// Pulled fields left alone because a local edit of them waits.
    public var skipped = 0
    /// Local edits not pushed because the token may only pull.
    public var notPushed = 0
}

/// The client side of sync: connect, hello, push the outbox in batches, pull from the cursor,
/// each step one transaction of the replica, so a sync cut at any point leaves a replica that
/// opens and a next sync that finishes the job without duplicating or losing anything.
public enum SyncEngine {
    public static func sync(
        _ store: ReplicaStore, configuration: SyncConfiguration,
        progress: @escaping @Sendable (SyncEvent) -> Void = { _ in }
    ) async throws -> SyncSummary {
        if configuration.reclone { try store.prepareReclone() }
        let identity = try store.identity()
        guard let server = configuration.server ?? identity.server else {
            throw SyncClientError(.notConfigured, "no server: give --server HOST:PORT (or set it with accord init --server)")
        }
        guard let token = configuration.token ?? identity.token else {
            throw SyncClientError(.notConfigured, "no token: give --token T (or set it with accord init --token)")
        }
        guard let colon = server.lastIndex(of: ":"), let port = Int(server[server.index(after: colon)...]) else {
            throw SyncClientError(.notConfigured, "the server must be HOST:PORT, not \(server)")
        }
        let host = String(server[..<colon])
        do {
            return try await connectAndSync(store, host: host, port: port, server: server, token: token,
                                            configuration: configuration, progress: progress)
        } catch let error as SyncClientError where error.serverCode == ProtocolError.Code.inflateRatio.description
            && configuration.compression != [.none] {
            // Honest data can compress past the server's deflate-bomb ratio (one long quote on
            // many rows): the refused batch was not applied, and goes again uncompressed.
            var plain = configuration
            plain.compression = [.none]
            return try await connectAndSync(store, host: host, port: port, server: server, token: token,
                                            configuration: plain, progress: progress)
        }
    }

    private static func connectAndSync(
        _ store: ReplicaStore, host: String, port: Int, server: String, token: String,
        configuration: SyncConfiguration, progress: @escaping @Sendable (SyncEvent) -> Void
    ) async throws -> SyncSummary {
        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.seconds(configuration.connectTimeoutSeconds))
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .connect(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandlers([
                            IdleStateHandler(readTimeout: .seconds(configuration.readTimeoutSeconds)), ReadTimeoutHandler(),
                        ])
                        return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw SyncClientError(.unreachable, "cannot reach the server at \(server)")
        }
        do {
            return try await channel.executeThenClose { inbound, _ in
                var transport = ChannelTransport(inbound: inbound.makeAsyncIterator(), channel: channel.channel)
                return try await sync(store, over: &transport, server: server, token: token,
                                      configuration: configuration, progress: progress)
            }
        } catch let error as SyncClientError {
            throw error
        } catch let error as StoreError {
            throw error
        } catch {
            throw SyncClientError(.unreachable, "the connection to \(server) broke off; run accord sync again to finish")
        }
    }

    /// Closes a connection on which nothing arrived for the read timeout, with `ReadTimeout` as
    /// the reason the inbound stream ends.
    private final class ReadTimeoutHandler: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
                context.fireErrorCaught(ReadTimeout())
                context.close(promise: nil)
            } else {
                context.fireUserInboundEventTriggered(event)
            }
        }
    }

    struct ReadTimeout: Error {}

    /// Syncs over an open transport (a TCP connection, or a simulation's in-memory pipe):
    /// hello, push, pull. `server` names the peer in messages.
    public static func sync(
        _ store: ReplicaStore, over transport: inout some SyncTransport, server: String, token: String,
        configuration: SyncConfiguration, progress: @Sendable (SyncEvent) -> Void = { _ in }
    ) async throws -> SyncSummary {
        do {
            var connection = Connection(transport: transport)
            defer { transport = connection.transport }
            return try await run(store, identity: try store.identity(), token: token, server: server,
                                 configuration: configuration, connection: &connection, progress: progress)
        } catch let error as SyncClientError {
            throw error
        } catch let error as ProtocolError {
            throw SyncClientError(.protocolError, "the server's data broke the protocol: \(error.message)")
        } catch let error as StoreError {
            throw error
        } catch is ReadTimeout {
            throw SyncClientError(.unreachable, "the server at \(server) sent nothing for \(configuration.readTimeoutSeconds) s; run accord sync again to finish")
        } catch {
            throw SyncClientError(.unreachable, "the connection to \(server) broke off; run accord sync again to finish")
        }
    }

    private static func run(
        _ store: ReplicaStore, identity: ReplicaStore.Identity, token: String, server: String,
        configuration: SyncConfiguration, connection: inout Connection<some SyncTransport>, progress: @Sendable (SyncEvent) -> Void
    ) async throws -> SyncSummary {
        try await connection.send(ClientHello(token: token, replicaID: identity.replicaID, analyst: identity.analyst,
                                              serverIdentity: identity.serverIdentity,
                                              compression: configuration.compression.map(\.rawValue)))
        let hello = try await connection.expect(ServerHello.self, type: "hello")
        // Protocol 2 leaves out the identity this replica named: it is the same.
        guard let serverIdentity = hello.serverIdentity ?? identity.serverIdentity else {
            throw SyncClientError(.protocolError, "the server's hello does not say which server store it is")
        }
        if hello.compression == .deflate { try connection.startCompression() }
        progress(.connected(server: server, compression: hello.compression.rawValue))
        if identity.serverIdentity == nil { try store.recordServerIdentity(serverIdentity) }
        try store.renumberOutbox(aboveServerHighWater: hello.highWater)

        var summary = SyncSummary()
        if hello.role == "reader" {
            summary.notPushed = try store.status().pendingChanges
        } else {
            let batchSize = max(1, min(configuration.pushBatch, hello.limits.maxBatchChanges))
            // Protocol 4: the next batch goes before the last one's acknowledgement arrives, so the
            // server applies one while this replica prepares the next and takes in the one before.
            let depth = hello.protocolVersion >= 4 ? min(2, max(1, configuration.pushesInFlight)) : 1
            var inFlight: [[PushedChange]] = []  // the batches sent and not acknowledged, oldest first
            while true {
                while inFlight.count < depth {
                    let after = inFlight.last?.last?.localSeq ?? 0
                    let batch = try store.beginPush(limit: batchSize, maxBytes: hello.limits.maxLineBytes / 4, after: after)
                    if batch.isEmpty { break }
                    try await connection.send(PushMessage(changes: batch.map(WireChange.init)))
                    inFlight.append(batch)
                }
                if inFlight.isEmpty { break }
                let ack = try await connection.expect(PushAckMessage.self, type: "push_ack")
                let results = Self.filledIn(ack.results.map(\.result), pushed: inFlight.removeFirst(), by: identity)
                try store.applyAcknowledgements(results)
                // An accepted edit of a row deleted concurrently also made a conflict (on `deleted`).
                let conflicts = results.filter { $0.outcome == .conflict || $0.conflictID != nil }.count
                summary.pushed += results.count
                summary.conflicts += conflicts
                progress(.pushed(changes: results.count, conflicts: conflicts))
            }
        }

        try await connection.send(PullMessage(cursor: try store.cursor(), limit: configuration.pullBatch))
        while true {
            let line = try await connection.nextLine()
            let parsed = try MessageCoding.parse(line)
            switch parsed.type {
            case "changes":
                let batch = try parsed.decode(ChangesMessage.self, as: "changes")
                let applied = try store.applyPulled(batch.rows.map(\.pulled), cursor: batch.cursor)
                summary.pulled += applied.fields
                summary.skipped += applied.skipped
                progress(.pulled(fields: applied.fields))
            case "pull_end":
                try store.finishSync(serverIdentity: serverIdentity)
                return summary
            case "error":
                throw serverError(try parsed.decode(ErrorMessage.self, as: "error"))
            default:
                throw SyncClientError(.protocolError, "the server sent an unexpected message during a pull")
            }
        }
    }

    /// The results with the `current` that protocol 4 leaves out of an accepted change's result
    /// put back: the change as pushed, at the result's `seq`, by this replica (PROTOCOL §5.3).
    static func filledIn(_ results: [PushResult], pushed: [PushedChange], by identity: ReplicaStore.Identity) -> [PushResult] {
        guard results.contains(where: { $0.outcome == .accepted && $0.current == nil }) else { return results }
        let changes = Dictionary(pushed.map { ($0.localSeq, $0.change) }, uniquingKeysWith: { _, last in last })
        return results.map { result in
            guard result.outcome == .accepted, result.current == nil, let seq = result.seq,
                  let change = changes[result.localSeq] else { return result }
            var filled = result
            filled.current = PulledField(value: change.value, seq: seq, hlc: change.hlc, replicaID: identity.replicaID, analyst: identity.analyst)
            return filled
        }
    }

    static func serverError(_ error: ErrorMessage) -> SyncClientError {
        var failure = switch error.code {
        case ProtocolError.Code.unauthorized.description, ProtocolError.Code.forbidden.description:
            SyncClientError(.refused, "the server refused the token: \(error.message)")
        case ProtocolError.Code.tooManyConnections.description, ProtocolError.Code.shuttingDown.description,
             ProtocolError.Code.idleTimeout.description:
            SyncClientError(.unreachable, "the server cannot serve this sync now (\(error.code)): \(error.message); run accord sync again")
        case ProtocolError.Code.wrongServer.description:
            SyncClientError(.wrongServer, "this replica last synced with another server database; run accord sync --reclone to start over with this one")
        default:
            SyncClientError(.protocolError, "the server refused the sync (\(error.code)): \(error.message)")
        }
        failure.serverCode = error.code
        return failure
    }

    /// Lines in and out of one connection.
    struct Connection<Transport: SyncTransport> {
        var transport: Transport
        /// The server is trusted more than a client is: a higher inflate ratio, since its
        /// batches of a clone can compress very well.
        /// Acknowledgements carry each field's current value, so they may be longer than the line
        /// limit: up to the batch limit times the largest field plus 512 bytes (PROTOCOL §5.3).
        var reader = LineReader(limits: {
            var limits = ProtocolLimits()
            limits.maxInflateRatio = 1000
            limits.maxLineBytes = max(limits.maxLineBytes, limits.maxBatchChanges * (FieldType.maxStoredBytes + 512))
            return limits
        }())
        var writer = LineWriter()

        init(transport: Transport) {
            self.transport = transport
        }

        mutating func send(_ message: some Encodable) async throws {
            try await transport.send(writer.encode(message))
        }

        mutating func startCompression() throws {
            try writer.startDeflating()
            try reader.startInflating()
        }

        mutating func nextLine() async throws -> ByteBuffer {
            while true {
                if let line = try reader.nextLine() { return line }
                guard let bytes = try await transport.receive() else {
                    throw SyncClientError(.unreachable, "the server closed the connection; run accord sync again to finish")
                }
                try reader.feed(bytes)
            }
        }

        /// The next message, which must be of `type` (an `error` becomes a SyncClientError).
        mutating func expect<T: Decodable>(_ kind: T.Type, type: String) async throws -> T {
            let line = try await nextLine()
            let parsed = try MessageCoding.parse(line)
            if parsed.type == "error" { throw SyncEngine.serverError(try parsed.decode(ErrorMessage.self, as: "error")) }
            guard parsed.type == type else { throw SyncClientError(.protocolError, "expected \(type) from the server, got \(parsed.type)") }
            return try parsed.decode(T.self, as: type)
        }
    }
}
