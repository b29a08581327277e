import NIOCore

extension FuzzEntryPoints {
    /// The DEFLATE stream and its limits (Protocol/PROTOCOL.md §4). An even first byte takes the
    /// rest as a stream from a peer, odd as messages to compress and inflate back.
    public static func inflater(_ input: UnsafeRawBufferPointer) {
        guard let mode = input.first else { return }
        let rest = Array(input.dropFirst())
        if mode & 1 == 0 {
            inflateAnyStream(rest)
        } else {
            inflateOwnStream(rest)
        }
    }

    /// Any bytes as a peer's stream, with limits drawn from the first three bytes: each chunk is
    /// at most `chunkBytes`, the output never passes the ratio limit, and framing the output
    /// through a `LineReader` never gives a line past its limit. Whatever the cuts, the output is
    /// that of the stream inflated whole without limits, up to where a limit or an error stops it.
    static func inflateAnyStream(_ input: [UInt8]) {
        guard input.count >= 3 else { return }
        var limits = ProtocolLimits()
        limits.maxInflateRatio = 1 + Int(input[0] & 0x0F)
        limits.maxLineBytes = Int(input[0] >> 4) * 8
        limits.inflateRatioGraceBytes = Int(input[1]) * 32
        let chunkBytes = [7, 64, 100, 1000, 4096, 65536, 64, 4096][Int(input[2] & 7)]
        let stream = Array(input.dropFirst(3))
        let pieces = FuzzSplitter(seed: input[2] >> 3).pieces(of: stream)

        let whole = inflatedWhole(stream)

        let reader = newInflater(limits, chunkBytes: chunkBytes)
        var output: [UInt8] = []
        var received = 0
        var error: ProtocolError?
        for piece in pieces where error == nil {
            received += piece.count
            var buffer = ByteBuffer(bytes: piece)
            error = attempt {
                try reader.inflate(&buffer) { chunk in
                    check(chunk.readableBytes > 0 && chunk.readableBytes <= chunkBytes,
                          "a chunk of \(chunk.readableBytes) bytes; the limit is \(chunkBytes)")
                    output += chunk.readableBytesView
                    check(output.count <= limits.inflateRatioGraceBytes || output.count <= received * limits.maxInflateRatio,
                          "\(output.count) bytes inflated from \(received), past the ratio limit")
                }
            }
        }
        check(error == nil || error?.code == .badCompression || error?.code == .inflateRatio, "inflating threw \(error!)")
        // A corrupt stream stops each way at another point: what one inflated is the start of the other.
        check(output.starts(with: whole.output) || whole.output.starts(with: output), "the output depends on the cuts")
        if !whole.cut {
            check(whole.error == nil || error != nil, "a corrupt stream is accepted when cut")
            check(error != nil || output == whole.output, "the stream inflates otherwise when cut")
        }

        var lineReader = LineReader(limits: limits)
        var lines: [[UInt8]] = []
        error = attempt { try lineReader.startInflating() }
        for piece in pieces where error == nil {
            error = attempt { try lineReader.feed(ByteBuffer(bytes: piece)) }
                ?? drain { try lineReader.nextLine() } into: { lines.append($0) }
        }
        check(lines.allSatisfy { $0.count <= limits.maxLineBytes }, "a line longer than the limit")
        let framed = lines.flatMap { $0 + [UInt8(ascii: "\n")] }
        check(whole.output.starts(with: framed) || framed.starts(with: whole.output), "lines that are not the stream's")
        if !whole.cut, whole.error == nil, error?.code != .inflateRatio {
            ExpectedFraming(whole.output, maxLineBytes: limits.maxLineBytes).check(lines, error, "LineReader inflating")
        }
    }

    /// Messages (the input split at 0xFF, so some may be empty) compressed by a `DeflateWriter`:
    /// each ends with a sync flush and inflates, however cut, to exactly the messages sent so far. Sent after a plain
    /// hello line, a `LineReader` frames them as a simple model of §3 does.
    static func inflateOwnStream(_ input: [UInt8]) {
        guard input.count >= 2 else { return }
        let splitter = FuzzSplitter(seed: input[0])
        let maxLineBytes = 5 + Int(input[1])
        let messages = input.dropFirst(2).split(separator: 0xFF, omittingEmptySubsequences: false)
        let writer: DeflateWriter
        do { writer = try DeflateWriter() } catch { fatalError("no deflater: \(error)") }
        let compressed = messages.map { message in
            do { return Array(try writer.compress(ByteBuffer(bytes: message)).readableBytesView) } catch {
                fatalError("fuzz invariant broken: compressing threw \(error)")
            }
        }
        // An empty message may have nothing to flush (the last one's flush already ended a block).
        check(zip(messages, compressed).allSatisfy { $1.suffix(4) == [0x00, 0x00, 0xFF, 0xFF] || ($0.isEmpty && $1.isEmpty) },
              "a message does not end with a sync flush")

        let reader = newInflater(ProtocolLimits(), chunkBytes: 4096)
        var output: [UInt8] = []
        var sent: [UInt8] = []
        for (message, bytes) in zip(messages, compressed) {
            sent += message
            for piece in splitter.pieces(of: bytes) {
                var buffer = ByteBuffer(bytes: piece)
                let error = attempt { try reader.inflate(&buffer) { output += $0.readableBytesView } }
                check(error == nil, "our own stream is refused: \(error!)")
            }
            check(output == sent, "a message does not inflate whole as soon as its bytes arrive")
        }

        var lineReader = LineReader(limits: limits(maxLineBytes: maxLineBytes))
        var inflating = false
        var lines: [[UInt8]] = []
        var error: ProtocolError?
        for piece in splitter.pieces(of: Array("hello\n".utf8) + compressed.joined()) where error == nil {
            error = attempt { try lineReader.feed(ByteBuffer(bytes: piece)) }
            if error == nil, !inflating {
                var hello: ByteBuffer?
                error = attempt { hello = try lineReader.nextLine() }
                if let hello {
                    check(String(buffer: hello) == "hello", "the hello line is not read as sent")
                    inflating = true
                    error = attempt { try lineReader.startInflating() }
                }
            }
            if error == nil, inflating {
                error = drain { try lineReader.nextLine() } into: { lines.append($0) }
            }
        }
        check(inflating || error != nil, "the hello line is never read")
        ExpectedFraming(Array(messages.joined()), maxLineBytes: maxLineBytes).check(lines, error, "LineReader after a hello")
    }

    /// `stream` inflated in one piece with no ratio limit; `cut` when it was stopped at 256 KiB,
    /// more than the limits of `inflateAnyStream` let through from 4 KiB.
    private static func inflatedWhole(_ stream: [UInt8]) -> (output: [UInt8], error: ProtocolError?, cut: Bool) {
        struct Enough: Error {}
        var limits = ProtocolLimits()
        limits.inflateRatioGraceBytes = .max
        let reader = newInflater(limits, chunkBytes: 65536)
        var output: [UInt8] = []
        var buffer = ByteBuffer(bytes: stream)
        do {
            try reader.inflate(&buffer) { chunk in
                output += chunk.readableBytesView
                if output.count > 256 * 1024 { throw Enough() }
            }
            return (output, nil, false)
        } catch let error as ProtocolError {
            return (output, error, false)
        } catch {
            return (output, nil, true)
        }
    }

    private static func newInflater(_ limits: ProtocolLimits, chunkBytes: Int) -> InflateReader {
        do { return try InflateReader(limits: limits, chunkBytes: chunkBytes) } catch {
            fatalError("no inflater: \(error)")
        }
    }
}
