import Logging
import NIOCore
import Synchronization
import SyncClient
import SyncServer

/// What goes wrong on one connection, decided by the schedule before the sync starts.
struct LinkFaults: Sendable, CustomStringConvertible {
    /// The connection breaks as the client sends its n-th message (1: the hello)...
    var cutAtSend: Int?
    /// ...after the server received it (its answer is lost), or before.
    var deliverBeforeCut = false
    /// The connection breaks as the client waits for the server's n-th message.
    var cutAtReceive: Int?
    /// The n-th message reaches the server twice; the second answer is lost. Only without
    /// compression: a deflate stream cannot take the same bytes twice.
    var duplicateSend: Int?

    var isEmpty: Bool { cutAtSend == nil && cutAtReceive == nil && duplicateSend == nil }

    var description: String {
        var parts: [String] = []
        if let cutAtSend { parts.append("cut at send \(cutAtSend)\(deliverBeforeCut ? " after delivery" : "")") }
        if let cutAtReceive { parts.append("cut at receive \(cutAtReceive)") }
        if let duplicateSend { parts.append("duplicate send \(duplicateSend)") }
        return parts.isEmpty ? "no fault" : parts.joined(separator: ", ")
    }
}

/// The connection broke (a simulated network fault).
struct SimulatedCut: Error {}

/// The server's answers, queued in memory until the client reads them.
final class AnswerQueue: SessionOutbound {
    private let answers = Mutex<[ByteBuffer]>([])

    func write(_ bytes: ByteBuffer) async throws { answers.withLock { $0.append(bytes) } }

    var count: Int { answers.withLock { $0.count } }

    func take() -> ByteBuffer? { answers.withLock { $0.isEmpty ? nil : $0.removeFirst() } }

    func drop(after count: Int) { answers.withLock { $0.removeSubrange(count...) } }
}

/// A client's connection to the real server session, with no socket: each message the client
/// sends is handled at once by the session, whose answers wait in a queue. Everything runs in
/// the calling task, one step at a time, so a schedule replays exactly.
struct SimulatedLink: SyncTransport {
    private var session: ServerSession<AnswerQueue>
    private let answers: AnswerQueue
    private let faults: LinkFaults
    private var sends = 0
    private var receives = 0
    /// The session ended the connection (after an `error`).
    private var serverClosed = false
    private(set) var cut = false
    /// The server store failed under the session (a simulated server crash).
    private(set) var serverCrashed = false

    init(server: ServerSession<AnswerQueue>, answers: AnswerQueue, faults: LinkFaults) {
        session = server
        self.answers = answers
        self.faults = faults
    }

    mutating func send(_ bytes: ByteBuffer) async throws {
        guard !cut else { throw SimulatedCut() }
        sends += 1
        if sends == faults.cutAtSend {
            if faults.deliverBeforeCut { try? await deliver(bytes) }
            cut = true
            throw SimulatedCut()
        }
        try await deliver(bytes)
        if sends == faults.duplicateSend {
            let answered = answers.count
            try await deliver(bytes)
            answers.drop(after: answered)
        }
    }

    mutating func receive() async throws -> ByteBuffer? {
        guard !cut else { throw SimulatedCut() }
        receives += 1
        if receives == faults.cutAtReceive {
            cut = true
            throw SimulatedCut()
        }
        // Every answer to what was sent is queued by now: an empty queue is a closed connection.
        return answers.take()
    }

    private mutating func deliver(_ bytes: ByteBuffer) async throws {
        guard !serverClosed else { return }
        do {
            if try await !session.received(bytes) { serverClosed = true }
        } catch {
            serverCrashed = true
            cut = true
            throw SimulatedCut()
        }
    }
}
