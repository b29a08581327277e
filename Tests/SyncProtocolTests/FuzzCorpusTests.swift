import Foundation
import Testing
@testable import SyncProtocol

/// Replays the inputs the fuzz targets in `Tests/Fuzz` kept (the crashes they found and a
/// minimised set of inputs that cover the code) through the same harnesses, on every test run.
/// A harness stops the process when a rule breaks, so a regression fails loudly here too.
@Suite struct FuzzCorpusTests {
    /// `FuzzCorpus/<target>/`, beside this file.
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("FuzzCorpus")

    static func inputs(of target: String) throws -> [URL] {
        let folder = corpus.appendingPathComponent(target)
        return try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { !$0.lastPathComponent.hasPrefix(".") }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    func replay(_ target: String, through harness: (UnsafeRawBufferPointer) -> Void) throws {
        let files = try Self.inputs(of: target)
        #expect(!files.isEmpty, "no corpus for \(target)")
        for file in files {
            try Data(contentsOf: file).withUnsafeBytes(harness)
        }
    }

    @Test("the line framer's corpus frames as the model says")
    func lineFramer() throws {
        try replay("LineFramer", through: FuzzEntryPoints.lineFramer)
    }

    @Test("the inflater's corpus inflates within its limits")
    func inflater() throws {
        try replay("Inflater", through: FuzzEntryPoints.inflater)
    }

    @Test("the message decoder's corpus re-encodes to the same messages")
    func messageDecoding() throws {
        try replay("MessageDecoding", through: FuzzEntryPoints.messageDecoding)
    }
}
