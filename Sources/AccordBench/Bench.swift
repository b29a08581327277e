import Foundation

/// The measurements of `make bench`, in order, each against a reference measured in the same
/// run on the same data (docs/BENCHMARKS.md).
struct Bench {
    let rows: Int
    let runs: Int
    let commands: Commands
    var figures: [Figure] = []
    /// The server holding the N rows after the first push, and the proxy in front of it.
    private var server: ServerRun?
    private var proxy: CountingProxy?
    private var token = ""
    /// `sqlite3 .import` of the CSV: the floor for loading the rows into SQLite at all.
    private var sqliteImport = 0.0

    init(rows: Int, runs: Int, commands: Commands) {
        self.rows = rows
        self.runs = runs
        self.commands = commands
    }

    func path(_ name: String) -> String { commands.path(name) }

    mutating func run(progress: (String) -> Void) throws {
        defer { server?.stop() }
        try SyntheticRows.write(rows: rows, seed: 2026, to: path("rows.csv"))
        progress("import"); try measureImport()
        progress("first push"); try measureFirstPush()
        progress("clone"); try measureClone()
        progress("edits"); try measureEdits()
        progress("concurrent writers"); try measureWriters()
        progress("memory during clones"); try measureCloneMemory()
    }

    /// `accord import` of the CSV into a new replica vs `sqlite3 .import` of the same CSV.
    private mutating func measureImport() throws {
        var accord: [Double] = [], sqlite: [Double] = []
        for run in 0..<runs {
            let name = "alice-\(run).db", reference = "sqlite-\(run).db"
            commands.removeDatabase(name)
            commands.removeDatabase(reference)
            try commands.accord(["init", "--replica", path(name), "--analyst", "alice"])
            accord.append(try commands.accord(["import", "--replica", path(name), path("rows.csv")]).seconds)
            sqlite.append(try commands.run("sqlite3", [path(reference), ".import --csv \(path("rows.csv")) commitments"]).seconds)
        }
        sqliteImport = median(sqlite)
        figures.append(Figure(name: "accord import of \(rows) rows", value: median(accord), unit: "s",
                              reference: "sqlite3 .import", referenceValue: sqliteImport, target: .ratioAtMost(2)))
        figures.append(Figure(name: "accord import of \(rows) rows", value: median(accord), unit: "s",
                              reference: "SQLite writing the replica's tables", referenceValue: try rewriteSeconds(of: "alice-0.db")))
    }

    /// SQLite writing what `replica` holds: its tables copied by `sqlite3` into a new database
    /// with the same schema (indexes, full-text index and its triggers made first), in one
    /// transaction, `runs` times. No parsing, no checks, no network: the floor for anything that
    /// builds that replica, whatever it starts from. `analystTableOnly`: the `commitments` table
    /// with its indexes and full-text index alone, none of the sync metadata beside it.
    private func rewriteSeconds(of replica: String, analystTableOnly: Bool = false) throws -> Double {
        let source = path(replica)
        // Not SQLite's own tables, nor the full-text index's (its triggers make them).
        var own = "name NOT GLOB 'sqlite_*' AND NOT (type = 'table' AND name GLOB '*_fts_*')"
        if analystTableOnly { own += " AND tbl_name IN ('commitments', 'commitments_fts')" }
        let schema = try commands.run("sqlite3", [source, """
            SELECT sql || ';' FROM sqlite_master WHERE type IN ('table', 'index', 'trigger') AND sql IS NOT NULL AND \(own)
            ORDER BY type = 'trigger', type = 'index'
            """]).output
        let tables = try commands.run("sqlite3", [source, """
            SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%' AND \(own)
            """]).output.split(separator: "\n")
        let script = "PRAGMA journal_mode = WAL;\n\(schema)ATTACH '\(source)' AS source;\nBEGIN;\n"
            + tables.map { "INSERT INTO main.\"\($0)\" SELECT * FROM source.\"\($0)\";\n" }.joined() + "COMMIT;\n"
        try script.write(toFile: path("rewrite.sql"), atomically: true, encoding: .utf8)
        var seconds: [Double] = []
        for _ in 0..<runs {
            commands.removeDatabase("rewrite.db")
            seconds.append(try commands.run("sqlite3", [path("rewrite.db"), ".read \(path("rewrite.sql"))"]).seconds)
        }
        let copied = try commands.run("sqlite3", [path("rewrite.db"), "SELECT count(*) FROM commitments_fts WHERE commitments_fts MATCH 'said'"])
        guard Int(copied.output.trimmingCharacters(in: .whitespacesAndNewlines)) == rows else {
            throw BenchError("the copy of \(replica) finds \(copied.output) rows by full text, not \(rows)")
        }
        return median(seconds)
    }

    /// Alice's replica pushed whole to a new server, through the counting proxy.
    private mutating func measureFirstPush() throws {
        var seconds: [Double] = [], bytes = 0
        for run in 0..<runs {
            let database = "server-\(run).db"
            commands.removeDatabase(database)
            let token = try commands.accordServer(["token", "add", "bench", "--role", "editor", "--db", path(database)]).output
                .trimmingCharacters(in: .whitespacesAndNewlines)
            let server = try ServerRun(commands: commands, database: database)
            let proxy = try CountingProxy(upstreamPort: server.port)
            let replica = "push-\(run).db"
            commands.removeDatabase(replica)
            try FileManager.default.copyItem(atPath: path("alice-0.db"), toPath: path(replica))
            seconds.append(try commands.accord(["sync", "--replica", path(replica), "--server", "127.0.0.1:\(proxy.port)",
                                                "--token", token]).seconds)
            let counts = proxy.counts
            bytes = counts.toServer + counts.toClient
            if run == 0 {
                self.server = server
                self.proxy = proxy
                self.token = token
            } else {
                server.stop()
            }
        }
        figures.append(Figure(name: "first push of \(rows) rows", value: median(seconds), unit: "s",
                              reference: "sqlite3 .import", referenceValue: sqliteImport))
        figures.append(Figure(name: "first push of \(rows) rows, on the wire", value: Double(bytes), unit: "bytes"))
    }

    /// A new replica cloned from the server vs loading the rows into SQLite at all, vs copying
    /// a replica file; its bytes on the wire vs gzip -6 of the CSV export.
    private mutating func measureClone() throws {
        guard let proxy else { return }
        var seconds: [Double] = [], bytes = 0
        for run in 0..<runs {
            let replica = "carol-\(run).db"
            commands.removeDatabase(replica)
            try commands.accord(["init", "--replica", path(replica), "--server", "127.0.0.1:\(proxy.port)", "--token", token,
                                 "--analyst", "carol"])
            proxy.reset()
            seconds.append(try commands.accord(["sync", "--replica", path(replica)]).seconds)
            let counts = proxy.counts
            bytes = counts.toServer + counts.toClient
        }
        try commands.accord(["export", "--replica", path("carol-0.db"), "--format", "csv", "--output", path("export.csv")])
        let exported = try String(contentsOfFile: path("export.csv"), encoding: .utf8).split(separator: "\n").count - 1
        guard exported == rows else { throw BenchError("the clone holds \(exported) rows, not \(rows)") }
        var gzipSeconds: [Double] = []
        for _ in 0..<runs {
            gzipSeconds.append(try commands.run("gzip", ["-6", "-c", path("export.csv")], stdoutTo: path("export.csv.gz")).seconds)
        }
        let gzip = commands.size("export.csv.gz")
        let copier = Commands.isInstalled("rsync") ? "rsync" : "cp"
        var copies: [Double] = []
        for _ in 0..<runs {
            commands.removeDatabase("copy.db")
            copies.append(try commands.run(copier, [path("carol-0.db"), path("copy.db")]).seconds)
        }
        figures.append(Figure(name: "clone of \(rows) rows", value: median(seconds), unit: "s",
                              reference: "sqlite3 .import", referenceValue: sqliteImport, target: .ratioAtMost(1.5)))
        figures.append(Figure(name: "clone of \(rows) rows", value: median(seconds), unit: "s",
                              reference: "SQLite writing the replica's tables", referenceValue: try rewriteSeconds(of: "carol-0.db")))
        figures.append(Figure(name: "clone of \(rows) rows", value: median(seconds), unit: "s",
                              reference: "\(copier) of the replica file (\(commands.size("carol-0.db") / 1024) KiB)", referenceValue: median(copies)))
        figures.append(Figure(name: "clone of \(rows) rows, on the wire", value: Double(bytes), unit: "bytes",
                              reference: "gzip -6 of the CSV export", referenceValue: Double(gzip), target: .ratioAtMost(1.3)))
        // Two floors of the import and clone targets, beside the same reference: what SQLite
        // alone takes to write the analyst's table with the full-text index that `list --search`
        // reads, and what compressing the rows as small as the bytes target asks takes alone.
        figures.append(Figure(name: "SQLite writing the commitments table and its full-text index alone", value: try rewriteSeconds(
            of: "carol-0.db", analystTableOnly: true), unit: "s", reference: "sqlite3 .import", referenceValue: sqliteImport))
        figures.append(Figure(name: "gzip -6 of the CSV export", value: median(gzipSeconds), unit: "s",
                              reference: "sqlite3 .import", referenceValue: sqliteImport))
    }

    /// Carol edits the notes of the first K rows (an import of the changed rows, timed), then
    /// syncs: time and bytes both ways, hello and authentication included. Then the replica of
    /// the first push pulls her edits: its rows change in place.
    private mutating func measureEdits() throws {
        guard let proxy else { return }
        let puller = path("push-0.db")
        let lines = try String(contentsOfFile: path("export.csv"), encoding: .utf8).split(separator: "\n").map(String.init)
        let targets: [(Int, Double)] = [(1, 1024), (100, 16 * 1024), (10_000, 1.2 * 1024 * 1024)]
        for (count, limit) in targets where count <= rows {
            var imports: [Double] = [], seconds: [Double] = [], pulls: [Double] = [], bytes = 0
            for run in 0..<runs {
                // `notes`, the last column, holds plain words in the synthetic rows: no quoting.
                let edited = lines[1...count].map { line in String(line[..<line.lastIndex(of: ",")!]) + ",edited \(count) \(run)" }
                try ([lines[0]] + edited).joined(separator: "\n").write(toFile: path("edits.csv"), atomically: true, encoding: .utf8)
                imports.append(try commands.accord(["import", "--replica", path("carol-0.db"), path("edits.csv")]).seconds)
                proxy.reset()
                seconds.append(try commands.accord(["sync", "--replica", path("carol-0.db")]).seconds)
                let counts = proxy.counts
                bytes = counts.toServer + counts.toClient
                let pull = try commands.accord(["sync", "--replica", puller])
                guard let pulled = Self.pulledFields(pull.output), pulled >= count else {
                    throw BenchError("pulling \(count) edited rows said: \(pull.output)")
                }
                pulls.append(pull.seconds)
            }
            let rowsEdited = "\(count) edited row\(count == 1 ? "" : "s")"
            figures.append(Figure(name: "import of \(rowsEdited)", value: median(imports), unit: "s"))
            figures.append(Figure(name: "sync after \(rowsEdited)", value: median(seconds), unit: "s"))
            figures.append(Figure(name: "pull of \(rowsEdited)", value: median(pulls), unit: "s"))
            figures.append(Figure(name: "sync after \(rowsEdited), on the wire", value: Double(bytes),
                                  unit: "bytes", target: .atMost(limit)))
        }
    }

    /// N of `accord sync`'s summary, "pushed … changes (…), pulled N fields; …".
    static func pulledFields(_ output: String) -> Int? {
        guard let range = output.range(of: "pulled ") else { return nil }
        return Int(output[range.upperBound...].prefix { $0.isNumber })
    }

    /// 20 analysts push new rows at once to a new server: accepted field changes per second from
    /// the start of the 20 syncs until the server has applied the last of their pushes (its
    /// store's latest `replicas.last_push_at`), the figure of issue 7's target; and over the wall
    /// time of the whole syncs, in which each writer also pulls what the 19 others pushed (19
    /// times as many fields as it pushed: 20 clones' worth of pulling). Medians of `runs` runs.
    private mutating func measureWriters() throws {
        let writers = 20, each = max(1, min(rows / writers, 500))
        var pushing: [Double] = [], whole: [Double] = []
        for _ in 0..<runs {
            let run = try writersRun(writers, each: each)
            pushing.append(run.pushing)
            whole.append(run.whole)
        }
        figures.append(Figure(name: "\(writers) writers pushing \(each) new rows each at once", value: median(pushing),
                              unit: "field changes/s", target: .atLeast(50_000)))
        figures.append(Figure(name: "\(writers) writers' whole syncs, each pulling the others' rows", value: median(whole),
                              unit: "field changes/s"))
    }

    /// One run of `measureWriters`, on a new server and new replicas: accepted changes per second
    /// until the last push was applied, and over the whole syncs.
    private func writersRun(_ writers: Int, each: Int) throws -> (pushing: Double, whole: Double) {
        commands.removeDatabase("writers.db")
        let token = try commands.accordServer(["token", "add", "writers", "--role", "editor", "--db", path("writers.db")]).output
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let server = try ServerRun(commands: commands, database: "writers.db")
        defer { server.stop() }
        let lines = try String(contentsOfFile: path("rows.csv"), encoding: .utf8).split(separator: "\n").map(String.init)
        for writer in 0..<writers {
            let replica = "writer-\(writer).db"
            commands.removeDatabase(replica)
            try commands.accord(["init", "--replica", path(replica), "--server", "127.0.0.1:\(server.port)", "--token", token,
                                 "--analyst", "writer\(writer)"])
            try commands.accord(["sync", "--replica", path(replica)])
            let mine = lines[(1 + (writer * each) % max(1, lines.count - 1))...].prefix(each)
            try ([lines[0]] + mine).joined(separator: "\n").write(toFile: path("writer-\(writer).csv"), atomically: true, encoding: .utf8)
            try commands.accord(["import", "--replica", path(replica), path("writer-\(writer).csv")])
        }
        // The files of the steps before (clones, replicas, copies: hundreds of megabytes) go to
        // disk first: the kernel writing them back during the 20 syncs moved this figure by a
        // fifth from one run to the next.
        try commands.run("sync", [])
        let commands = self.commands
        let startMillis = Date().timeIntervalSince1970 * 1000, start = Commands.now()
        let outputs = try concurrently(writers) { writer in
            try commands.accord(["sync", "--replica", commands.path("writer-\(writer).db")]).output
        }
        let seconds = Commands.now() - start
        let pushed = outputs.compactMap { output -> Int? in
            guard let range = output.range(of: "pushed ") else { return nil }
            return Int(output[range.upperBound...].prefix { $0.isNumber })
        }.reduce(0, +)
        // The server's wall clock, in milliseconds since 1970, when it applied the last push.
        let lastPush = try commands.run("sqlite3", [path("writers.db"), """
            SELECT CAST(round((julianday(max(last_push_at)) - 2440587.5) * 86400000) AS INTEGER) FROM replicas
            """]).output.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let lastPushMillis = Double(lastPush), lastPushMillis > startMillis else {
            throw BenchError("the writers' server store holds no push after the writers started (last_push_at: \(lastPush))")
        }
        return (Double(pushed) / ((lastPushMillis - startMillis) / 1000), Double(pushed) / seconds)
    }

    /// The server's peak resident memory while 5 new replicas clone the N rows at once.
    private mutating func measureCloneMemory() throws {
        server?.stop()
        let server = try ServerRun(commands: commands, database: "server-0.db")
        self.server = server
        let before = server.peakMemory
        let commands = self.commands, port = server.port, token = self.token
        _ = try concurrently(5) { clone in
            let replica = commands.path("clone-\(clone).db")
            try commands.accord(["init", "--replica", replica, "--server", "127.0.0.1:\(port)", "--token", token, "--analyst", "clone\(clone)"])
            return try commands.accord(["sync", "--replica", replica]).output
        }
        let mebibyte = 1024.0 * 1024.0
        figures.append(Figure(name: "server peak memory, 5 clones at once", value: Double(server.peakMemory) / mebibyte, unit: "MiB",
                              reference: "the server before", referenceValue: Double(before) / mebibyte, target: .atMost(150)))
    }

    /// Runs `count` bodies at once, a thread each; their results in order, or the first error.
    /// Not `DispatchQueue.concurrentPerform`: it runs as many bodies at a time as there are cores
    /// (two here), so "20 writers at once" were two at a time until session 8.
    private func concurrently(_ count: Int, _ body: @escaping @Sendable (Int) throws -> String) throws -> [String] {
        let lock = NSLock()
        let done = DispatchGroup()
        nonisolated(unsafe) var results = [Result<String, any Error>?](repeating: nil, count: count)
        for index in 0..<count {
            done.enter()
            Thread {
                let result = Result { try body(index) }
                lock.withLock { results[index] = result }
                done.leave()
            }.start()
        }
        done.wait()
        return try lock.withLock { results }.map { try $0!.get() }
    }
}
