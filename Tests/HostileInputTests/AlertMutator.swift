import TestSupport

/// Random mutations of valid alerts, for fuzzing: byte flips, insertions of JSON's structural characters
/// and of hostile values, deletions, duplications, truncations, splices and deep nesting.
struct AlertMutator {
    var random: SeededRandom

    init(seed: UInt64) {
        random = SeededRandom(seed: seed)
    }

    static let hostileIDs = [
        "../x", "a/b", "..", ".", "", "\\u0000", "\\n", String(repeating: "i", count: 129), "\\u002e\\u002e\\u002f",
        "\\\\", "a\\\\b", "\\ud800", "✓", " ", "x\\ty", "CON", "a\\u0000b",
    ]
    static let hostileIPs = [
        "999.1.1.1", "fe80::1%eth0", "", " ", "localhost", "1.2.3", "::", "::1", "1.2.3.4\\u0000", "0x7f.1",
        "2001:db8::1", "::ffff:1.2.3.4", "01.2.3.4", "1.2.3.4/24", String(repeating: "1", count: 100),
    ]
    static let tokens = [
        "{", "}", "[", "]", "\"", ":", ",", "\\", "\\u0000", "\\ud800", "\\u", "null", "true", "1e999", "-0",
        "\"alert_id\":\"dup\",", "\"source_ip\":\"8.8.8.8\",", "\"alert\\u005fid\":\"x\",", "\"enrichment\":{},",
        "\"processed_at\":1,", "\u{00}", "\u{FEFF}", "é", "\u{10FFFF}", "/*", "NaN", "0000000001",
    ]

    /// A valid alert; some carry extra fields, some already an `enrichment` (a record fed back in).
    mutating func validAlert(id: String) -> [UInt8] {
        let ips = ["185.220.101.1", "8.8.8.8", "10.0.1.50", "2001:db8::7", "203.0.113.10"]
        var fields = [
            #""alert_id":"\#(id)""#, #""rule_id":"RULE-00\#(Int.random(in: 1...8, using: &random))""#,
            #""source_ip":"\#(ips.randomElement(using: &random)!)""#, #""severity":"HIGH""#,
            #""timestamp":"2026-12-03T16:07:40.707364Z""#,
        ]
        switch Int.random(in: 0..<4, using: &random) {
        case 0: fields.append(#""tags":["a",{"b":[1,2.5e3,null,false]}],"note":"naïve ✓ \"q\" \u2028""#)
        case 1: fields.append(#""enrichment":{"verdict":"clean"},"processed_at":"2026-01-01T00:00:00Z""#)
        case 2: fields.append(#""count":-12,"ratio":0.25,"empty":{},"list":[]"#)
        default: break
        }
        fields.shuffle(using: &random)
        return Array(("{" + fields.joined(separator: ",") + "}").utf8)
    }

    /// `bytes` after one to three random mutations.
    mutating func mutate(_ bytes: [UInt8], donor: [UInt8]) -> [UInt8] {
        var result = bytes
        for _ in 0..<Int.random(in: 1...3, using: &random) {
            result = mutateOnce(result, donor: donor)
        }
        return result
    }

    private mutating func mutateOnce(_ bytes: [UInt8], donor: [UInt8]) -> [UInt8] {
        var result = bytes
        let position = result.isEmpty ? 0 : Int.random(in: 0..<result.count, using: &random)
        switch Int.random(in: 0..<12, using: &random) {
        case 0 where !result.isEmpty:
            result[position] ^= UInt8(1) << UInt8.random(in: 0...7, using: &random)
        case 1 where !result.isEmpty:
            result[position] = UInt8.random(in: 0...255, using: &random)
        case 2:
            result.insert(contentsOf: Array(Self.tokens.randomElement(using: &random)!.utf8), at: position)
        case 3 where !result.isEmpty:
            let end = min(result.count, position + Int.random(in: 1...16, using: &random))
            result.removeSubrange(position..<end)
        case 4 where !result.isEmpty:
            let end = min(result.count, position + Int.random(in: 1...32, using: &random))
            result.insert(contentsOf: result[position..<end], at: position)
        case 5:
            result = Array(result.prefix(position))
        case 6:
            result = replaceValue(of: "alert_id", in: result, with: Self.hostileIDs.randomElement(using: &random)!)
        case 7:
            result = replaceValue(of: "source_ip", in: result, with: Self.hostileIPs.randomElement(using: &random)!)
        case 8:
            let depth = [2, 31, 32, 33, 200, 5000].randomElement(using: &random)!
            let wrapped = String(repeating: "[", count: depth).utf8 + result + String(repeating: "]", count: depth).utf8
            result = Array(wrapped)
        case 9:
            let cut = donor.isEmpty ? 0 : Int.random(in: 0..<donor.count, using: &random)
            result = Array(result.prefix(position)) + Array(donor.suffix(from: cut))
        case 10:
            result.insert(
                contentsOf: Array(
                    #","x\#(position)":\#(["1", "\"s\"", "[]", "{}", "null"].randomElement(using: &random)!)"#.utf8),
                at: max(result.count - 1, 0))
        default:
            if let index = result.firstIndex(of: UInt8(ascii: ":")) {
                result.insert(contentsOf: Array(" \n\t ".utf8), at: index + 1)
            }
        }
        return result
    }

    /// Replaces the first string value of `key` (the raw text between its quotes) with `value`.
    private func replaceValue(of key: String, in bytes: [UInt8], with value: String) -> [UInt8] {
        let needle = Array("\"\(key)\":\"".utf8)
        guard let start = bytes.firstRange(of: needle)?.upperBound,
            let end = bytes[start...].firstIndex(of: UInt8(ascii: "\""))
        else { return bytes }
        return Array(bytes[..<start]) + Array(value.utf8) + Array(bytes[end...])
    }
}
