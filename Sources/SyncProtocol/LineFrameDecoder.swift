import NIOCore

/// Splits a byte stream into lines at `\n`, as `ByteToMessageDecoder`, refusing any line longer
/// than a limit as soon as the limit is passed (so a line that never ends cannot grow the
/// buffer). Lines are emitted without their `\n`; a `\r` before it is kept (JSON ignores it).
public struct LineFrameDecoder: ByteToMessageDecoder, Sendable {
    public typealias InboundOut = ByteBuffer

    public let maxLineBytes: Int
    /// How far the current buffer has been searched for a newline, so bytes are scanned once.
    private var scanned = 0

    public init(maxLineBytes: Int = ProtocolLimits().maxLineBytes) {
        self.maxLineBytes = maxLineBytes
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let line = try nextLine(&buffer) else { return .needMoreData }
        context.fireChannelRead(Self.wrapInboundOut(line))
        return .continue
    }

    public mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        // A partial line at the end of the stream is not a message: it is dropped.
        try decode(context: context, buffer: &buffer)
    }

    /// The next complete line of `buffer`, consuming it; nil when no newline has arrived yet.
    public mutating func nextLine(_ buffer: inout ByteBuffer) throws -> ByteBuffer? {
        let view = buffer.readableBytesView
        let start = view.startIndex + scanned
        if let newline = view[start...].firstIndex(of: UInt8(ascii: "\n")) {
            let length = newline - view.startIndex
            guard length <= maxLineBytes else { throw Self.tooLong(maxLineBytes) }
            let line = buffer.readSlice(length: length)!
            buffer.moveReaderIndex(forwardBy: 1)
            scanned = 0
            return line
        }
        scanned = view.count
        guard view.count <= maxLineBytes else { throw Self.tooLong(maxLineBytes) }
        return nil
    }

    static func tooLong(_ limit: Int) -> ProtocolError {
        ProtocolError(.lineTooLong, "a line is longer than the limit of \(limit) bytes")
    }
}
