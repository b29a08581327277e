import NIOCore

/// The bytes a sync runs over: a TCP connection, or a simulation's in-memory pipe.
public protocol SyncTransport {
    /// Sends one encoded message.
    mutating func send(_ bytes: ByteBuffer) async throws
    /// The next bytes from the server; nil once the server has closed the connection.
    mutating func receive() async throws -> ByteBuffer?
}

/// A TCP connection to the server.
struct ChannelTransport: SyncTransport {
    var inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    let channel: any Channel

    /// Hands the bytes to NIO, which writes them as the socket takes them, and returns at once: a
    /// sync never waits for its own write to leave before it reads. With two pushes in flight a
    /// waiting write could deadlock, each side blocked writing to the other while neither reads
    /// (a large push against a large acknowledgement). What waits here is bounded by what a
    /// sync sends unanswered: two pushes, each under a quarter of the line limit. A failed write
    /// closes the connection, which the next read reports.
    mutating func send(_ bytes: ByteBuffer) async throws {
        channel.writeAndFlush(bytes, promise: nil)
    }

    mutating func receive() async throws -> ByteBuffer? {
        try await inbound.next()
    }
}
