import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing
import TestSupport

/// A real `accord-server` and several real `accord` replicas in one temporary directory.
final class SyncCluster {
    let directory: TemporaryDirectory
    let server: RunningProcess
    let address: String
    let db: [String]

    init() throws {
        directory = try TemporaryDirectory()
        db = ["--db", directory.file("server.db")]
        _ = try Executables.run("accord-server", ["import", "--sample"] + db)
        server = try RunningProcess("accord-server", ["serve", "--port", "0"] + db)
        guard let line = server.waitForLine(startingWith: "listening on ") else { throw CancellationError() }
        address = String(line.dropFirst("listening on ".count))
    }

    deinit { _ = server.stop() }

    func token(_ name: String, role: String = "editor") throws -> String {
        try Executables.run("accord-server", ["token", "add", name, "--role", role] + db).stdout.trimmingCharacters(in: .newlines)
    }

    /// A new replica of this cluster's server, for `analyst`.
    func replica(_ analyst: String, role: String = "editor") throws -> Replica {
        let replica = Replica(path: directory.file("\(analyst).db"), directory: directory.path)
        let created = try replica.run(["init", "--server", address, "--token", try token(analyst, role: role), "--analyst", analyst])
        #expect(created.status == 0, "\(created)")
        return replica
    }
}

struct Replica {
    let path: String
    let directory: String

    func run(_ arguments: [String]) throws -> ProcessResult {
        try Executables.run("accord", arguments + ["--replica", path], in: directory)
    }

    @discardableResult
    func ok(_ arguments: String..., sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let result = try run(arguments)
        #expect(result.status == 0, "\(arguments): \(result)", sourceLocation: sourceLocation)
        return result.stdout
    }

    func digest() throws -> String {
        let status = try ok("status", "--format", "json")
        let object = try JSONSerialization.jsonObject(with: Data(status.utf8)) as? [String: Any]
        return object?["digest"] as? String ?? ""
    }

    func conflicts() throws -> [[String: Any]] {
        try JSONSerialization.jsonObject(with: Data(try ok("conflicts", "--format", "json").utf8)) as? [[String: Any]] ?? []
    }
}

@Suite struct SyncEndToEndTests {
    @Test("a new replica clones the server and exports exactly what an earlier one exports")
    func cloneMatches() throws {
        let cluster = try SyncCluster()
        let alice = try cluster.replica("alice")
        #expect(try alice.ok("sync").contains("0 open conflicts"))
        try alice.ok("add", "--title", "A new pledge", "--party", "Japan", "--amount", "5000000.50", "--currency", "JPY")
        try alice.ok("sync")
        let bob = try cluster.replica("bob")
        try bob.ok("sync")
        #expect(try bob.ok("export") == (try alice.ok("export")))
        #expect(try bob.ok("export", "--entity", "meetings") == (try alice.ok("export", "--entity", "meetings")))
        #expect(try bob.ok("export").split(separator: "\n").count == 33)
        #expect(try bob.digest() == (try alice.digest()))
    }

    @Test("edits of different fields both survive; edits of one field leave the later standing and one conflict everywhere")
    func mergeAndConflict() throws {
        let cluster = try SyncCluster()
        let alice = try cluster.replica("alice")
        let bob = try cluster.replica("bob")
        try alice.ok("sync")
        try bob.ok("sync")
        try alice.ok("edit", "01980c08", "--amount", "18000000")
        try bob.ok("edit", "01980c08", "--status", "delivered")
        try alice.ok("edit", "01980c09", "--note", "alice's reading")
        Thread.sleep(forTimeInterval: 0.01)
        try bob.ok("edit", "01980c09", "--note", "bob's reading")
        for replica in [alice, bob, alice, bob] { try replica.ok("sync") }

        for replica in [alice, bob] {
            let shown = try replica.ok("show", "01980c08", "--format", "json")
            #expect(shown.contains("\"amount\":\"18000000\"") && shown.contains("\"status\":\"delivered\""))
            #expect(try replica.ok("show", "01980c09", "--format", "json").contains("\"notes\":\"bob's reading\""))
            let conflicts = try replica.conflicts()
            #expect(conflicts.count == 1)
            #expect(conflicts.first?["field"] as? String == "notes")
            #expect(conflicts.first?["other_value"] as? String == "alice's reading")
            #expect(conflicts.first?["other_analyst"] as? String == "alice")
            #expect(conflicts.first?["standing_analyst"] as? String == "bob")
        }
        #expect(try alice.ok("export") == (try bob.ok("export")))
        #expect(try alice.digest() == (try bob.digest()))
    }

    @Test("resolve on one replica closes the conflict and sets the value on all of them after sync")
    func resolveEverywhere() throws {
        let cluster = try SyncCluster()
        let alice = try cluster.replica("alice")
        let bob = try cluster.replica("bob")
        for replica in [alice, bob] { try replica.ok("sync") }
        try alice.ok("edit", "01980c08", "--amount", "17500000")
        Thread.sleep(forTimeInterval: 0.01)
        try bob.ok("edit", "01980c08", "--amount", "17250000")
        for replica in [alice, bob, alice] { try replica.ok("sync") }
        let conflict = try #require(try alice.conflicts().first?["id"] as? String)
        #expect(try alice.ok("resolve", String(conflict.prefix(13)), "--keep", "other") == "resolved \(conflict): 17500000 stands\n")
        #expect(try alice.conflicts().isEmpty)
        let again = try alice.run(["resolve", conflict, "--keep", "standing"])
        #expect(again.status != 0 && again.stderr.contains("already resolved"))
        for replica in [alice, bob, alice] { try replica.ok("sync") }
        for replica in [alice, bob] {
            #expect(try replica.conflicts().isEmpty)
            #expect(try replica.ok("show", "01980c08", "--format", "json").contains("\"amount\":\"17500000\""))
        }
        #expect(try alice.digest() == (try bob.digest()))
    }

    @Test("delete against an unseen edit is a conflict like any other; a plain delete reaches everyone")
    func deleteVersusEdit() throws {
        let cluster = try SyncCluster()
        let alice = try cluster.replica("alice")
        let bob = try cluster.replica("bob")
        for replica in [alice, bob] { try replica.ok("sync") }
        try alice.ok("delete", "01980c05")
        for replica in [alice, bob] { try replica.ok("sync") }
        #expect(!(try bob.ok("export")).contains("01980c05-5eed"))

        try alice.ok("delete", "01980c06")
        Thread.sleep(forTimeInterval: 0.01)
        try bob.ok("edit", "01980c06", "--status", "delivered")
        for replica in [alice, bob, alice] { try replica.ok("sync") }
        for replica in [alice, bob] {
            let conflicts = try replica.conflicts()
            #expect(conflicts.count == 1)
            #expect(conflicts.first?["field"] as? String == "deleted")
            // Bob's edit came later, so the row lives, with his edit; Alice's delete is kept aside.
            #expect(try replica.ok("show", "01980c06", "--format", "json").contains("\"status\":\"delivered\""))
            #expect(try replica.ok("export").contains("01980c06-5eed"))
        }
        #expect(try alice.digest() == (try bob.digest()))
    }

    @Test("after a round where everyone syncs twice, all exports are identical and all digests equal")
    func convergence() throws {
        let cluster = try SyncCluster()
        let replicas = try ["alice", "bob", "carol"].map { try cluster.replica($0) }
        for replica in replicas { try replica.ok("sync") }
        try replicas[0].ok("edit", "01980c02", "--progress", "95")
        try replicas[1].ok("delete", "01980c03")
        try replicas[2].ok("add", "--title", "Carol's find", "--party", "EU")
        try replicas[2].ok("edit", "01980c02", "--note", "checked")
        for _ in 0..<2 { for replica in replicas { try replica.ok("sync") } }
        let exports = try replicas.map { try $0.ok("export") }
        #expect(Set(exports).count == 1)
        #expect(Set(try replicas.map { try $0.digest() }).count == 1)
        #expect(exports[0].contains("Carol's find") && !exports[0].contains("01980c03-5eed"))
    }

    @Test("a push that compresses past the server's inflate ratio (one long quote on many rows) goes again uncompressed and lands")
    func compressiblePush() throws {
        let cluster = try SyncCluster()
        let alice = try cluster.replica("alice")
        let quote = String(repeating: "中", count: 4000)
        let rows = (1...400).map { "Pledge \($0),UK,\(quote)" }
        let csv = try cluster.directory.write("repetitive.csv", "title,party,notes\n" + rows.joined(separator: "\n") + "\n")
        try alice.ok("import", csv)
        let synced = try alice.run(["sync"])
        #expect(synced.status == 0, "\(synced)")
        let bob = try cluster.replica("bob")
        try bob.ok("sync")
        #expect(try bob.ok("export").components(separatedBy: quote).count - 1 == 400)
        #expect(try bob.digest() == (try alice.digest()))
    }

    @Test("a reader's edits are not pushed and change nothing on the server; a bad token is refused and pulls nothing")
    func refusals() throws {
        let cluster = try SyncCluster()
        let reader = try cluster.replica("reader", role: "reader")
        try reader.ok("sync")
        try reader.ok("edit", "01980c08", "--status", "lapsed")
        let refusedPush = try reader.run(["sync"])
        #expect(refusedPush.status == 77)
        #expect(refusedPush.stderr == "error: this token may only pull: 1 local edits were not pushed\n")
        let observer = try cluster.replica("observer")
        try observer.ok("sync")
        #expect(try observer.ok("show", "01980c08", "--format", "json").contains("\"status\":\"pledged\""))

        let stranger = Replica(path: cluster.directory.file("stranger.db"), directory: cluster.directory.path)
        #expect(try stranger.run(["init", "--server", cluster.address, "--token", "acc_wrong"]).status == 0)
        let refused = try stranger.run(["sync"])
        #expect(refused.status == 77)
        #expect(refused.stderr.hasPrefix("error: ") && refused.stderr.contains("token"))
        #expect(try stranger.ok("list", "--format", "csv") == "id,title,party,beneficiary,kind,amount,currency,qualifier,disbursed,status,meeting_id,date,period_start,period_end,progress,source_url,source_quote,tags,notes\n")
    }

    @Test("a replica refuses another server database unless told to re-clone, and keeps its pending edits")
    func wrongServer() throws {
        let first = try SyncCluster()
        let alice = try first.replica("alice")
        try alice.ok("sync")
        try alice.ok("edit", "01980c08", "--note", "kept across the move")
        let second = try SyncCluster()
        let token = try second.token("alice")
        let refused = try alice.run(["sync", "--server", second.address, "--token", token])
        #expect(refused.status == 78)
        #expect(refused.stderr.hasPrefix("error: ") && refused.stderr.contains("--reclone"))
        try alice.ok("sync", "--reclone")
        let bob = try second.replica("bob")
        try bob.ok("sync")
        try alice.ok("sync")
        #expect(try bob.ok("show", "01980c08", "--format", "json").contains("kept across the move"))
        #expect(try alice.ok("export") == (try bob.ok("export")))
        #expect(try alice.digest() == (try bob.digest()))
    }

    @Test("a replica restored from a copy still gets its new edits to the server")
    func restoredReplica() throws {
        let cluster = try SyncCluster()
        let alice = try cluster.replica("alice")
        try alice.ok("sync")
        let backup = cluster.directory.file("alice-backup.db")
        try FileManager.default.copyItem(atPath: alice.path, toPath: backup)
        try alice.ok("edit", "01980c08", "--note", "lost with the disk")
        try alice.ok("edit", "01980c09", "--note", "also lost")
        try alice.ok("sync")
        try FileManager.default.removeItem(atPath: alice.path)
        try FileManager.default.copyItem(atPath: backup, toPath: alice.path)
        try alice.ok("edit", "01980c10", "--status", "delivered")
        try alice.ok("edit", "01980c11", "--amount", "111", "--currency", "GBP")
        try alice.ok("sync")
        let bob = try cluster.replica("bob")
        try bob.ok("sync")
        let exported = try bob.ok("export")
        #expect(exported.contains("\"amount\":\"111\""))
        #expect(try bob.ok("show", "01980c10", "--format", "json").contains("\"status\":\"delivered\""))
        try alice.ok("sync")
        #expect(try alice.ok("export") == exported)
    }

    @Test("an unreachable server is a clear error with its own exit code")
    func unreachable() throws {
        let directory = try TemporaryDirectory()
        let replica = Replica(path: directory.file("r.db"), directory: directory.path)
        #expect(try replica.run(["init", "--server", "127.0.0.1:1", "--token", "acc_x"]).status == 0)
        let result = try replica.run(["sync"])
        #expect(result.status == 69)
        #expect(result.stderr.hasPrefix("error: cannot reach"))
    }

    @Test("a server that accepts the connection and then says nothing is given up after --timeout, with its own exit code")
    func silentServer() throws {
        // A listening socket nobody accepts from: the kernel completes the connection, and the
        // client's hello goes into its queue unanswered.
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #expect(listener >= 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, length) == 0 && listen(listener, 4) == 0 && getsockname(listener, $0, &length) == 0
            }
        }
        #expect(bound)
        let port = Int(UInt16(bigEndian: address.sin_port))

        let directory = try TemporaryDirectory()
        let replica = Replica(path: directory.file("r.db"), directory: directory.path)
        #expect(try replica.run(["init", "--server", "127.0.0.1:\(port)", "--token", "acc_x"]).status == 0)
        let result = try replica.run(["sync", "--timeout", "1"])
        #expect(result.status == 69)
        #expect(result.stderr == "error: the server at 127.0.0.1:\(port) sent nothing for 1 s; run accord sync again to finish\n")
        let zero = try replica.run(["sync", "--timeout", "0"])
        #expect(zero.status == 64)
        #expect(zero.stderr == "error: --timeout must be at least 1 second\n")
    }
}
