import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A blocking loopback TCP connection read line by line, for tests that speak the sync protocol
/// uncompressed (compression `none`) from plain threads, or send what no client would.
///
/// Not thread-safe: each connection belongs to one thread.
public final class LineSocket {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    /// What the next read found.
    public enum Received: Equatable {
        case line(String)
        /// The peer closed the connection (after everything before it was read).
        case closed
        /// Nothing arrived within the read timeout.
        case timedOut
        /// The connection was reset, or the line grew past `maxLineBytes`.
        case failed(String)
    }

    private let socket: Int32
    private var buffer: [UInt8] = []
    private var closed = false
    public let maxLineBytes: Int

    /// Connects to 127.0.0.1:`port`; reads wait at most `timeout` seconds. `receiveBuffer`
    /// shrinks the socket's receive buffer (a client that reads slowly, or not at all).
    public init(port: Int, timeout: Double = 30, receiveBuffer: Int? = nil, maxLineBytes: Int = 8 << 20) throws {
        self.maxLineBytes = maxLineBytes
        // Close-on-exec: a process the tests start meanwhile must not hold the connection open.
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard socket >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        if var size = receiveBuffer.map(Int32.init) {
            setsockopt(socket, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        // Thrown once every property is set, so `deinit` closes the socket.
        guard connected == 0 else { throw Failure(description: "cannot connect to port \(port): errno \(errno)") }
        self.timeout(seconds: timeout)
    }

    /// How long a read or a write may wait.
    public func timeout(seconds: Double) {
        var time = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - seconds.rounded(.down)) * 1_000_000))
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(socket, SOL_SOCKET, SO_SNDTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { if socket >= 0 { Glibc.close(socket) } }

    /// Sends all of `bytes`; false if the connection refused them (closed, reset, timed out).
    @discardableResult
    public func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent <= 0 { return false }
            offset += sent
        }
        return true
    }

    @discardableResult
    public func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    /// The next line, without its newline.
    public func receive() -> Received {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                return .line(line)
            }
            if closed { return .closed }
            if buffer.count > maxLineBytes { return .failed("a line longer than \(maxLineBytes) bytes") }
            switch readChunk() {
            case .some(let error): return error
            case .none: continue
            }
        }
    }

    /// Everything until the peer closes (for a peer that answers in a compressed stream).
    public func receiveToEnd() -> (bytes: [UInt8], end: Received) {
        while !closed {
            if let error = readChunk() {
                defer { buffer = [] }
                return (buffer, error)
            }
        }
        defer { buffer = [] }
        return (buffer, .closed)
    }

    /// Reads once into the buffer; nil when it read bytes or the end, else what went wrong.
    private func readChunk() -> Received? {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = recv(socket, &chunk, chunk.count, 0)
        if count > 0 {
            buffer += chunk[..<count]
            return nil
        }
        if count == 0 {
            closed = true
            return nil
        }
        if errno == EAGAIN || errno == EWOULDBLOCK { return .timedOut }
        return .failed("recv: errno \(errno)")
    }
}
