import Foundation
import NIOCore

/// What a client may send after its hello.
public enum ClientRequest: Sendable, Hashable {
    case push(PushMessage)
    case pull(PullMessage)
}

/// Encodes messages as one JSON line and decodes lines by their `type`.
public enum MessageCoding {
    private struct Envelope: Decodable { var type: String }

    /// `message` as JSON with sorted keys, followed by `\n`.
    public static func line(_ message: some Encodable) throws -> ByteBuffer {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(message)
        data.append(0x0A)
        return ByteBuffer(bytes: data)
    }

    /// The `type` of a line, or a `bad-json` error when it is not a JSON object with one.
    public static func type(of line: ByteBuffer) throws -> String {
        do {
            return try JSONDecoder().decode(Envelope.self, from: Data(line.readableBytesView)).type
        } catch {
            throw ProtocolError(.badJSON, "a line is not a JSON object with a string \"type\"")
        }
    }

    /// Decodes `line` as `T`, or a `bad-message` error naming the type.
    public static func decode<T: Decodable>(_ type: T.Type, from line: ByteBuffer, as name: String) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(line.readableBytesView))
        } catch {
            throw ProtocolError(.badMessage, "a \(name) message is missing a field or has one of the wrong type")
        }
    }

    /// A request line after the hello: `push` or `pull`.
    public static func request(from line: ByteBuffer) throws -> ClientRequest {
        switch try type(of: line) {
        case "push": return .push(try decode(PushMessage.self, from: line, as: "push"))
        case "pull": return .pull(try decode(PullMessage.self, from: line, as: "pull"))
        case "hello": throw ProtocolError(.badMessage, "hello was already sent on this connection")
        default: throw ProtocolError(.unknownType, "unknown message type")
        }
    }
}
