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

    @Test("text holds a control character, read from its bytes, exactly when one of its scalars is one")
    func controlCharactersInText() {
        let others = ["a", " ", "é", "\u{A0}", "\u{100}", "\u{2028}", "🇲🇾", "\u{C2}\u{A0}", "\u{7E}"]
        let controls = (UInt32(0)...0xA0).compactMap(Unicode.Scalar.init).map { String($0) }
        for left in others + ["\n", "\t"] {
            for right in controls + others {
                let text = left + right + "x"
                for allowingLineBreaks in [false, true] {
                    let expected = text.unicodeScalars.contains { $0.isControl && !(allowingLineBreaks && ($0 == "\n" || $0 == "\t")) }
                    #expect(text.containsControl(allowingLineBreaks: allowingLineBreaks) == expected, "\(text.debugDescription)")
                }
            }
        }
    }

    @Test("trimming drops white space at both ends, ASCII or not, and keeps everything between")
    func trimming() {
        let cases: [(String, String)] = [
            ("abc", "abc"), (" abc ", "abc"), ("\tabc\r\n", "abc"), ("\u{A0}abc\u{2003}", "abc"), ("a b", "a b"),
            ("\u{85}x", "x"), ("x\u{200B}", "x\u{200B}"), ("e\u{301}", "e\u{301}"), ("  ", ""), ("", ""), ("\r\n", ""),
        ]
        for (text, expected) in cases {
            #expect(text.trimmed == expected, "\(text.debugDescription)")
        }
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
