import Testing

@testable import ThreatIntel

@Suite("Retry-After")
struct RetryAfterTests {
    /// Sun, 06 Nov 1994 08:49:37 GMT, the example date of the HTTP RFCs.
    static let exampleDate: Int64 = 784_111_777

    @Test("reads delay-seconds")
    func seconds() {
        #expect(RetryAfter.delay(fromHeader: "5") == .seconds(5))
        #expect(RetryAfter.delay(fromHeader: " 0 ") == .zero)
        #expect(RetryAfter.delay(fromHeader: "1\r\n") == .seconds(1))
    }

    @Test("caps long waits")
    func caps() {
        #expect(RetryAfter.delay(fromHeader: "3600") == .seconds(60))
        #expect(RetryAfter.delay(fromHeader: "99999999999999999999999") == .seconds(60))
        #expect(RetryAfter.delay(fromHeader: "30", limit: .seconds(10)) == .seconds(10))
    }

    @Test("falls back to one second for missing or garbage values", arguments: [nil, "", "soon", "-5", "1.5", "5s"])
    func garbage(value: String?) {
        #expect(RetryAfter.delay(fromHeader: value) == .seconds(1))
    }

    @Test("reads an IMF-fixdate relative to now")
    func dates() {
        let date = "Sun, 06 Nov 1994 08:49:37 GMT"
        #expect(RetryAfter.epochSeconds(fromIMFFixdate: date) == Self.exampleDate)
        #expect(RetryAfter.delay(fromHeader: date, now: Self.exampleDate - 7) == .seconds(7))
        #expect(RetryAfter.delay(fromHeader: date, now: Self.exampleDate + 100) == .zero)
        #expect(RetryAfter.delay(fromHeader: date, now: Self.exampleDate - 7_200) == .seconds(60))
    }

    @Test("computes calendar days, leap years included")
    func calendar() {
        #expect(RetryAfter.daysSinceEpoch(year: 1970, month: 1, day: 1) == 0)
        #expect(RetryAfter.daysSinceEpoch(year: 2000, month: 3, day: 1) == 11_017)
        #expect(RetryAfter.epochSeconds(fromIMFFixdate: "Thu, 29 Feb 2024 23:59:59 GMT") == 1_709_251_199)
    }

    @Test(
        "refuses malformed dates",
        arguments: [
            "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994", "Sun, 06 Nov 1994 08:49:37 UTC",
            "Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 32 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 24:00:00 GMT",
            "Sun, 6 Nov 1994 08:49:37 GMT",
        ])
    func malformedDates(text: String) {
        #expect(RetryAfter.epochSeconds(fromIMFFixdate: text) == nil)
        #expect(RetryAfter.delay(fromHeader: text) == .seconds(1))
    }
}
