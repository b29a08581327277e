import CompressNIO
import NIOCore

/// One direction's compressor: a raw DEFLATE stream (RFC 1951) with one window for the whole
/// connection and a sync flush after each message, so the peer can decode every message as it
/// arrives (as IMAP COMPRESS=DEFLATE, RFC 4978, does).
public final class DeflateWriter {
    private let compressor: ZlibCompressor

    public init() throws {
        compressor = try ZlibCompressor(algorithm: .deflate, configuration: .init(windowSize: 15, compressionLevel: 6))
    }

    /// The compressed bytes of `message`, ending at a byte boundary (sync flush).
    public func compress(_ message: ByteBuffer, allocator: ByteBufferAllocator = ByteBufferAllocator()) throws -> ByteBuffer {
        var input = message
        var output = allocator.buffer(capacity: compressor.maxSize(from: input))
        while true {
            do {
                try compressor.deflate(from: &input, to: &output, flush: .sync)
                if input.readableBytes == 0 { return output }
            } catch let error as CompressNIOError where error == .bufferOverflow {
                // CompressNIO reports zlib's Z_BUF_ERROR ("no progress possible") as an overflow too.
                // With room left it is not one: nothing was left to flush (an empty message right
                // after another's flush), and more room would only loop.
                if output.writableBytes > 0, input.readableBytes == 0 { return output }
                // deflateBound is an estimate; give zlib more room and go on.
            }
            output.reserveCapacity(minimumWritableBytes: max(64, output.capacity / 2))
        }
    }
}

/// One direction's decompressor, the pair of `DeflateWriter`. It inflates in bounded chunks and
/// refuses a stream that inflates beyond `ProtocolLimits.maxInflateRatio` times what was
/// received (a deflate bomb) before it can use much memory.
public final class InflateReader {
    private let decompressor: ZlibDecompressor
    private let limits: ProtocolLimits
    private let chunkBytes: Int
    private var totalIn = 0
    private var totalOut = 0

    public init(limits: ProtocolLimits = ProtocolLimits(), chunkBytes: Int = 64 * 1024) throws {
        decompressor = try ZlibDecompressor(algorithm: .deflate)
        self.limits = limits
        self.chunkBytes = chunkBytes
    }

    /// Inflates all of `input`, handing the output to `body` in chunks of at most `chunkBytes`.
    public func inflate(_ input: inout ByteBuffer, allocator: ByteBufferAllocator = ByteBufferAllocator(),
                        _ body: (ByteBuffer) throws -> Void) throws {
        totalIn += input.readableBytes
        while true {
            var output = allocator.buffer(capacity: chunkBytes)
            var more = false
            do {
                try decompressor.inflate(from: &input, to: &output)
            } catch let error as CompressNIOError where error == .bufferOverflow {
                more = true // the chunk is full: hand it over and inflate the rest
            } catch let error as CompressNIOError where error == .inputBufferOverflow {
                // everything received so far is inflated
            } catch {
                throw ProtocolError(.badCompression, "the DEFLATE stream is corrupt")
            }
            totalOut += output.readableBytes
            if totalOut > limits.inflateRatioGraceBytes, totalOut > totalIn * limits.maxInflateRatio {
                throw ProtocolError(.inflateRatio, "the DEFLATE stream inflates more than \(limits.maxInflateRatio) times")
            }
            // The allocator rounds a capacity up to a power of two and zlib fills all the room it
            // gets, so the output is handed over in pieces to keep each within `chunkBytes`.
            while output.readableBytes > 0 {
                try body(output.readSlice(length: min(chunkBytes, output.readableBytes))!)
            }
            if more { continue }
            // zlib stops short of the input only after the stream's final block.
            if input.readableBytes > 0 { throw ProtocolError(.badCompression, "data after the end of the DEFLATE stream") }
            return
        }
    }
}
