/// A broken rule of the wire protocol. The code is what an `error` message carries.
///
/// `description` carries no bytes from the peer.
public struct ProtocolError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A struct over a private enum, so that codes can be added without breaking callers.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case lineTooLong = "line-too-long"
            case badCompression = "bad-compression"
            case inflateRatio = "inflate-ratio"
            case badJSON = "bad-json"
            case badMessage = "bad-message"
            case unknownType = "unknown-type"
            case badHello = "bad-hello"
            case unsupportedProtocol = "unsupported-protocol"
            case schemaMismatch = "schema-mismatch"
            case wrongServer = "wrong-server"
            case unauthorized
            case forbidden
            case batchTooLarge = "batch-too-large"
            case idleTimeout = "idle-timeout"
            case tooManyConnections = "too-many-connections"
            case shuttingDown = "shutting-down"
            case `internal`
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A line longer than `ProtocolLimits.maxLineBytes`, or one that never ends.
        public static let lineTooLong = Code(.lineTooLong)
        /// A DEFLATE stream that does not decode.
        public static let badCompression = Code(.badCompression)
        /// A DEFLATE stream that inflates beyond `ProtocolLimits.maxInflateRatio` (a bomb).
        public static let inflateRatio = Code(.inflateRatio)

        /// A line that is not JSON, or has no string `type`.
        public static let badJSON = Code(.badJSON)
        /// A message of a known type with a missing or mistyped field, or out of place.
        public static let badMessage = Code(.badMessage)
        public static let unknownType = Code(.unknownType)
        /// A first line that is not a well-formed `hello`.
        public static let badHello = Code(.badHello)
        public static let unsupportedProtocol = Code(.unsupportedProtocol)
        public static let schemaMismatch = Code(.schemaMismatch)
        /// The replica last synced with another server store.
        public static let wrongServer = Code(.wrongServer)
        /// A missing, unknown or revoked token.
        public static let unauthorized = Code(.unauthorized)
        /// A push from a reader.
        public static let forbidden = Code(.forbidden)
        public static let batchTooLarge = Code(.batchTooLarge)
        public static let idleTimeout = Code(.idleTimeout)
        public static let tooManyConnections = Code(.tooManyConnections)
        public static let shuttingDown = Code(.shuttingDown)
        public static let `internal` = Code(.internal)

        /// The code as it appears on the wire, e.g. `line-too-long`.
        public var description: String { base.rawValue }
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
