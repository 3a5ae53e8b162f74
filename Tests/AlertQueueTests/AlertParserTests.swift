import Testing

@testable import AlertQueue

@Suite struct AlertParserTests {
    static let valid =
        #"{"alert_id":"a038d3ae-814c-4647-b442-0c3cc7099d73","rule_id":"RULE-003","#
        + #""source_ip":"185.220.101.1","severity":"HIGH","timestamp":"2026-12-03T16:07:40.707364Z"}"#

    func parse(_ text: String, expectedID: String? = nil) -> Result<Alert, DeadLetterReason> {
        AlertParser.parse(Array(text.utf8), expectedID: expectedID)
    }

    func reason(_ text: String, expectedID: String? = nil) -> DeadLetterReason? {
        if case .failure(let reason) = parse(text, expectedID: expectedID) { return reason }
        return nil
    }

    @Test func readsAValidAlert() throws {
        let alert = try parse(Self.valid).get()
        #expect(alert.id == "a038d3ae-814c-4647-b442-0c3cc7099d73")
        #expect(alert.sourceIP == "185.220.101.1")
        #expect(alert.fieldNames.contains("rule_id"))
    }

    @Test func acceptsIPv6AndIdsThatAreNotUUIDs() throws {
        let alert = try parse(#"{"alert_id":"custom id 7","source_ip":"2001:db8::1"}"#).get()
        #expect(alert.id == "custom id 7")
    }

    @Test(arguments: [
        ("not-json", DeadLetterReason.Category.malformed),
        ("", .malformed),
        ("   \n", .malformed),
        ("[1,2,3]", .malformed),
        (#""just a string""#, .malformed),
        (#"{"source_ip":"8.8.8.8"}"#, .invalidID),
        (#"{"alert_id":7,"source_ip":"8.8.8.8"}"#, .invalidID),
        (#"{"alert_id":"../etc/passwd","source_ip":"8.8.8.8"}"#, .invalidID),
        (#"{"alert_id":"a/b","source_ip":"8.8.8.8"}"#, .invalidID),
        (#"{"alert_id":"a\u0000b","source_ip":"8.8.8.8"}"#, .invalidID),
        (#"{"alert_id":"a\nb","source_ip":"8.8.8.8"}"#, .invalidID),
        (#"{"alert_id":".hidden","source_ip":"8.8.8.8"}"#, .invalidID),
        (#"{"alert_id":"","source_ip":"8.8.8.8"}"#, .invalidID),
        (#"{"alert_id":"x","alert_id":"y","source_ip":"8.8.8.8"}"#, .invalidID),
        (#"{"alert_id":"x"}"#, .invalidSourceIP),
        (#"{"alert_id":"x","source_ip":""}"#, .invalidSourceIP),
        (#"{"alert_id":"x","source_ip":"999.1.1.1"}"#, .invalidSourceIP),
        (#"{"alert_id":"x","source_ip":"evil.example.com"}"#, .invalidSourceIP),
        (#"{"alert_id":"x","source_ip":"fe80::1%eth0"}"#, .invalidSourceIP),
        (#"{"alert_id":"x","source_ip":["8.8.8.8"]}"#, .invalidSourceIP),
    ])
    func refuses(_ input: String, _ category: DeadLetterReason.Category) {
        #expect(reason(input)?.category == category, "\(input)")
    }

    @Test func refusesAnIdLongerThan128Bytes() {
        let id = String(repeating: "a", count: 300)
        #expect(reason(#"{"alert_id":"\#(id)","source_ip":"8.8.8.8"}"#)?.category == .invalidID)
    }

    @Test func refusesDeepNestingWithoutRecursing() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(reason(deep)?.detail.contains("nested") == true)
        let deepInside = #"{"alert_id":"x","source_ip":"8.8.8.8","n":"# + deep + "}"
        #expect(reason(deepInside)?.category == .malformed)
    }

    @Test func refusesBinaryAndNonUTF8() {
        #expect(AlertParser.parse([0xFF, 0xFE, 0x00, 0x7B]).failureCategory == .malformed)
        #expect(
            AlertParser.parse(
                Array(#"{"alert_id":"x","source_ip":"8.8.8.8","n":""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8)
            ).failureCategory == .malformed)
    }

    @Test func refusesPayloadsOverTheSizeLimit() {
        let big = [UInt8](repeating: UInt8(ascii: " "), count: AlertParser.maximumSize + 1)
        #expect(AlertParser.parse(big).failureCategory == .malformed)
    }

    @Test func nestedKeysNamedLikeTheIdAreNotDuplicates() throws {
        let text = #"{"alert_id":"x","note":"alert_id","meta":{"alert_id":"y"},"source_ip":"8.8.8.8"}"#
        #expect(try parse(text).get().id == "x")
    }

    @Test func theIdMustMatchTheFileName() {
        #expect(reason(Self.valid, expectedID: "other")?.category == .invalidID)
        #expect((try? parse(Self.valid, expectedID: "a038d3ae-814c-4647-b442-0c3cc7099d73").get()) != nil)
    }

    @Test func identifiesTheIdOfAnAlertThatIsOtherwiseBroken() {
        #expect(AlertParser.identify(Array(#"{"alert_id":"abc","source_ip":"999.0.0.1"}"#.utf8)) == "abc")
        #expect(AlertParser.identify(Array(#"{"alert_id":"../x"}"#.utf8)) == nil)
        #expect(AlertParser.identify(Array("not-json".utf8)) == nil)
    }

    @Test(arguments: [
        ("", "empty alert_id"), (".hidden", "alert_id starts with a dot"), ("a..b", "alert_id contains '..'"),
        ("a/../b", "alert_id contains '..'"), ("etc/passwd", "alert_id contains a path separator"),
        (#"a\b"#, "alert_id contains a path separator"), ("a\u{0}b", "alert_id contains a control character"),
        ("line\nbreak", "alert_id contains a control character"),
        ("del\u{7F}", "alert_id contains a control character"),
        (String(repeating: "x", count: 129), "alert_id longer than 128 bytes"),
    ])
    func unsafeIdsSayWhy(id: String, problem: String) {
        #expect(AlertID.problem(with: id) == problem)
    }

    @Test(arguments: [
        "a038d3ae-814c-4647-b442-0c3cc7099d73", "bad.json", "with spaces", "a.b.c", "ünïcödé-日本", "x.",
        String(repeating: "x", count: 128),
    ])
    func plainTokensAreSafeIds(id: String) {
        #expect(AlertID.problem(with: id) == nil)
    }

    @Test func fallbackIdsAreStableAndSafe() {
        let one = AlertID.fallback(for: Array("not-json".utf8))
        #expect(one == AlertID.fallback(for: Array("not-json".utf8)))
        #expect(one != AlertID.fallback(for: Array("not-json!".utf8)))
        #expect(AlertID.isSafe(one))
        #expect(one.hasPrefix("invalid-"))
    }
}

extension Result where Failure == DeadLetterReason {
    var failureCategory: DeadLetterReason.Category? {
        if case .failure(let reason) = self { return reason.category }
        return nil
    }
}
