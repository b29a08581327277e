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
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A line longer than `ProtocolLimits.maxLineBytes`, or one that never ends.
        public static let lineTooLong = Code(.lineTooLong)
        /// A DEFLATE stream that does not decode.
        public static let badCompression = Code(.badCompression)
        /// A DEFLATE stream that inflates beyond `ProtocolLimits.maxInflateRatio` (a bomb).
        public static let inflateRatio = Code(.inflateRatio)

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
