import NIOCore
import Testing
@testable import SyncProtocol

@Suite struct LineStreamTests {
    /// Feeds each line on its own and takes it, as a long connection does; the storage the reader
    /// holds at the end.
    func capacityAfterManyLines(inflating: Bool) throws -> Int {
        var reader = LineReader()
        var writer = LineWriter()
        if inflating {
            try writer.startDeflating()
            try reader.startInflating()
        }
        let line = String(repeating: "x", count: 100)
        for index in 0..<10_000 {
            try reader.feed(writer.encode(bytes: ByteBuffer(string: "\(index) \(line)\n")))
            #expect(try reader.nextLine() == ByteBuffer(string: "\(index) \(line)"))
        }
        return reader.bufferedCapacity
    }

    @Test("a reader keeps no storage for lines already taken, plain or inflating", arguments: [false, true])
    func storageStaysBounded(inflating: Bool) throws {
        // It kept every byte a connection ever received, about 1 MB here (found by fuzzing).
        #expect(try capacityAfterManyLines(inflating: inflating) <= 64 * 1024)
    }

    @Test("a line cut across feeds, after lines already taken, comes out whole")
    func unfinishedLineSurvivesTheDrop() throws {
        var reader = LineReader()
        try reader.feed(ByteBuffer(string: "one\ntw"))
        #expect(try reader.nextLine() == ByteBuffer(string: "one"))
        #expect(try reader.nextLine() == nil)
        try reader.feed(ByteBuffer(string: "o\nthree\n"))
        #expect(try reader.nextLine() == ByteBuffer(string: "two"))
        #expect(try reader.nextLine() == ByteBuffer(string: "three"))
        #expect(try reader.nextLine() == nil)
    }
}
