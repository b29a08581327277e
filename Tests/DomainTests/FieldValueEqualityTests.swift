import Foundation
import Testing
@testable import Domain

@Suite struct FieldValueEqualityTests {
    @Test("text values are equal only when their bytes are, unlike Swift strings")
    func byteEquality() {
        let composed = "Caf\u{E9}", decomposed = "Cafe\u{301}"
        #expect(composed == decomposed) // Swift's canonical equivalence…
        #expect(FieldValue.text(composed) != FieldValue.text(decomposed)) // …is not what replicas store
        #expect(Set([FieldValue.text(composed), .text(decomposed)]).count == 2)
        #expect(FieldValue.text("a") == FieldValue.text("a"))
    }

    @Test("parsing stores text in NFC, so both spellings become the same bytes")
    func parsingNormalises() throws {
        let type = FieldType.text(maxLength: 200, multiline: false)
        #expect(try type.parse("Cafe\u{301}") == .text("Caf\u{E9}"))
        #expect(try type.parse("Caf\u{E9}") == .text("Caf\u{E9}"))
    }

    @Test("text below U+0300, which parsing does not normalise, is NFC already: alone and after a letter")
    func belowCombiningMarksIsNFC() {
        let scalars = (0..<0x300).compactMap(Unicode.Scalar.init).map(String.init)
        for prefix in ["", "A", "e", "o", "u", "c", "n", "s", "\u{E9}"] {
            for scalar in scalars {
                let text = prefix + scalar
                #expect(text.precomposedStringWithCanonicalMapping.utf8.elementsEqual(text.utf8), "\(text.unicodeScalars.map(\.value))")
            }
        }
    }

    @Test("a scalar is a control character exactly when Unicode's general category says Control")
    func controlCharacters() {
        var controls = 0
        for value in UInt32(0)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            #expect(scalar.isControl == (scalar.properties.generalCategory == .control), "U+\(String(value, radix: 16))")
            if scalar.isControl { controls += 1 }
        }
        #expect(controls == 65)
    }

    @Test("text over its length limit is refused, counted in characters, however few its bytes")
    func characterLimit() throws {
        let type = FieldType.text(maxLength: 5, multiline: false)
        #expect(try type.parse("ééééé") == .text("ééééé"))
        #expect(throws: ValidationError.self) { try type.parse("éééééé") }
        #expect(throws: ValidationError.self) { try type.parse("abcdef") }
        #expect(try type.parse("東京東京東") == .text("東京東京東"))
        #expect(throws: ValidationError.self) { try type.parse("東京東京東京") }
    }

    @Test("a character stacked with accents counts against a byte limit too")
    func byteLimit() {
        let stacked = "a" + String(repeating: "\u{301}", count: 300)
        #expect(stacked.count == 1)
        #expect(throws: ValidationError.self) { try FieldType.text(maxLength: 100, multiline: false).parse(stacked) }
    }
}
