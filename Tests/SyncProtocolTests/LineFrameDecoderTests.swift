import NIOCore
import NIOTestUtils
import Testing
@testable import SyncProtocol

@Suite struct LineFrameDecoderTests {
    @Test("lines are split at newlines however the input is cut")
    func splitsLinesAtEveryBoundary() throws {
        // The verifier feeds each input whole, byte by byte and in every other split.
        try ByteToMessageDecoderVerifier.verifyDecoder(
            stringInputOutputPairs: [
                ("{\"type\":\"hello\"}\n", [ByteBuffer(string: "{\"type\":\"hello\"}")]),
                ("a\nbc\n\nd\r\n", ["a", "bc", "", "d\r"].map { ByteBuffer(string: $0) }),
                ("£17m\n", [ByteBuffer(string: "£17m")]),
            ],
            decoderFactory: { LineFrameDecoder(maxLineBytes: 64) }
        )
    }

    @Test("a line of exactly the limit passes; one byte more is refused")
    func limitIsInclusive() throws {
        var decoder = LineFrameDecoder(maxLineBytes: 10)
        var exact = ByteBuffer(string: "0123456789\n")
        #expect(try decoder.nextLine(&exact) == ByteBuffer(string: "0123456789"))
        var long = ByteBuffer(string: "0123456789A\n")
        let error = #expect(throws: ProtocolError.self) { try decoder.nextLine(&long) }
        #expect(error?.code == .lineTooLong)
    }

    @Test("a line that never ends is refused as soon as it passes the limit, without its newline")
    func endlessLineIsRefusedEarly() throws {
        var decoder = LineFrameDecoder(maxLineBytes: 10)
        var buffer = ByteBuffer(string: "0123456789")
        #expect(try decoder.nextLine(&buffer) == nil)
        buffer.writeString("A")
        #expect((#expect(throws: ProtocolError.self) { try decoder.nextLine(&buffer) })?.code == .lineTooLong)
    }

    @Test("bytes are searched once: a long line arriving in pieces is found when its newline comes")
    func incrementalSearch() throws {
        var decoder = LineFrameDecoder(maxLineBytes: 1000)
        var buffer = ByteBuffer()
        for _ in 0..<9 {
            buffer.writeString(String(repeating: "x", count: 100))
            #expect(try decoder.nextLine(&buffer) == nil)
        }
        buffer.writeString("\nnext")
        #expect(try decoder.nextLine(&buffer)?.readableBytes == 900)
        #expect(try decoder.nextLine(&buffer) == nil)
        #expect(buffer.readableBytes == 4)
    }
}
