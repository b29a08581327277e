import NIOCore

/// The code the fuzz targets in `Tests/Fuzz` run, one function per target, and the corpus test
/// replays. Each takes any bytes, drives the code under test with them, and checks what must
/// hold whatever the bytes: a broken rule stops the process (`fatalError`), which libFuzzer
/// records as a crash with the input that caused it. Errors the protocol defines for bad input
/// (`line-too-long`, `bad-compression`, …) are outcomes, not failures.
///
/// ```swift
/// bytes.withUnsafeBytes(FuzzEntryPoints.lineFramer)
/// ```
public enum FuzzEntryPoints {
    /// Frames bytes into lines with a limit of 0–63 bytes (the first byte), fed whole and cut
    /// into pieces (the second byte seeds the cuts), through `LineFrameDecoder` and through a
    /// plain `LineReader`. Every way must give exactly the lines of a simple model of §3.
    public static func lineFramer(_ input: UnsafeRawBufferPointer) {
        guard input.count >= 2 else { return }
        let maxLineBytes = Int(input[0] & 0x3F)
        let stream = Array(input.dropFirst(2))
        let expected = ExpectedFraming(stream, maxLineBytes: maxLineBytes)

        var whole = LineFrameDecoder(maxLineBytes: maxLineBytes)
        var buffer = ByteBuffer(bytes: stream)
        var lines: [[UInt8]] = []
        let wholeError = drain { try whole.nextLine(&buffer) } into: { lines.append($0) }
        expected.check(lines, wholeError, "LineFrameDecoder fed whole")
        if wholeError == nil {
            check(Array(buffer.readableBytesView) == expected.rest, "the unfinished line is not left in the buffer")
        }

        let pieces = FuzzSplitter(seed: input[1]).pieces(of: stream)
        var framer = LineFrameDecoder(maxLineBytes: maxLineBytes)
        var pending = ByteBuffer()
        var reader = LineReader(limits: limits(maxLineBytes: maxLineBytes))
        var framed: [[UInt8]] = []
        var read: [[UInt8]] = []
        var framerError: ProtocolError?
        var readerError: ProtocolError?
        var longestPiece = 0
        for piece in pieces {
            longestPiece = max(longestPiece, piece.count)
            if framerError == nil {
                pending.writeBytes(piece)
                framerError = drain { try framer.nextLine(&pending) } into: { framed.append($0) }
                // A line that never ends cannot grow the buffer past the limit.
                check(framerError != nil || pending.readableBytes <= maxLineBytes, "an unfinished line passed the limit unrefused")
            }
            if readerError == nil {
                readerError = attempt { try reader.feed(ByteBuffer(bytes: piece)) }
                    ?? drain { try reader.nextLine() } into: { read.append($0) }
                // Lines already taken are not kept: the reader holds one unfinished line and a piece.
                check(readerError != nil || reader.bufferedCapacity <= 2 * (maxLineBytes + longestPiece) + 64,
                      "the line reader keeps \(reader.bufferedCapacity) bytes of storage for lines already taken")
            }
        }
        expected.check(framed, framerError, "LineFrameDecoder fed in pieces")
        expected.check(read, readerError, "LineReader fed in pieces")
    }

    // MARK: Shared by the targets

    /// Stops the process when a rule is broken: libFuzzer keeps the input as a crash.
    static func check(_ condition: Bool, _ message: @autoclosure () -> String) {
        if !condition { fatalError("fuzz invariant broken: \(message())") }
    }

    /// The protocol error `body` threw, if any. Any other error is a broken rule: the wire code
    /// throws only `ProtocolError`.
    static func attempt(_ body: () throws -> Void) -> ProtocolError? {
        do {
            try body()
            return nil
        } catch let error as ProtocolError {
            return error
        } catch {
            fatalError("fuzz invariant broken: an error that is not a ProtocolError: \(error)")
        }
    }

    /// Calls `next` until it gives nil or throws, handing each line to `body`; the protocol error
    /// it threw, if any.
    static func drain(_ next: () throws -> ByteBuffer?, into body: ([UInt8]) -> Void) -> ProtocolError? {
        attempt {
            while let line = try next() { body(Array(line.readableBytesView)) }
        }
    }

    /// Default limits but for the line limit.
    static func limits(maxLineBytes: Int) -> ProtocolLimits {
        var limits = ProtocolLimits()
        limits.maxLineBytes = maxLineBytes
        return limits
    }
}

/// What framing bytes must give (Protocol/PROTOCOL.md §3): the lines before the first one
/// longer than the limit, and then `line-too-long`, also for an unfinished line past the limit.
struct ExpectedFraming {
    var lines: [[UInt8]] = []
    var tooLong = false
    /// The unfinished line, when nothing is too long.
    var rest: [UInt8] = []
    let maxLineBytes: Int

    init(_ stream: [UInt8], maxLineBytes: Int) {
        self.maxLineBytes = maxLineBytes
        var start = 0
        for index in stream.indices where stream[index] == UInt8(ascii: "\n") {
            guard index - start <= maxLineBytes else {
                tooLong = true
                return
            }
            lines.append(Array(stream[start..<index]))
            start = index + 1
        }
        rest = Array(stream[start...])
        tooLong = rest.count > maxLineBytes
    }

    func check(_ actual: [[UInt8]], _ error: ProtocolError?, _ how: String) {
        FuzzEntryPoints.check(actual.allSatisfy { $0.count <= maxLineBytes }, "\(how): a line longer than the limit")
        FuzzEntryPoints.check(actual == lines, "\(how): other lines than the model's")
        FuzzEntryPoints.check((error != nil) == tooLong, "\(how): \(error.map { "refused (\($0))" } ?? "accepted") against the model")
        FuzzEntryPoints.check(error == nil || error?.code == .lineTooLong, "\(how): \(error!) is not line-too-long")
    }
}

/// Cuts bytes into pieces, some empty, with lengths drawn from a seed, so that one input is also
/// fed as a socket could deliver it.
struct FuzzSplitter {
    private var state: UInt64
    private let longest: Int

    init(seed: UInt8) {
        state = 0x9E37_79B9_7F4A_7C15 &* (UInt64(seed) &+ 1)
        longest = [1, 2, 3, 7, 16, 61, 512, 1 << 20][Int(seed & 7)]
    }

    mutating func nextLength() -> Int {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return Int(state % UInt64(longest + 1))
    }

    func pieces<C: Collection>(of bytes: C) -> [C.SubSequence] {
        var splitter = self
        var pieces: [C.SubSequence] = []
        var start = bytes.startIndex
        var lastWasEmpty = false
        while start != bytes.endIndex {
            var length = splitter.nextLength()
            if length == 0, lastWasEmpty { length = 1 }
            lastWasEmpty = length == 0
            let end = bytes.index(start, offsetBy: length, limitedBy: bytes.endIndex) ?? bytes.endIndex
            pieces.append(bytes[start..<end])
            start = end
        }
        return pieces
    }
}
