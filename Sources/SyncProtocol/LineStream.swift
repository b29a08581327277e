import NIOCore

/// The receiving half of a connection: bytes in, complete lines out, inflating once the hellos
/// agreed on `deflate`. Pure; the same on server and client.
public struct LineReader {
    private var framer: LineFrameDecoder
    private var inflater: InflateReader?
    private let limits: ProtocolLimits
    /// Received bytes not yet framed (inflated ones, once inflating).
    private var pending = ByteBuffer()

    public init(limits: ProtocolLimits = ProtocolLimits()) {
        self.limits = limits
        framer = LineFrameDecoder(maxLineBytes: limits.maxLineBytes)
    }

    /// Takes bytes as they arrive from the socket.
    public mutating func feed(_ bytes: ByteBuffer) throws {
        // Lines already taken are dropped first: a connection holds one unfinished line and what
        // just arrived, not every byte it ever received. Each unfinished line moves at most once.
        pending.discardReadBytes()
        var bytes = bytes
        if let inflater {
            try inflater.inflate(&bytes) { chunk in
                var chunk = chunk
                pending.writeBuffer(&chunk)
            }
        } else {
            pending.writeBuffer(&bytes)
        }
    }

    /// The next complete line, or nil until more bytes arrive.
    public mutating func nextLine() throws -> ByteBuffer? {
        try framer.nextLine(&pending)
    }

    /// The storage held for received bytes (what the fuzz harness bounds).
    var bufferedCapacity: Int { pending.capacity }

    /// Switches to inflating: every byte after the hello line is part of the DEFLATE stream,
    /// including any that already arrived.
    public mutating func startInflating() throws {
        let reader = try InflateReader(limits: limits)
        var early = pending
        pending = ByteBuffer()
        framer = LineFrameDecoder(maxLineBytes: limits.maxLineBytes)
        inflater = reader
        try feed(early.readSlice(length: early.readableBytes)!)
    }
}

/// The sending half: messages in, bytes for the socket out, deflating once agreed.
public struct LineWriter {
    private var deflater: DeflateWriter?

    public init() {}

    public mutating func startDeflating() throws {
        deflater = try DeflateWriter()
    }

    /// The bytes of one message line, compressed and sync-flushed when deflating.
    public func encode(_ message: some Encodable) throws -> ByteBuffer {
        try encode(bytes: MessageCoding.line(message))
    }

    /// Bytes as they go on the wire: compressed and sync-flushed when deflating.
    public func encode(bytes: ByteBuffer) throws -> ByteBuffer {
        try deflater?.compress(bytes) ?? bytes
    }
}
