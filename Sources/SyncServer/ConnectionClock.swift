import NIOCore

/// A connection's idle limit, as the protocol counts it (PROTOCOL §2): time spent waiting for a
/// request with no byte received, or time with an answer unwritten because the peer takes no
/// byte of it. Time the server spends answering (the store's work, a pull the peer reads
/// steadily) does not count.
///
/// The connection task says which of the two it is doing with `Event`s (user outbound events,
/// sent in order with its writes). When the limit passes:
/// - with writes the peer has not taken: the connection is closed at once (no `error` message
///   could reach such a peer), and the task's blocked write fails, freeing its slot;
/// - waiting for a request: `IdleTimeout` goes up the inbound stream, so the task sends
///   `idle-timeout` on its own (possibly compressed) stream and closes;
/// - answering, everything written: nothing; the server is busy, not the peer.
final class ConnectionClock: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// What the connection task is doing.
    enum Event: Sendable {
        case answering
        case awaitingRequest
    }

    /// The limit passed while the connection waited for a request.
    struct IdleTimeout: Error {}

    private let limit: TimeAmount
    private var lastProgress = NIODeadline.now()
    private var unwritten = 0
    private var answering = false
    private var check: Scheduled<Void>?

    init(limit: TimeAmount) {
        self.limit = limit
    }

    func handlerAdded(context: ChannelHandlerContext) {
        lastProgress = .now()
        schedule(context, in: limit)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        check?.cancel()
        check = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        check?.cancel()
        check = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        lastProgress = .now()
        context.fireChannelRead(data)
    }

    /// Writes in slices of at most `progressBytes`, each with its own completion, so a peer
    /// reading a long line slowly but steadily shows progress (a write completes only once all
    /// its bytes are in the kernel's buffer).
    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        var bytes = unwrapOutboundIn(data)
        while bytes.readableBytes > Self.progressBytes, let slice = bytes.readSlice(length: Self.progressBytes) {
            write(context: context, slice: slice, promise: nil)
        }
        write(context: context, slice: bytes, promise: promise)
    }

    static let progressBytes = 64 * 1024

    private func write(context: ChannelHandlerContext, slice: ByteBuffer, promise: EventLoopPromise<Void>?) {
        unwritten += 1
        let written = promise ?? context.eventLoop.makePromise()
        written.futureResult.assumeIsolated().whenComplete { _ in
            self.unwritten -= 1
            self.lastProgress = .now()
        }
        context.write(wrapOutboundOut(slice), promise: written)
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard let event = event as? Event else {
            context.triggerUserOutboundEvent(event, promise: promise)
            return
        }
        answering = event == .answering
        lastProgress = .now()
        promise?.succeed()
    }

    private func schedule(_ context: ChannelHandlerContext, in delay: TimeAmount) {
        check = context.eventLoop.assumeIsolated().scheduleTask(in: delay) {
            self.limitReached(context)
        }
    }

    private func limitReached(_ context: ChannelHandlerContext) {
        let quiet = NIODeadline.now() - lastProgress
        if quiet < limit {
            schedule(context, in: limit - quiet)
        } else if unwritten > 0 {
            check = nil
            context.close(promise: nil)
        } else if !answering {
            check = nil
            context.fireErrorCaught(IdleTimeout())
        } else {
            schedule(context, in: limit)
        }
    }
}
