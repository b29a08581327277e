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

    /// `message` as JSON with sorted keys, followed by `\n`. The messages a sync sends by the
    /// thousand are written by `JSONWriter` (Messages+JSONWriter.swift), to the same bytes.
    public static func line(_ message: some Encodable) throws -> ByteBuffer {
        if let writable = message as? any WritableMessage {
            var bytes = try writable.json()
            bytes.append(0x0A)
            return ByteBuffer(bytes: bytes)
        }
        return try encoderLine(message)
    }

    /// `message` as `JSONEncoder` writes it, followed by `\n`.
    static func encoderLine(_ message: some Encodable) throws -> ByteBuffer {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(message)
        data.append(0x0A)
        return ByteBuffer(bytes: data)
    }

    /// A line parsed once: its `type`, and what `JSONReader` made of it.
    public struct ParsedLine {
        public let type: String
        let line: ByteBuffer
        /// Nil when `JSONReader` refused the line and `JSONDecoder` found its type.
        let json: JSONValue?

        /// The line as `T`, or a `bad-message` error naming the type. The messages a sync sends
        /// by the thousand are read from `json` (Messages+JSONReader.swift), the rest by
        /// `JSONDecoder`.
        public func decode<T: Decodable>(_ kind: T.Type, as name: String) throws -> T {
            do {
                if let readable = T.self as? any ReadableMessage.Type {
                    guard let json else { throw JSONReader.Failure() }
                    return try readable.init(json: json) as! T
                }
                return try JSONDecoder().decode(T.self, from: Data(line.readableBytesView))
            } catch {
                throw ProtocolError(.badMessage, "a \(name) message is missing a field or has one of the wrong type")
            }
        }
    }

    /// Parses a line, or throws a `bad-json` error when it is not a JSON object with a string `type`.
    public static func parse(_ line: ByteBuffer) throws -> ParsedLine {
        // `JSONReader` first; it is stricter than `JSONDecoder`, which has the last word.
        let json = try? line.withUnsafeReadableBytes { try JSONReader.parse($0) }
        if case .object(let members)? = json, let type = members.first(where: { $0.key == "type" }), case .string(let text) = type.value {
            return ParsedLine(type: text, line: line, json: json)
        }
        do {
            return ParsedLine(type: try JSONDecoder().decode(Envelope.self, from: Data(line.readableBytesView)).type, line: line, json: nil)
        } catch {
            throw ProtocolError(.badJSON, "a line is not a JSON object with a string \"type\"")
        }
    }

    /// The `type` of a line, or a `bad-json` error when it is not a JSON object with one.
    public static func type(of line: ByteBuffer) throws -> String {
        try parse(line).type
    }

    /// Decodes `line` as `T`, or a `bad-message` error naming the type.
    public static func decode<T: Decodable>(_ type: T.Type, from line: ByteBuffer, as name: String) throws -> T {
        let json = T.self is any ReadableMessage.Type ? try? line.withUnsafeReadableBytes { try JSONReader.parse($0) } : nil
        return try ParsedLine(type: "", line: line, json: json).decode(T.self, as: name)
    }

    /// A request line after the hello: `push` or `pull`.
    public static func request(from line: ByteBuffer) throws -> ClientRequest {
        let parsed = try parse(line)
        switch parsed.type {
        case "push": return .push(try parsed.decode(PushMessage.self, as: "push"))
        case "pull": return .pull(try parsed.decode(PullMessage.self, as: "pull"))
        case "hello": throw ProtocolError(.badMessage, "hello was already sent on this connection")
        default: throw ProtocolError(.unknownType, "unknown message type")
        }
    }
}
