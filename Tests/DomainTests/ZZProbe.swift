import Foundation
import Testing
@testable import Domain

@Suite struct ZZProbe {
    @Test func probe() throws {
        let a = ExactDecimal("100000000000000000000000000000.000000000001")!
        let b = ExactDecimal("100000000000000000000000000000.000000000002")!
        print("PROBE big", a < b, b < a, a.decimal, b.decimal)
        let c = ExactDecimal("999999999999999999999999999999.999999999999")!
        print("PROBE c", c.decimal)
        for n in ["94.480", "1e6", "1.5e3", "17000000.00", "12345678901234567890.5", "1E2", "0.10"] {
            let r = try? Interchange.parseJSONLines("{\"title\":\"a\",\"party\":\"b\",\"amount\":\(n),\"currency\":\"GBP\"}", schema: .commitments)
            print("PROBE json", n, r?.first?.values["amount"] as Any)
        }
        print("PROBE uſd", CurrencyCode("uſd") as Any)
        print("PROBE year", (try? FieldType.year.parse("+2022")) as Any)
        let dup = try? Interchange.parseJSONLines(#"{"title":"a","party":"b","title":"c"}"#, schema: .commitments)
        print("PROBE dup", dup as Any)
        print("PROBE url", (try? FieldType.url.parse("https://user:pw@example.com")) as Any, (try? FieldType.url.parse("http://[::1]/")) as Any)
        print("PROBE tag newline", (try? FieldType.tags.parse("a\nb")) as Any)
        print("PROBE deleted key", (try? Interchange.parseJSONLines(#"{"title":"a","party":"b","deleted":1}"#, schema: .commitments)) as Any)
        print("PROBE csv bom quoted", (try? Interchange.parseCSV("\u{FEFF}\"title\",party\nA,B\n", schema: .commitments)) as Any)
    }
}
