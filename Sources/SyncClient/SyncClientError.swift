/// Why a sync failed, with a code the CLI turns into an exit status.
public struct SyncClientError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case notConfigured = "not-configured"
            case unreachable
            case refused
            case wrongServer = "wrong-server"
            case protocolError = "protocol-error"
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// No server or token given, here or at `init`.
        public static let notConfigured = Code(.notConfigured)
        /// The server cannot be reached, or the connection broke.
        public static let unreachable = Code(.unreachable)
        /// The token was refused, or the role does not allow what was asked.
        public static let refused = Code(.refused)
        /// The server is another store than the one this replica synced with.
        public static let wrongServer = Code(.wrongServer)
        /// The server said or sent something the protocol does not allow.
        public static let protocolError = Code(.protocolError)

        public var description: String { base.rawValue }
    }

    public var code: Code
    public var message: String
    /// The code of the server's `error` message, when the server refused.
    public var serverCode: String?

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
