import Foundation
import NIOCore
import Testing
@testable import SyncProtocol

/// The server's hello (PROTOCOL.md §5.2): its limits by protocol.
@Suite struct ServerHelloTests {
    func line(_ limits: AnnouncedLimits, protocolVersion: Int) throws -> String {
        String(buffer: try MessageCoding.line(ServerHello(serverIdentity: nil, role: "editor", compression: .none, limits: limits,
                                                          protocolVersion: protocolVersion)))
    }

    @Test("protocols 1 and 2 announce every limit; 3 only those off their defaults, and no limits key when none is")
    func limitsByProtocol() throws {
        let defaults = AnnouncedLimits.defaults
        let every = #""limits":{"idle_seconds":60,"inflate_grace_bytes":1048576,"max_batch_changes":1000,"max_inflate_ratio":100,"max_line_bytes":4194304}"#
        #expect(try line(defaults, protocolVersion: 1).contains(every))
        #expect(try line(defaults, protocolVersion: 2).contains(every))
        #expect(try !line(defaults, protocolVersion: 3).contains("limits"))
        var custom = ProtocolLimits()
        custom.maxLineBytes = 1024
        custom.idleSeconds = 5
        #expect(try line(custom.announced, protocolVersion: 3).contains(#""limits":{"idle_seconds":5,"max_batch_changes":5000,"max_line_bytes":1024}"#))
        for version in ProtocolVersion.supported {
            for limits in [defaults, custom.announced, ProtocolLimits().announced] {
                let decoded = try MessageCoding.decode(ServerHello.self, from: ByteBuffer(string: try line(limits, protocolVersion: version)), as: "hello")
                #expect(decoded.limits == limits && decoded.protocolVersion == version)
            }
        }
    }

    @Test("this server's own limit of changes a push, above the protocol's default, is announced")
    func serverBatchLimitAnnounced() throws {
        #expect(ProtocolLimits().maxBatchChanges > AnnouncedLimits.defaults.maxBatchChanges)
        let hello = try line(ProtocolLimits().announced, protocolVersion: 4)
        #expect(hello.contains(#""limits":{"max_batch_changes":\#(ProtocolLimits().maxBatchChanges)}"#))
        // A client that meets a server announcing nothing (an older one) assumes the protocol's 1000.
        let older = #"{"type":"hello","protocol":4,"schema":1,"role":"editor","compression":"none","high_water":0}"#
        #expect(try MessageCoding.decode(ServerHello.self, from: ByteBuffer(string: older), as: "hello").limits.maxBatchChanges == 1000)
    }

    @Test("a limit left out of a hello has its default; a limit of the wrong type is refused")
    func missingLimits() throws {
        let hello = #"{"type":"hello","protocol":3,"schema":1,"role":"reader","compression":"none","high_water":0,"limits":{"max_batch_changes":10}}"#
        let decoded = try MessageCoding.decode(ServerHello.self, from: ByteBuffer(string: hello), as: "hello")
        var expected = AnnouncedLimits.defaults
        expected.maxBatchChanges = 10
        #expect(decoded.limits == expected)
        let wrong = hello.replacingOccurrences(of: "10}", with: #""10"}"#)
        #expect(throws: ProtocolError.self) { try MessageCoding.decode(ServerHello.self, from: ByteBuffer(string: wrong), as: "hello") }
    }
}
