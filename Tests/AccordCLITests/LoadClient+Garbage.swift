import Foundation
import TestSupport

/// What a garbage connection sends, and the `error` code the server must answer before closing.
enum Garbage: Int, CaseIterable {
    case randomBytes, oversizedLine, badJSON, deflateGarbage, unknownType, badToken, badPush, pullBeforeHello

    var expectedCode: String {
        switch self {
        case .randomBytes, .pullBeforeHello: "bad-hello"
        case .oversizedLine: "line-too-long"
        case .badJSON: "bad-json"
        case .deflateGarbage: "bad-compression"
        case .unknownType: "unknown-type"
        case .badToken: "unauthorized"
        case .badPush: "bad-message"
        }
    }
}

/// The load tests' server refuses lines over this many bytes (`--max-line-bytes`).
let loadMaxLineBytes = 65536

extension LoadClient {
    mutating func garbage(_ socket: LineSocket, kind: Int) throws {
        let garbage = Garbage(rawValue: kind)!
        let replica = "load-garbage-\(index)"
        switch garbage {
        case .randomBytes:
            // Never a newline before the end: the first line is all noise.
            let noise = (0..<Int.random(in: 16...4096, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            socket.send(noise.filter { $0 != UInt8(ascii: "\n") } + [UInt8(ascii: "\n")])
        case .oversizedLine:
            // One byte past the limit and no more, so the server has read everything it was
            // sent when it closes (unread bytes would make the close a reset).
            socket.send([UInt8](repeating: UInt8(ascii: "x"), count: loadMaxLineBytes + 1))
        case .badJSON:
            try sayHello(socket, replica: replica)
            socket.send("{\"type\":\"push\",\"changes\":[oops]\n")
        case .deflateGarbage:
            socket.send(Self.hello(token, replica: replica, compression: ["deflate"]))
            let answer = try receive(socket, "deflate hello")
            guard answer["compression"] as? String == "deflate" else { throw Failure(message: "deflate hello answered \(answer)") }
            socket.send((0..<512).map { _ in UInt8.random(in: 0...255, using: &random) })
            // The error comes compressed: one sync-flushed block, then the close.
            let (bytes, end) = socket.receiveToEnd()
            guard end == .closed, bytes.count > 4, Array(bytes.suffix(4)) == [0, 0, 0xFF, 0xFF] else {
                throw Failure(message: "deflate garbage: \(bytes.count) bytes, then \(end)")
            }
            return
        case .unknownType:
            try sayHello(socket, replica: replica)
            socket.send("{\"type\":\"subscribe\",\"entity\":\"commitments\"}\n")
        case .badToken:
            socket.send(Self.hello("acc_not_a_token", replica: replica))
        case .badPush:
            try sayHello(socket, replica: replica)
            socket.send("{\"type\":\"push\",\"changes\":[{\"local_seq\":1,\"entity\":\"commitments\",\"id\":\"01980c01-5eed-7000-8000-000000000001\","
                        + "\"field\":\"no_such_field\",\"value\":\"x\",\"base\":0,\"hlc\":1}]}\n")
        case .pullBeforeHello:
            socket.send("{\"type\":\"pull\",\"cursor\":0}\n")
        }
        let error = try receive(socket, "\(garbage)")
        guard error["type"] as? String == "error", error["code"] as? String == garbage.expectedCode else {
            throw Failure(message: "\(garbage) answered \(error)")
        }
        guard socket.receive() == .closed else { throw Failure(message: "\(garbage): not closed after the error") }
    }
}
