import AlertQueue
import Foundation

/// One hostile queue entry and what the processor must make of it.
struct HostileEntry: Sendable {
    enum Outcome: Sendable, Equatable {
        case processed
        /// Dead-lettered with a reason containing this text.
        case deadLettered(String)
        /// Either, as long as it is exactly one of them (input whose reading parsers legitimately disagree on).
        case either
    }

    /// How the entry is put in the directory queue's `pending/`.
    enum Setup: Sendable {
        case bytes([UInt8])
        case symlink(to: String)
        case directory
        case fifo
        /// Written in place, a chunk every 100 ms for about a second, as the reference lab's collector does.
        case slowWriter([UInt8])
    }

    var label: String
    /// The file name without `.json` in the directory queue.
    var stem: String
    var setup: Setup
    var directoryOutcome: Outcome
    /// nil when the entry has no Redis form (symlinks, directories, file names).
    var redisOutcome: Outcome?

    var payload: [UInt8]? {
        switch setup {
        case .bytes(let bytes), .slowWriter(let bytes): bytes
        default: nil
        }
    }

    /// The id the directory queue files this entry under: its name when safe, else a stable fallback.
    var directoryID: String {
        AlertID.isSafe(stem) ? stem : AlertID.fallback(for: "\(stem).json".utf8)
    }

    /// The id the Redis queue files this entry under: the payload's usable id, else a stable fallback.
    var redisID: String {
        let bytes = payload ?? []
        if case .success(let alert) = AlertParser.parse(bytes) { return alert.id }
        return AlertParser.identify(bytes) ?? AlertID.fallback(for: bytes)
    }
}

/// Text no processor output, record or dead letter may ever contain: it lives only in files outside the
/// queue root.
let outsideMarker = "OUTSIDE-MARKER-7d1e0c55"

/// The hostile corpus. `outside` is the directory beside the queue root whose files must stay untouched;
/// `escapeName` is a file name under /tmp that an id tries to reach with `../`.
func hostileCorpus(outside: String, escapeName: String) -> [HostileEntry] {
    var entries: [HostileEntry] = []
    /// An entry both queues take; `redis` when the Redis queue's outcome differs.
    func add(
        _ label: String, _ stem: String, _ bytes: [UInt8], _ outcome: HostileEntry.Outcome,
        redis: HostileEntry.Outcome? = nil
    ) {
        entries.append(
            HostileEntry(
                label: label, stem: stem, setup: .bytes(bytes), directoryOutcome: outcome,
                redisOutcome: redis ?? outcome))
    }
    func text(_ string: String) -> [UInt8] { Array(string.utf8) }
    func alert(_ id: String, ip: String = "185.220.101.1", extra: String = "") -> String {
        #"{"alert_id":"\#(id)","rule_id":"RULE-001","source_ip":"\#(ip)","severity":"HIGH","timestamp":"2026-12-03T16:07:40.707364Z"\#(extra)}"#
    }

    // Not an alert at all.
    add("not JSON", "h-not-json", text("not-json"), .deadLettered("malformed: not valid JSON"))
    add("empty file", "h-empty", [], .deadLettered("malformed: empty"))
    add(
        "binary data", "h-binary", (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 37) },
        .deadLettered("not valid UTF-8"))
    add(
        "non-UTF-8 bytes", "h-latin1",
        text(#"{"alert_id":"h-latin1","source_ip":"1.2.3.4","note":"caf"#) + [0xE9, 0xFF] + text(#""}"#),
        .deadLettered("not valid UTF-8"))
    let padding = String(repeating: "a", count: 50 * 1024 * 1024)
    add("50 MB file", "h-huge", text(alert("h-huge", extra: #","pad":"\#(padding)""#)), .deadLettered("larger than"))
    add(
        "arrays nested 10,000 deep", "h-deep-arrays",
        text(String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)),
        .deadLettered("nested deeper"))
    add(
        "objects nested 10,000 deep", "h-deep-objects",
        text(String(repeating: #"{"a":"#, count: 10_000) + "1" + String(repeating: "}", count: 10_000)),
        .deadLettered("nested deeper"))
    add("a JSON array", "h-array", text("[" + alert("h-array") + "]"), .deadLettered("not a JSON object"))
    add("trailing garbage", "h-trailing", text(alert("h-trailing") + " xyz"), .deadLettered("not valid JSON"))
    add(
        "a trailing comma", "h-trailing-comma",
        text(alert("h-trailing-comma", extra: ",").replacingOccurrences(of: ",}", with: ", }")),
        .deadLettered("trailing comma"))
    add(
        "a trailing comma inside", "h-inner-comma", text(alert("h-inner-comma", extra: #","tags":["a",]"#)),
        .deadLettered("trailing comma"))

    // source_ip.
    add(
        "source_ip missing", "h-ip-missing", text(#"{"alert_id":"h-ip-missing","severity":"LOW"}"#),
        .deadLettered("missing source_ip"))
    add("source_ip empty", "h-ip-empty", text(alert("h-ip-empty", ip: "")), .deadLettered("invalid-source-ip"))
    add("source_ip 999.1.1.1", "h-ip-999", text(alert("h-ip-999", ip: "999.1.1.1")), .deadLettered("invalid-source-ip"))
    add(
        "source_ip a hostname", "h-ip-host", text(alert("h-ip-host", ip: "evil.example.com")),
        .deadLettered("invalid-source-ip"))
    add(
        "source_ip IPv6 with a zone", "h-ip-zone", text(alert("h-ip-zone", ip: "fe80::1%eth0")),
        .deadLettered("invalid-source-ip"))
    add(
        "source_ip with a NUL", "h-ip-nul", text(alert("h-ip-nul", ip: #"1.2.3.4\u0000evil"#)),
        .deadLettered("invalid-source-ip"))
    add("source_ip padded", "h-ip-space", text(alert("h-ip-space", ip: " 1.2.3.4")), .deadLettered("invalid-source-ip"))
    add(
        "source_ip a number", "h-ip-number",
        text(#"{"alert_id":"h-ip-number","source_ip":16909060}"#), .deadLettered("source_ip is not a string"))
    add(
        "source_ip twice", "h-ip-twice",
        text(#"{"alert_id":"h-ip-twice","source_ip":"8.8.8.8","source_ip":"185.220.101.1"}"#),
        .deadLettered("source_ip appears more than once"))

    // alert_id.
    add(
        "alert_id missing", "h-id-missing", text(#"{"source_ip":"1.2.3.4","severity":"LOW"}"#),
        .deadLettered("missing alert_id"))
    add(
        "alert_id twice", "h-id-twice",
        text(#"{"alert_id":"h-id-twice","alert_id":"h-id-other","source_ip":"1.2.3.4"}"#),
        .deadLettered("alert_id appears more than once"))
    add(
        "alert_id twice, once escaped", "h-id-escaped-twice",
        text(#"{"alert_id":"h-id-escaped-twice","alert\u005fid":"h-id-sneaky","source_ip":"1.2.3.4"}"#),
        .deadLettered("alert_id appears more than once"))
    add(
        "alert_id escaped twice, escaped first", "h-id-escaped-first",
        text(#"{"alert\u005fid":"h-id-sneaky-first","alert_id":"h-id-escaped-first","source_ip":"1.2.3.4"}"#),
        .deadLettered("alert_id appears more than once"))
    add(
        "source_ip twice, once escaped", "h-ip-escaped-twice",
        text(#"{"alert_id":"h-ip-escaped-twice","source_ip":"8.8.8.8","sourc\u0065_ip":"185.220.101.1"}"#),
        .deadLettered("source_ip appears more than once"))
    add("alert_id with ../", "h-id-dotdot", text(alert("../../../../tmp/\(escapeName)")), .deadLettered("invalid-id"))
    add(
        "alert_id with ../ inside", "h-id-inner-dotdot", text(alert("x/../../\(escapeName)")),
        .deadLettered("invalid-id"))
    add(
        "alert_id with ../ escaped", "h-id-escaped-dotdot",
        text(alert(#"\u002e\u002e\u002f\u002e\u002e\u002ftmp\u002f\#(escapeName)"#)), .deadLettered("invalid-id"))
    add("alert_id with /", "h-id-slash", text(alert("etc/passwd")), .deadLettered("path separator"))
    add("alert_id with NUL", "h-id-nul", text(alert(#"h-id\u0000nul"#)), .deadLettered("control character"))
    add(
        "alert_id with a newline", "h-id-newline", text(alert(#"h-id\nforged [PROCESSED] x"#)),
        .deadLettered("control character"))
    add(
        "alert_id of 300 bytes", "h-id-long", text(alert(String(repeating: "x", count: 300))),
        .deadLettered("longer than"))
    add(
        "alert_id a number", "h-id-number", text(#"{"alert_id":42,"source_ip":"1.2.3.4"}"#),
        .deadLettered("alert_id is not a string"))
    add("alert_id a dot-file", "h-id-dot", text(alert(".hidden")), .deadLettered("starts with a dot"))
    add(
        "alert_id unlike the file name", "h-id-mismatch", text(alert("h-id-someone-else")),
        .deadLettered("does not match the file name"), redis: .processed)

    // Valid, if unusual: processed, every field kept.
    add("IPv6 source", "h-ipv6", text(alert("h-ipv6", ip: "2001:db8::1")), .processed)
    add(
        "extra fields, nested and unicode", "h-extra",
        text(
            alert(
                "h-extra",
                extra: #","tags":["a","b",{"deep":[1,2.5,null,true]}],"note":"naïve ✓ \u2028 \"quoted\"","n":-0.0"#)),
        .processed)
    add(
        "pretty-printed", "h-pretty",
        text("{\n  \"alert_id\" : \"h-pretty\",\n\t\"source_ip\" : \"8.8.8.8\" ,\r\n \"severity\": \"LOW\"\n}\n\n"),
        .processed)
    add(
        "a 900 KB field", "h-big-field",
        text(alert("h-big-field", extra: #","blob":"\#(String(repeating: "b", count: 900 * 1024))""#)), .processed)
    add(
        "nested 30 deep", "h-nested-30",
        text(
            alert(
                "h-nested-30", extra: #","n":"# + String(repeating: "[", count: 30) + String(repeating: "]", count: 30))
        ),
        .processed)
    add(
        "forged enrichment and processed_at", "h-forged",
        text(alert("h-forged", extra: #","enrichment":"forged","processed_at":"1999-01-01T00:00:00Z""#)), .processed)
    add("unicode id", "h-ünïcödé-✓", text(alert("h-ünïcödé-✓")), .processed)
    add("byte order mark", "h-bom", [0xEF, 0xBB, 0xBF] + text(alert("h-bom")), .either)
    add(
        "a number too large for a double", "h-big-number", text(alert("h-big-number", extra: #","score":1e999999"#)),
        .either)

    // Entries only a directory can hold.
    func special(_ label: String, _ stem: String, _ setup: HostileEntry.Setup, _ outcome: HostileEntry.Outcome) {
        entries.append(
            HostileEntry(label: label, stem: stem, setup: setup, directoryOutcome: outcome, redisOutcome: nil))
    }
    special("symlink to /etc/passwd", "h-passwd-link", .symlink(to: "/etc/passwd"), .deadLettered("symbolic link"))
    special(
        "symlink to a file outside the root", "h-canary-link", .symlink(to: outside + "/canary.json"),
        .deadLettered("symbolic link"))
    special("a directory named x.json", "x", .directory, .deadLettered("a directory"))
    special("a FIFO", "h-fifo", .fifo, .deadLettered("not a regular file"))
    special("a file still being written", "h-slow", .slowWriter(text(alert("h-slow", ip: "198.51.100.77"))), .processed)
    special(
        "a file name with a newline", "h-new\nline", .bytes(text(alert("h-newline"))), .deadLettered("unsafe file name")
    )
    return entries
}
