import Foundation
import SyncProtocol
import Testing

/// Replays every transcript of Protocol/examples against a real server: `Cn:` lines are sent
/// as they are on connection n (with `$SERVER_IDENTITY` the server's identity), `Sn:` lines must
/// match what the server answers there (as JSON; `$ANY` matches any value, `$SERVER_IDENTITY` the
/// server's identity), `Sn: <closed>`
/// means the server closed connection n. `$TOKEN_ALICE` and `$TOKEN_BOB` stand for editor tokens.
@Suite(.serialized) struct TranscriptTests {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Protocol/examples")

    static var transcripts: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.hasSuffix(".txt") }.sorted()
    }

    @Test("the examples directory holds the five transcripts the spec promises")
    func transcriptsExist() {
        #expect(Self.transcripts == ["conflicting-push.txt", "first-sync.txt", "oversized-line.txt", "pipelined-push.txt", "refused-token.txt"])
    }

    @Test("each transcript replays exactly against the server", arguments: transcripts)
    func replay(_ name: String) async throws {
        let text = try String(contentsOf: Self.directory.appendingPathComponent(name), encoding: .utf8)
        var limits = ProtocolLimits()
        for line in text.split(separator: "\n") where line.hasPrefix("# limits: max_line_bytes=") {
            limits.maxLineBytes = Int(line.split(separator: "=").last ?? "") ?? limits.maxLineBytes
        }
        let server = try await TestServer.start(limits: limits)
        let tokens = ["$TOKEN_ALICE": try server.token(.editor, name: "alice"), "$TOKEN_BOB": try server.token(.editor, name: "bob")]
        let identity = try server.store.identity()
        var clients: [Character: TestClient] = [:]
        for (number, line) in text.split(separator: "\n").enumerated() where !line.hasPrefix("#") {
            let location = "\(name):\(number + 1)"
            let parts = line.split(separator: ":", maxSplits: 1)
            let who = parts[0], payload = parts[1].dropFirst()
            let connection = who.last!
            if clients[connection] == nil { clients[connection] = try server.connect() }
            let client = clients[connection]!
            if who.first == "C" {
                var sent = String(payload)
                for (placeholder, token) in tokens { sent = sent.replacingOccurrences(of: placeholder, with: token) }
                sent = sent.replacingOccurrences(of: "$SERVER_IDENTITY", with: identity)
                client.send(raw: sent + "\n")
            } else if payload == "<closed>" {
                #expect(await client.isClosed(), "\(location): the server should have closed the connection")
            } else {
                let expected = try JSONSerialization.jsonObject(with: Data(payload.utf8))
                let actual = try await client.receive()
                #expect(actual != nil, "\(location): the server closed instead of answering")
                if let actual {
                    #expect(Self.matches(expected, actual, identity: identity), "\(location): got \(actual)")
                }
            }
        }
        try await server.stop()
    }

    static func matches(_ expected: Any, _ actual: Any, identity: String) -> Bool {
        switch expected {
        case let text as String where text == "$ANY": return true
        case let text as String where text == "$SERVER_IDENTITY": return actual as? String == identity
        case let object as [String: Any]:
            guard let other = actual as? [String: Any], Set(object.keys) == Set(other.keys) else { return false }
            return object.allSatisfy { matches($0.value, other[$0.key]!, identity: identity) }
        case let array as [Any]:
            guard let other = actual as? [Any], array.count == other.count else { return false }
            return zip(array, other).allSatisfy { matches($0, $1, identity: identity) }
        case let number as NSNumber:
            return (actual as? NSNumber) == number
        case let text as String:
            return actual as? String == text
        case is NSNull:
            return actual is NSNull
        default:
            return false
        }
    }
}
