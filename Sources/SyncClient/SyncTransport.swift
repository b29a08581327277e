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
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>

    mutating func send(_ bytes: ByteBuffer) async throws {
        try await outbound.write(bytes)
    }

    mutating func receive() async throws -> ByteBuffer? {
        try await inbound.next()
    }
}
