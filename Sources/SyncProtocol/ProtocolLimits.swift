/// The limits every connection is held to. Protocol/PROTOCOL.md names each one with its
/// default; a server may be configured tighter or looser, a client follows the same numbers.
public struct ProtocolLimits: Sendable, Hashable {
    /// The longest line (one message, after inflating), without its newline: 4 MiB.
    public var maxLineBytes = 4 * 1024 * 1024
    /// Inflated bytes may be at most this many times the compressed bytes received so far…
    public var maxInflateRatio = 100
    /// …once more than this many bytes have been inflated on the connection (1 MiB), so that
    /// small, highly compressible exchanges are never refused.
    public var inflateRatioGraceBytes = 1024 * 1024
    /// The most changes in one `push`: five times the protocol's default of 1000, so the hello
    /// announces it. Fewer, larger transactions: 20 writers' pushes went 49,000 -> 54,000
    /// changes/s on the development machine.
    public var maxBatchChanges = 5000
    /// The most fields in one `changes` batch of a pull (a pull that names no `limit` gets
    /// `PullMessage.defaultLimit`). A clone of 10,000 rows took 1.38 s in batches of 1000
    /// and 1.07 s in batches of 5000; the batch's bytes are bounded as well (a quarter of
    /// the line limit).
    public var maxPullBatch = 5000
    /// Seconds a connection may go without sending a byte.
    public var idleSeconds = 60
    /// Connections served at once; more are refused with `too-many-connections`.
    public var maxConnections = 256

    public init() {}

    /// What a server hello announces.
    public var announced: AnnouncedLimits {
        AnnouncedLimits(maxLineBytes: maxLineBytes, maxBatchChanges: maxBatchChanges, maxInflateRatio: maxInflateRatio,
                        inflateGraceBytes: inflateRatioGraceBytes, idleSeconds: idleSeconds)
    }
}
