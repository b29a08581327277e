import SyncProtocol

/// How the sync server listens and what it allows. The CLI fills it from flags.
public struct SyncServerConfiguration: Sendable {
    public var host = "127.0.0.1"
    /// 0 picks a free port; the server reports the one it got through `onListening`.
    public var port = 7420
    public var limits = ProtocolLimits()

    public init() {}
}
