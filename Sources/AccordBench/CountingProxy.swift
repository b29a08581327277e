import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A loopback TCP proxy in front of the server that counts the bytes each way, so the bench
/// reports what a sync puts on the wire (hello and authentication included), as the socket
/// sees it. One thread per direction per connection; blocking sockets.
///
/// `@unchecked Sendable`: the counters are guarded by `lock`, the listening socket is fixed.
final class CountingProxy: @unchecked Sendable {
    let port: Int
    private let listener: Int32
    private let upstreamPort: Int
    private let lock = NSLock()
    private var sent = 0
    private var received = 0

    /// Listens on a free loopback port and forwards every connection to `upstreamPort`.
    init(upstreamPort: Int) throws {
        self.upstreamPort = upstreamPort
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = Self.loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 64) == 0 else {
            close(fd)
            throw BenchError("the proxy cannot listen: errno \(errno)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread { [self] in acceptLoop() }.start()
    }

    /// Bytes from clients to the server, and from the server to clients, since the last reset.
    var counts: (toServer: Int, toClient: Int) { lock.withLock { (sent, received) } }

    func reset() { lock.withLock { sent = 0; received = 0 } }

    static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 { return }
            let server = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            var address = Self.loopback(port: upstreamPort)
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(server, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0 else {
                close(client)
                close(server)
                continue
            }
            let finished = DispatchGroup()
            for (from, to, upstream) in [(client, server, true), (server, client, false)] {
                finished.enter()
                Thread { [self] in
                    pump(from: from, to: to, upstream: upstream)
                    finished.leave()
                }.start()
            }
            Thread {
                finished.wait()
                close(client)
                close(server)
            }.start()
        }
    }

    private func pump(from: Int32, to: Int32, upstream: Bool) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = recv(from, &buffer, buffer.count, 0)
            if count <= 0 { break }
            lock.withLock { if upstream { sent += count } else { received += count } }
            var offset = 0
            while offset < count {
                let written = buffer[offset..<count].withUnsafeBytes { send(to, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if written <= 0 { break }
                offset += written
            }
            if offset < count { break }
        }
        // Pass the end on: the other side sees the close as the peer would have.
        shutdown(to, Int32(SHUT_WR))
        shutdown(from, Int32(SHUT_RD))
    }
}
