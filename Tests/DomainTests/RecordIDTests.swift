import Testing
@testable import Domain

@Suite struct RecordIDTests {
    static let hex = Set("0123456789abcdef")

    @Test("A generated id is a lowercase 36-character UUID with version 7 and the RFC variant")
    func generatedShape() {
        var generator = SeededRandom(seed: 42)
        for step in 0..<500 {
            let text = Array(RecordID.generate(at: 1_752_136_200_000 + Int64(step), using: &generator).text)
            #expect(text.count == 36)
            #expect([8, 13, 18, 23].allSatisfy { text[$0] == "-" })
            #expect(text.enumerated().allSatisfy { [8, 13, 18, 23].contains($0.offset) || Self.hex.contains($0.element) })
            #expect(text[14] == "7")
            #expect("89ab".contains(text[19]))
        }
    }

    @Test("The first 48 bits of a generated id are the Unix milliseconds")
    func timePrefix() {
        var generator = SeededRandom(seed: 1)
        #expect(RecordID.generate(at: 0x018F_3A2B_4C5D, using: &generator).text.hasPrefix("018f3a2b-4c5d-7"))
        #expect(RecordID.generate(at: 1_752_136_200_000, using: &generator).text.hasPrefix("0197f374-af40-7"))
        #expect(RecordID.generate(at: 0, using: &generator).text.hasPrefix("00000000-0000-7"))
    }

    @Test("Ids generated at increasing milliseconds sort in that order")
    func sortByTime() {
        var generator = SeededRandom(seed: 7)
        let millis: [Int64] = [1_752_136_200_000, 1_752_136_200_001, 1_752_136_200_255, 1_752_136_200_256,
                               1_752_136_265_536, 1_800_000_000_000, 2_000_000_000_000]
        let ids = millis.map { RecordID.generate(at: $0, using: &generator) }
        #expect(ids.sorted() == ids)
        #expect(ids.map(\.text).sorted() == ids.map(\.text))
    }

    @Test("The same seed and time give the same id, different seeds different ids")
    func deterministic() {
        var first = SeededRandom(seed: 99)
        var second = SeededRandom(seed: 99)
        var other = SeededRandom(seed: 100)
        let a = RecordID.generate(at: 1000, using: &first)
        #expect(a == RecordID.generate(at: 1000, using: &second))
        #expect(a != RecordID.generate(at: 1000, using: &other))
    }

    @Test("Ids from the system generator are distinct and well formed")
    func systemGenerated() {
        let ids = (0..<1000).map { _ in RecordID.generate() }
        #expect(Set(ids).count == 1000)
        #expect(ids.allSatisfy { Array($0.text)[14] == "7" })
    }

    @Test("Parsing accepts capitals and normalises to lowercase")
    func parsesUppercase() {
        let id = RecordID("01890A5D-AC96-774B-BCCE-B302099A8057")
        #expect(id?.text == "01890a5d-ac96-774b-bcce-b302099a8057")
        #expect(id == RecordID("01890a5d-ac96-774b-bcce-b302099a8057"))
        #expect(id?.description == "01890a5d-ac96-774b-bcce-b302099a8057")
    }

    @Test("Parsing accepts UUIDs of other versions")
    func otherVersions() {
        #expect(RecordID("123e4567-e89b-42d3-a456-426614174000") != nil)
    }

    @Test("Malformed ids are refused",
          arguments: ["", "not-an-id", "01890a5d-ac96-774b-bcce-b302099a805", "01890a5d-ac96-774b-bcce-b302099a80577",
                      "01890a5dac96774bbcceb302099a8057", "{01890a5d-ac96-774b-bcce-b302099a8057}",
                      "01890a5d-ac96-774b-bcce-b302099a805g", "01890a5d-ac96-774b-bcceb-302099a8057",
                      " 01890a5d-ac96-774b-bcce-b302099a8057", "01890a5d--ac96-774b-bcce-b302099a8057",
                      "01890a5d-ac96-774b-bcce-b302099a8057-"])
    func malformed(text: String) {
        #expect(RecordID(text) == nil)
    }

    @Test("Non-ASCII look-alike hex digits are refused")
    func fullwidthDigits() {
        // U+FF10 FULLWIDTH DIGIT ZERO and U+FF41 FULLWIDTH LATIN SMALL LETTER A.
        #expect(RecordID("０1890a5d-ac96-774b-bcce-b302099a8057") == nil)
        #expect(RecordID("01890a5d-ac96-774b-bcce-b302099ａ8057") == nil)
    }

    @Test("Parsing agrees with the 8-4-4-4-12 definition on every one-character change of an id")
    func parsingMatchesDefinition() {
        // The definition, written plainly: lowercase, five groups of hex digits split by hyphens.
        func definition(_ raw: String) -> String? {
            let lower = raw.lowercased()
            let groups = lower.split(separator: "-", omittingEmptySubsequences: false)
            guard groups.map(\.count) == [8, 4, 4, 4, 12],
                  groups.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isHexDigit } }) else { return nil }
            return lower
        }
        let id = Array("01890a5d-ac96-774b-bcce-b302099a8057")
        let replacements: [Character] = ["-", "0", "9", "a", "f", "A", "F", "g", "G", "/", ":", "@", "`", " ", "é", "０", "\u{301}"]
        var checked = 0
        for index in id.indices {
            for replacement in replacements {
                var changed = id
                changed[index] = replacement
                let text = String(changed)
                #expect(RecordID(text)?.text == definition(text), "\(text)")
                var inserted = id
                inserted.insert(replacement, at: index)
                #expect(RecordID(String(inserted))?.text == definition(String(inserted)), "\(String(inserted))")
                checked += 2
            }
        }
        #expect(checked == 36 * replacements.count * 2)
    }

}
