#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Storage
import SyncProtocol

/// The sync server: accepts connections and serves each in its own task, over the server
/// store. A `Service`, so a `ServiceGroup` stops it cleanly on SIGTERM or SIGINT.
///
/// ```swift
/// let server = SyncServer(configuration: configuration, store: store, logger: logger) { address in
///     print("listening on \(address)")
/// }
/// try await ServiceGroup(services: [server], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger).run()
/// ```
public final class SyncServer: Service, Sendable {
    let configuration: SyncServerConfiguration
    let store: ServerStore
    let logger: Logger
    let onListening: @Sendable (String) -> Void
    let registry = ConnectionRegistry()

    public init(configuration: SyncServerConfiguration, store: ServerStore, logger: Logger,
                onListening: @escaping @Sendable (String) -> Void = { _ in }) {
        self.configuration = configuration
        self.store = store
        self.logger = logger
        self.onListening = onListening
    }

    public func run() async throws {
        let idle = TimeAmount.seconds(Int64(configuration.limits.idleSeconds))
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            // At most 128 KiB not yet sent in the kernel (TCP_NOTSENT_LOWAT): what a peer takes
            // shows as write progress soon, for the idle limit (ConnectionClock), while the
            // bytes in flight still grow with the link.
            .childChannelOption(ChannelOptions.Types.SocketOption(level: .tcp, name: .init(rawValue: TCP_NOTSENT_LOWAT)),
                                value: 128 * 1024)
            .bind(host: configuration.host, port: configuration.port) { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.addHandler(ConnectionClock(limit: idle))
                    // Half-closure: after an error the server closes its side and drains (ConnectionHandler).
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(
                        wrappingChannelSynchronously: child, configuration: .init(isOutboundHalfClosureEnabled: true))
                }
            }
        let address = listener.channel.localAddress
        let shown = "\(address?.ipAddress ?? configuration.host):\(address?.port ?? configuration.port)"
        logger.info("listening", metadata: ["server.address": "\(shown)"])
        onListening(shown)
        let identity = try store.identity()
        try await withGracefulShutdownHandler {
            try await listener.executeThenClose { inbound in
                try await withThrowingDiscardingTaskGroup { group in
                    for try await connection in inbound {
                        group.addTask {
                            await ConnectionHandler(store: self.store, identity: identity, limits: self.configuration.limits,
                                                    registry: self.registry, logger: self.logger).serve(connection)
                        }
                    }
                }
            }
        } onGracefulShutdown: {
            self.logger.info("shutting down", metadata: ["server.connections": "\(self.registry.count)"])
            listener.channel.close(promise: nil)
            self.registry.closeAll()
        }
        logger.info("stopped")
    }
}
