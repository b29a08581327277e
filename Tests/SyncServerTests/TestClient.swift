import Foundation
import NIOCore
import SyncProtocol
#if canImport(Glibc)
import Glibc
#endif

/// A loopback client on a plain socket that speaks the protocol byte by byte, so tests can
/// also send what no well-behaved client would. Reads time out after 5 seconds.
///
/// Its reads block, so they run on a thread of their own (`offPool`): blocked on Swift's
/// cooperative pool, which has one thread per core, they would starve the very server tasks
/// they wait for. `@unchecked Sendable`: each client is used by one test at a time.
final class TestClient: @unchecked Sendable {
    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    private let socket: Int32
    private var reader: LineReader
    private var writer = LineWriter()

    init(port: Int, limits: ProtocolLimits = ProtocolLimits()) throws {
        reader = LineReader(limits: limits)
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw Failure("cannot connect to port \(port)") }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(socket) }

    func send(raw bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent <= 0 { return }
            offset += sent
        }
    }

    func send(raw text: String) { send(raw: Array(text.utf8)) }

    /// `text` through this connection's writer (compressed once deflate is agreed).
    func send(stream text: String) throws {
        send(raw: Array(try writer.encode(bytes: ByteBuffer(string: text)).readableBytesView))
    }

    func send(_ message: some Encodable) throws {
        send(raw: Array(try writer.encode(message).readableBytesView))
    }

    /// The next line, decoded as JSON; nil when the server closed the connection.
    func receive() async throws -> [String: Any]? {
        try await offPool { try self.receiveBlocking() }.map { $0.value }
    }

    private func receiveBlocking() throws -> JSONObject? {
        try receiveLine().map { JSONObject(value: $0) }
    }

    private func receiveLine() throws -> [String: Any]? {
        while true {
            if let line = try reader.nextLine() {
                return try JSONSerialization.jsonObject(with: Data(line.readableBytesView)) as? [String: Any]
            }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let count = recv(socket, &chunk, chunk.count, 0)
            if count == 0 { return nil }
            if count < 0 { throw Failure("no answer within 5 seconds") }
            try reader.feed(ByteBuffer(bytes: chunk[0..<count]))
        }
    }

    /// True once the server has closed its side (everything before it is discarded).
    func isClosed() async -> Bool {
        (try? await offPool { self.isClosedBlocking() }) ?? false
    }

    private func isClosedBlocking() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(socket, &chunk, chunk.count, 0)
            if count == 0 { return true }
            // A server that closes with bytes of ours still unread (the rest of a deflate bomb)
            // makes TCP reset the connection instead of ending it: closed all the same.
            if count < 0 { return errno == ECONNRESET }
        }
    }

    /// Sends a hello and reads the answer, switching to deflate when agreed.
    @discardableResult
    func hello(token: String, compression: [String] = ["deflate", "none"], serverIdentity: String? = nil,
               replicaID: String = "replica-1", protocolVersion: Int = ProtocolVersion.wire) async throws -> [String: Any]? {
        try send(ClientHello(token: token, replicaID: replicaID, analyst: "tester", serverIdentity: serverIdentity,
                             compression: compression, protocolVersion: protocolVersion))
        let answer = try await receive()
        if answer?["type"] as? String == "hello", answer?["compression"] as? String == "deflate" {
            try writer.startDeflating()
            try reader.startInflating()
        }
        return answer
    }

    /// Starts compressing what this client sends without the reader switching (for bad streams).
    func startDeflatingOutbound() throws { try writer.startDeflating() }
}

/// A JSON object carried across threads; only ever read by the test that asked for it.
struct JSONObject: @unchecked Sendable {
    var value: [String: Any]
}

/// Runs blocking work on a new thread and waits for it without holding a cooperative thread.
func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try body() }) }
        thread.start()
    }
}
