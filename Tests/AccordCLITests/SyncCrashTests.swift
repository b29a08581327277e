import Foundation
import Testing
import TestSupport

@Suite struct SyncCrashTests {
    /// A CSV of `count` commitments with fixed ids, so every row can be counted after the crashes.
    func bigCSV(_ count: Int, in directory: TemporaryDirectory) throws -> String {
        var lines = ["id,title,party,kind,amount,currency,status,tags,notes"]
        for index in 0..<count {
            let id = String(format: "01980f00-0000-7000-8000-%012d", index)
            lines.append("\(id),Commitment \(index) to the fund,Party \(index % 17),finance,\(index * 1000 + 7),EUR,pledged,bulk;t\(index % 5),note \(index)")
        }
        return try directory.write("big.csv", lines.joined(separator: "\n") + "\n")
    }

    @Test("SIGKILL at several points of a large push and of a large pull: the next sync completes and a clone has every row once")
    func killedSyncsResume() throws {
        let cluster = try SyncCluster()
        let alice = try cluster.replica("alice")
        try alice.ok("sync")
        try alice.ok("import", try bigCSV(1000, in: cluster.directory))
        for delay in [0.05, 0.2, 0.4, 0.8] {
            let sync = try RunningProcess("accord", ["sync", "--replica", alice.path])
            Thread.sleep(forTimeInterval: delay)
            _ = sync.stop(signal: SIGKILL)
        }
        #expect(try alice.ok("sync").contains("open conflicts"))
        #expect(try alice.ok("status", "--format", "json").contains("\"pending_changes\":0"))

        let bob = try cluster.replica("bob")
        for delay in [0.05, 0.2, 0.4] {
            let sync = try RunningProcess("accord", ["sync", "--replica", bob.path])
            Thread.sleep(forTimeInterval: delay)
            _ = sync.stop(signal: SIGKILL)
        }
        try bob.ok("sync")
        let carol = try cluster.replica("carol")
        try carol.ok("sync")
        let expected = try alice.ok("export")
        #expect(expected.split(separator: "\n").count == 1032)
        #expect(try bob.ok("export") == expected)
        #expect(try carol.ok("export") == expected)
        #expect(Set([try alice.digest(), try bob.digest(), try carol.digest()]).count == 1)
        #expect(try carol.conflicts().isEmpty)
    }
}
