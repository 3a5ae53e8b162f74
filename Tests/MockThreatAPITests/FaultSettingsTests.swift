import Testing

@testable import MockThreatAPI

@Suite("Fault settings")
struct FaultSettingsTests {
    @Test("parameters change only the settings they name")
    func applyingParameters() throws {
        let start = FaultSettings(latencyMilliseconds: 7, rateLimit: 3)
        let changed = try start.applying([("error_rate", "0.25"), ("jitter_ms", "4"), ("down", "true")])
        let expected = FaultSettings(
            latencyMilliseconds: 7, jitterMilliseconds: 4, errorRate: 0.25, rateLimit: 3, down: true)
        #expect(changed == expected)
    }

    @Test("rate_limit takes a count, or off/none/null/empty for no limit", arguments: ["off", "none", "null", ""])
    func rateLimitOff(text: String) throws {
        let limited = try FaultSettings().applying([("rate_limit", "0")])
        #expect(limited.rateLimit == 0)
        #expect(try limited.applying([("rate_limit", text)]).rateLimit == nil)
    }

    @Test(
        "unknown names and out-of-range values are refused",
        arguments: [
            ("latency", "5"), ("latency_ms", "-1"), ("latency_ms", "abc"), ("error_rate", "1.5"),
            ("hang_rate", "nan"), ("rate_limit", "-3"), ("down", "maybe"), ("hang_ms", "999999999"),
        ])
    func refused(parameter: (String, String)) {
        #expect(throws: FaultSettingsError.self) {
            try FaultSettings().applying([parameter])
        }
    }

    @Test("JSON settings round-trip through the admin parser")
    func jsonRoundTrip() throws {
        let settings = FaultSettings(
            latencyMilliseconds: 5, jitterMilliseconds: 2, errorRate: 0.5, rateLimit: nil, hangRate: 0.125,
            hangMilliseconds: 900, down: true)
        let parsed = try FlatJSONObject.parse(Array(settings.json.utf8))
        #expect(try FaultSettings().applying(parsed) == settings)
    }

    @Test("the admin JSON parser takes flat objects only")
    func flatJSON() throws {
        let text = #" { "a" : "x\"y\u0041" , "b":-1.5e2,"c":true,"d":null } "#
        let fields = try FlatJSONObject.parse(Array(text.utf8))
        #expect(fields.map(\.name) == ["a", "b", "c", "d"])
        #expect(fields.map(\.value) == ["x\"yA", "-1.5e2", "true", "null"])
        #expect(try FlatJSONObject.parse(Array("{}".utf8)).isEmpty)
        for bad in [#"{"a":{}}"#, #"{"a":[1]}"#, #"{"a":1"#, "[]", #"{"a":1} x"#, #"{"a":nope}"#, "", #"{"a"}"#] {
            #expect(throws: FlatJSONObject.SyntaxError.self, "\(bad)") { try FlatJSONObject.parse(Array(bad.utf8)) }
        }
    }
}
