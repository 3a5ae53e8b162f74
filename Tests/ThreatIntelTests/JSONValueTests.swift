import Testing

@testable import ThreatIntel

@Suite("JSONValue")
struct JSONValueTests {
    @Test("parses every kind of value, keeping member order")
    func parsesAllKinds() throws {
        let value = try JSONValue(parsing: #" {"z":null,"a":[true,false],"n":-12,"d":2.5e3,"s":"x"} "#)
        #expect(value == ["z": nil, "a": [true, false], "n": -12, "d": 2500.0, "s": "x"])
        #expect(value.objectMembers?.map(\.key) == ["z", "a", "n", "d", "s"])
    }

    @Test("keeps integers apart from fractional numbers")
    func numbers() throws {
        #expect(try JSONValue(parsing: "95") == .int(95))
        #expect(try JSONValue(parsing: "-0") == .int(0))
        #expect(try JSONValue(parsing: "1.0") == .double(1.0))
        #expect(try JSONValue(parsing: "1e2") == .double(100))
        #expect(try JSONValue(parsing: "9223372036854775807") == .int(Int.max))
        // Beyond Int the number survives as a double, as in JavaScript.
        #expect(try JSONValue(parsing: "9223372036854775808") == .double(9_223_372_036_854_775_808))
    }

    @Test(
        "rejects malformed text",
        arguments: [
            "", " ", "{", "[1,]", "{\"a\":1,}", "01", "1.", ".5", "-", "1e", "+1", "tru", "nul", "[1 2]",
            "{\"a\" 1}", "{a:1}", "'x'", "\"unterminated", "\"bad \\x escape\"", "\"\\u12\"", "1 2",
            "\"tab\tinside\"", "{\"a\":1,\"a\":2}", "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "1e999",
            "// comment\n1", "[1]]",
        ])
    func rejectsMalformed(text: String) {
        #expect(throws: JSONParseError.self) {
            try JSONValue(parsing: text)
        }
    }

    @Test("rejects invalid UTF-8 inside strings")
    func rejectsInvalidUTF8() {
        let bytes: [UInt8] = [0x22, 0xC3, 0x28, 0x22]
        #expect(throws: JSONParseError.self) {
            try JSONValue(parsing: bytes)
        }
        let escaped: [UInt8] = Array(#""\n"#.utf8) + [0xFF, 0x22]
        #expect(throws: JSONParseError.self) {
            try JSONValue(parsing: escaped)
        }
    }

    @Test("reads escapes, surrogate pairs and raw UTF-8")
    func readsEscapes() throws {
        let value = try JSONValue(parsing: #""a\"b\\c\/d\b\f\n\r\t\u00e9\ud83d\ude00 é😀""#)
        #expect(value == .string("a\"b\\c/d\u{8}\u{c}\n\r\té😀 é😀"))
    }

    @Test("refuses 10,000-deep nesting with an error, not a stack overflow")
    func deepNesting() {
        let arrays =
            [UInt8](repeating: UInt8(ascii: "["), count: 10_000)
            + [UInt8](repeating: UInt8(ascii: "]"), count: 10_000)
        #expect {
            try JSONValue(parsing: arrays)
        } throws: { error in
            (error as? JSONParseError)?.reason == "nesting deeper than \(JSONValue.defaultMaximumDepth)"
        }
        let objects = String(repeating: #"{"a":"#, count: 10_000) + "1" + String(repeating: "}", count: 10_000)
        #expect(throws: JSONParseError.self) {
            try JSONValue(parsing: objects)
        }
    }

    @Test("accepts nesting up to the limit")
    func nestingAtLimit() throws {
        let depth = JSONValue.defaultMaximumDepth
        let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        _ = try JSONValue(parsing: text)
        #expect(throws: JSONParseError.self) {
            try JSONValue(parsing: "[" + text + "]")
        }
    }

    @Test("serializes compactly, in order")
    func serializes() {
        let value: JSONValue = ["verdict": "clean", "score": 0, "ratio": 0.5, "tags": ["a", nil, true], "none": [:]]
        #expect(value.serialized() == #"{"verdict":"clean","score":0,"ratio":0.5,"tags":["a",null,true],"none":{}}"#)
        #expect(JSONValue.array([]).serialized() == "[]")
        #expect(JSONValue.double(.infinity).serialized() == "null")
        #expect(JSONValue.double(-1e-5).serialized() == "-1e-05")
    }

    @Test("escapes quotes, backslashes and control characters")
    func escapes() {
        let value = JSONValue.string("q\"b\\n\nr\rt\tnul\u{0}del\u{7F}é")
        #expect(value.serialized() == #""q\"b\\n\nr\rt\tnul\u0000del\u007fé""#)
    }

    @Test("round-trips through text")
    func roundTrips() throws {
        let text = #"{"a":[1,-2.25,"x\"y",{"b":null}],"c":false,"d":"\u0001"}"#
        let value = try JSONValue(parsing: text)
        #expect(value.serialized() == text)
        #expect(try JSONValue(parsing: value.serialized()) == value)
    }

    @Test("looks up members by name")
    func subscripts() {
        let value: JSONValue = ["a": 1, "b": "two"]
        #expect(value["b"]?.stringValue == "two")
        #expect(value["missing"] == nil)
        #expect(JSONValue.array([1])["a"] == nil)
    }
}
