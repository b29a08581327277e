import Foundation
import Testing
import TestSupport

/// The real `accord-server` binary, as an operator runs it.
@Suite struct AccordServerCommandTests {
    @Test("token add prints a token once; list never shows it; revoke marks it; bad input is one error line")
    func tokens() throws {
        let directory = try TemporaryDirectory()
        let db = ["--db", directory.file("server.db")]
        let added = try Executables.run("accord-server", ["token", "add", "alice", "--role", "editor"] + db)
        #expect(added.status == 0)
        let token = added.stdout.trimmingCharacters(in: .newlines)
        #expect(token.hasPrefix("acc_") && !token.contains("\n"))
        let list = try Executables.run("accord-server", ["token", "list"] + db)
        #expect(list.stdout.contains("alice") && list.stdout.contains("editor") && !list.stdout.contains(token))
        #expect(try Executables.run("accord-server", ["token", "revoke", "alice"] + db).status == 0)
        #expect(!(try Executables.run("accord-server", ["token", "list"] + db)).stdout.contains("  -\n"))
        for bad in [["token", "add", "bob", "--role", "owner"], ["token", "revoke", "nobody"], ["token", "add", "alice", "--role", "reader"]] {
            let result = try Executables.run("accord-server", bad + db)
            #expect(result.status != 0, "\(bad)")
            #expect(result.stderr.hasPrefix("error: ") && result.stderr.split(separator: "\n").count == 1, "\(bad): \(result.stderr)")
        }
    }

    @Test("serve --port 0 prints where it listens, serves the imported sample, and exits 0 on SIGTERM")
    func serveAndStop() throws {
        let directory = try TemporaryDirectory()
        let db = ["--db", directory.file("server.db")]
        #expect(try Executables.run("accord-server", ["import", "--sample"] + db).stdout.contains("36 added"))
        #expect(try Executables.run("accord-server", ["import", "--sample"] + db).stdout.contains("0 added, 36 already here"))
        let server = try RunningProcess("accord-server", ["serve", "--port", "0"] + db)
        let line = try #require(server.waitForLine(startingWith: "listening on "))
        #expect(line.wholeMatch(of: /listening on 127\.0\.0\.1:\d+/) != nil)
        #expect(server.stop(signal: SIGTERM) == 0)
        let again = try RunningProcess("accord-server", ["serve", "--port", "0"] + db)
        #expect(again.waitForLine(startingWith: "listening on ") != nil)
        #expect(again.stop(signal: SIGINT) == 0)
    }

    @Test("serve refuses a file that is not a server store")
    func foreignStore() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("notes.db", "just text\n")
        let result = try Executables.run("accord-server", ["serve", "--port", "0", "--db", path])
        #expect(result.status != 0 && result.stderr.hasPrefix("error: "))
        #expect(try directory.read("notes.db") == "just text\n")
    }
}
