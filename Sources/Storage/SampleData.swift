import Domain
import Foundation

/// The dataset built from the seed article, shipped as JSON lines in the package's resources.
public enum SampleData {
    /// The parsed rows of one entity of the sample.
    public static func rows(_ schema: EntitySchema) throws -> [Interchange.ImportedRow] {
        guard let url = Bundle.module.url(forResource: "sample-\(schema.name)", withExtension: "jsonl") else {
            throw StoreError(.notFound, "the sample \(schema.name) are missing from this build")
        }
        let text = try String(contentsOf: url, encoding: .utf8)
        do {
            return try Interchange.parseJSONLines(text, schema: schema)
        } catch {
            throw StoreError(.invalid, "sample-\(schema.name).jsonl \(error.description)")
        }
    }
}
