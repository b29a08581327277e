import NIOConcurrencyHelpers
import NIOCore

/// The connections being served: counted for the connection limit, closed at shutdown.
final class ConnectionRegistry: Sendable {
    private let state = NIOLockedValueBox<(channels: [ObjectIdentifier: any Channel], shuttingDown: Bool)>(([:], false))

    /// Registers a connection; false when the limit is reached or the server is shutting down.
    func admit(_ channel: any Channel, limit: Int) -> Bool {
        state.withLockedValue { state in
            guard !state.shuttingDown, state.channels.count < limit else { return false }
            state.channels[ObjectIdentifier(channel)] = channel
            return true
        }
    }

    func remove(_ channel: any Channel) {
        _ = state.withLockedValue { $0.channels.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    var count: Int { state.withLockedValue { $0.channels.count } }

    /// Refuses new connections and closes the open ones. A push being applied finishes its
    /// transaction first: the store call is not interrupted, only the socket.
    func closeAll() {
        let channels = state.withLockedValue { state in
            state.shuttingDown = true
            return Array(state.channels.values)
        }
        for channel in channels { channel.close(promise: nil) }
    }
}
