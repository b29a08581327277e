import Foundation
import Logging
import ServiceLifecycle
import Storage
import SyncProtocol
import SyncServer

/// A real `SyncServer` on a free loopback port, over an in-memory store, run in a
/// `ServiceGroup` as `accord-server serve` runs it.
final class TestServer: Sendable {
    let store: ServerStore
    let port: Int
    let group: ServiceGroup
    let task: Task<Void, any Error>

    static func start(limits: ProtocolLimits = ProtocolLimits()) async throws -> TestServer {
        let store = try ServerStore.inMemory()
        var configuration = SyncServerConfiguration()
        configuration.port = 0
        configuration.limits = limits
        let logger = Logger(label: "test-server", factory: { _ in SwiftLogNoOpLogHandler() })
        let (addresses, continuation) = AsyncStream<String>.makeStream()
        let server = SyncServer(configuration: configuration, store: store, logger: logger) { continuation.yield($0) }
        let group = ServiceGroup(configuration: .init(services: [.init(service: server)], logger: logger))
        let task = Task { try await group.run() }
        var iterator = addresses.makeAsyncIterator()
        guard let address = await iterator.next(), let port = Int(address.split(separator: ":").last ?? "") else {
            throw TestClient.Failure("the server did not report its address")
        }
        return TestServer(store: store, port: port, group: group, task: task)
    }

    private init(store: ServerStore, port: Int, group: ServiceGroup, task: Task<Void, any Error>) {
        self.store = store
        self.port = port
        self.group = group
        self.task = task
    }

    /// Stops as SIGTERM would, and waits until the server has returned.
    func stop() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
    }

    /// A client connected to this server.
    func connect(limits: ProtocolLimits = ProtocolLimits()) throws -> TestClient { try TestClient(port: port, limits: limits) }

    func token(_ role: Role, name: String = UUID().uuidString) throws -> String {
        try store.addToken(name: name, role: role)
    }
}
