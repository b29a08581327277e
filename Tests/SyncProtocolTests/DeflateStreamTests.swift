import NIOCore
import Testing
@testable import SyncProtocol

@Suite struct DeflateStreamTests {
    let messages = [
        #"{"type":"hello","protocol":1}"#,
        #"{"type":"push","changes":[{"entity":"commitments","field":"amount","value":"17000000"}]}"#,
        #"{"type":"push","changes":[{"entity":"commitments","field":"amount","value":"17000000"}]}"#,
        "£17 million to the ASEAN Green Finance Fund",
    ]

    /// Compresses each message with a newline, on one shared window.
    func compressedStream() throws -> [ByteBuffer] {
        let writer = try DeflateWriter()
        return try messages.map { try writer.compress(ByteBuffer(string: $0 + "\n")) }
    }

    /// Inflates `parts` in order through one reader and a line framer; returns the lines.
    func decode(_ parts: [ByteBuffer], limits: ProtocolLimits = ProtocolLimits()) throws -> [String] {
        let reader = try InflateReader(limits: limits)
        var framer = LineFrameDecoder(maxLineBytes: limits.maxLineBytes)
        var pending = ByteBuffer()
        var lines: [String] = []
        for var part in parts {
            try reader.inflate(&part) { chunk in
                var chunk = chunk
                pending.writeBuffer(&chunk)
                while let line = try framer.nextLine(&pending) { lines.append(String(buffer: line)) }
            }
        }
        return lines
    }

    @Test("every message decodes as soon as its own bytes arrive (a sync flush per message)")
    func eachMessageDecodesOnArrival() throws {
        let parts = try compressedStream()
        for count in 1...parts.count {
            #expect(try decode(Array(parts.prefix(count))) == Array(messages.prefix(count)))
        }
        // One window for the connection: a repeated message costs far less than the first.
        #expect(parts[2].readableBytes < parts[1].readableBytes / 2)
    }

    @Test("the stream decodes the same when cut at every byte boundary")
    func cutAtEveryByte() throws {
        var whole = ByteBuffer()
        for var part in try compressedStream() { whole.writeBuffer(&part) }
        for cut in 0...whole.readableBytes {
            let head = whole.getSlice(at: 0, length: cut)!
            let tail = whole.getSlice(at: cut, length: whole.readableBytes - cut)!
            #expect(try decode([head, tail]) == messages, "cut at \(cut)")
        }
        let bytes = (0..<whole.readableBytes).map { whole.getSlice(at: $0, length: 1)! }
        #expect(try decode(bytes) == messages)
    }

    @Test("an empty message right after another's flush compresses to nothing instead of looping")
    func emptyMessageAfterFlush() throws {
        // zlib refuses a second flush in a row with Z_BUF_ERROR, which CompressNIO reports as a
        // full buffer: the writer grew its buffer and tried again, forever (found by fuzzing).
        let writer = try DeflateWriter()
        let first = try writer.compress(ByteBuffer(string: "a\n"))
        let empty = try writer.compress(ByteBuffer())
        let again = try writer.compress(ByteBuffer())
        let last = try writer.compress(ByteBuffer(string: "b\n"))
        #expect(empty.readableBytes == 0 && again.readableBytes == 0)
        #expect(try decode([first, empty, again, last]) == ["a", "b"])
    }

    @Test("a corrupt stream is refused with bad-compression")
    func corruptStream() throws {
        let garbage = ByteBuffer(bytes: [0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x13, 0x37, 0x42])
        let error = #expect(throws: ProtocolError.self) { try decode([garbage]) }
        #expect(error?.code == .badCompression)
    }

    @Test("a deflate bomb is refused before it inflates much past the grace allowance")
    func deflateBomb() throws {
        let writer = try DeflateWriter()
        let bomb = try writer.compress(ByteBuffer(repeating: UInt8(ascii: "a"), count: 64 * 1024 * 1024))
        #expect(bomb.readableBytes < 256 * 1024)
        var limits = ProtocolLimits()
        limits.maxLineBytes = 128 * 1024 * 1024
        let reader = try InflateReader(limits: limits, chunkBytes: 64 * 1024)
        var input = bomb
        var inflated = 0
        var largestChunk = 0
        let error = #expect(throws: ProtocolError.self) {
            try reader.inflate(&input) { chunk in
                inflated += chunk.readableBytes
                largestChunk = max(largestChunk, chunk.readableBytes)
            }
        }
        #expect(error?.code == .inflateRatio)
        #expect(largestChunk <= 64 * 1024)
        #expect(inflated <= limits.inflateRatioGraceBytes + bomb.readableBytes * limits.maxInflateRatio)
    }

    @Test("chunks stay within chunkBytes when it is not a power of two")
    func chunkBytesIsALimit() throws {
        // The allocator rounded 100 up to 128 and zlib filled it all (found by fuzzing).
        let text = String(repeating: "The ASEAN Green Finance Fund. ", count: 100)
        var input = try DeflateWriter().compress(ByteBuffer(string: text))
        var chunks: [Int] = []
        var output = ""
        try InflateReader(chunkBytes: 100).inflate(&input) { chunk in
            chunks.append(chunk.readableBytes)
            output += String(buffer: chunk)
        }
        #expect(output == text)
        #expect(chunks.allSatisfy { $0 > 0 && $0 <= 100 })
    }

    @Test("ordinary data well within the ratio passes, however large")
    func ordinaryDataPasses() throws {
        let rows = (0..<5000).map { #"{"id":"\#($0)","title":"Commitment \#($0 * 7919 % 10007)","amount":"\#($0 * 104729)"}"# }
        let writer = try DeflateWriter()
        let parts = try rows.map { try writer.compress(ByteBuffer(string: $0 + "\n")) }
        #expect(try decode(parts) == rows)
    }
}
