/// Rules for alert ids, which name files and hash fields and so must never become a path.
public enum AlertID {
    /// The longest id accepted, in UTF-8 bytes.
    public static let maximumLength = 128

    /// Why `text` cannot be used as an alert id, or nil when it can.
    ///
    /// An id is a plain token: not empty, at most 128 bytes, no path separator, no `..`, no control
    /// characters, and no leading dot (dot-files are never taken as alerts).
    public static func problem(with text: String) -> String? {
        if text.isEmpty { return "empty alert_id" }
        if text.utf8.count > maximumLength { return "alert_id longer than \(maximumLength) bytes" }
        if text.utf8.first == UInt8(ascii: ".") { return "alert_id starts with a dot" }
        // One pass over the bytes: every character looked for is ASCII, and no byte of a multi-byte UTF-8
        // sequence is below 0x80.
        var previous: UInt8 = 0
        var (doubleDot, separator, control) = (false, false, false)
        for byte in text.utf8 {
            doubleDot = doubleDot || (byte == UInt8(ascii: ".") && previous == UInt8(ascii: "."))
            separator = separator || byte == UInt8(ascii: "/") || byte == UInt8(ascii: "\\")
            control = control || byte < 0x20 || byte == 0x7F
            previous = byte
        }
        if doubleDot { return "alert_id contains '..'" }
        if separator { return "alert_id contains a path separator" }
        if control { return "alert_id contains a control character" }
        return nil
    }

    public static func isSafe(_ text: String) -> Bool {
        problem(with: text) == nil
    }

    /// A stable, safe id for an entry that has no usable one: `invalid-<FNV-1a 64 of its bytes>`,
    /// so the same bad input always lands under the same dead-letter id.
    public static func fallback(for bytes: some Sequence<UInt8>) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return "invalid-" + String(repeating: "0", count: 16 - hex.count) + hex
    }
}
