import Foundation

/// Writes lines to standard output or to a file, in 64 KiB chunks. A file is written under a
/// temporary name and moved into place by `finish()`, so a failed export leaves the old one.
final class LineWriter {
    private let handle: FileHandle
    private let temporaryPath: String?
    private let finalPath: String?
    private var buffer = Data()

    init(path: String?) throws {
        guard let path else {
            handle = .standardOutput
            temporaryPath = nil
            finalPath = nil
            return
        }
        let temporary = path + ".\(UUID().uuidString).tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: nil),
              let handle = FileHandle(forWritingAtPath: temporary) else {
            throw CLIError.missing("cannot write \(path)")
        }
        self.handle = handle
        temporaryPath = temporary
        finalPath = path
    }

    func write(line: String) throws {
        buffer.append(contentsOf: line.utf8)
        buffer.append(0x0A)
        if buffer.count >= 64 * 1024 { try flush() }
    }

    private func flush() throws {
        try handle.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    func finish() throws {
        try flush()
        guard let temporaryPath, let finalPath else { return }
        try handle.close()
        // rename(2) replaces an existing file atomically.
        guard rename(temporaryPath, finalPath) == 0 else { throw CLIError.missing("cannot write \(finalPath)") }
    }

    deinit {
        if let temporaryPath { try? FileManager.default.removeItem(atPath: temporaryPath) }
    }
}
