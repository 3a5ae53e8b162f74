import Diagnostics

/// Makes realistic alerts in the reference lab's format, for the collector and for load.
///
/// Severities are weighted as a SOC sees them (mostly LOW and MEDIUM); source IPs come from the intel
/// reference table and from a wider pool of public, private and IPv6 addresses.
public struct AlertGenerator: Sendable {
    public struct Rule: Sendable {
        public var id: String
        public var name: String
    }

    public static let rules: [Rule] = [
        Rule(id: "RULE-001", name: "Brute force login attempts"),
        Rule(id: "RULE-002", name: "Port scan detected"),
        Rule(id: "RULE-003", name: "Connection to known C2 server"),
        Rule(id: "RULE-004", name: "Suspicious PowerShell execution"),
        Rule(id: "RULE-005", name: "Data exfiltration volume anomaly"),
        Rule(id: "RULE-006", name: "Malware signature match"),
        Rule(id: "RULE-007", name: "Privilege escalation attempt"),
        Rule(id: "RULE-008", name: "DNS tunneling pattern"),
    ]

    /// Severities with their weights.
    public static let severities: [(name: String, weight: Int)] = [
        ("LOW", 40), ("MEDIUM", 35), ("HIGH", 18), ("CRITICAL", 7),
    ]

    /// The IPs of the intel reference table: every verdict appears.
    public static let referenceIPs = [
        "185.220.101.1", "198.51.100.77", "8.8.8.8", "1.1.1.1", "203.0.113.10", "10.0.1.50", "172.16.0.5",
        "192.168.100.200", "198.18.0.9",
    ]

    /// How many distinct random IPs the wider pool holds; a small pool makes IPs repeat, as they do in a
    /// real SOC, which is what the verdict cache is for.
    public var poolSize: Int

    public init(poolSize: Int = 5000) {
        self.poolSize = max(1, poolSize)
    }

    /// One alert as a JSON object, with its id.
    public func makeAlert<Random: RandomNumberGenerator>(using random: inout Random) -> (id: String, payload: [UInt8]) {
        let id = Self.uuid(using: &random)
        let rule = Self.rules.randomElement(using: &random)!
        let severity = Self.severity(using: &random)
        let ip = sourceIP(using: &random)
        let fields: [(String, String)] = [
            ("alert_id", id), ("rule_id", rule.id), ("source_ip", ip),
            ("severity", severity), ("timestamp", Timestamp.now().iso8601),
        ]
        return (id, Array(JSONText.object(fields).utf8))
    }

    public func makeAlert() -> (id: String, payload: [UInt8]) {
        var random = SystemRandomNumberGenerator()
        return makeAlert(using: &random)
    }

    /// A lowercase hyphenated UUID version 4.
    public static func uuid<Random: RandomNumberGenerator>(using random: inout Random) -> String {
        var bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &random) }
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let hex = bytes.map { byte in
            let text = String(byte, radix: 16)
            return byte < 16 ? "0" + text : text
        }
        return [hex[0..<4], hex[4..<6], hex[6..<8], hex[8..<10], hex[10..<16]].map { $0.joined() }.joined(
            separator: "-")
    }

    static func severity<Random: RandomNumberGenerator>(using random: inout Random) -> String {
        let total = severities.reduce(0) { $0 + $1.weight }
        var pick = Int.random(in: 0..<total, using: &random)
        for severity in severities {
            if pick < severity.weight { return severity.name }
            pick -= severity.weight
        }
        return severities[0].name
    }

    /// A reference IP a quarter of the time; otherwise one of the pool, mostly public IPv4, some private,
    /// some IPv6.
    func sourceIP<Random: RandomNumberGenerator>(using random: inout Random) -> String {
        if Int.random(in: 0..<4, using: &random) == 0 {
            return Self.referenceIPs.randomElement(using: &random)!
        }
        let index = UInt64.random(in: 0..<UInt64(poolSize), using: &random)
        // Spread the index over an address with a fixed mix, so the pool is the same on every run.
        var mixed = index &* 0x9E37_79B9_7F4A_7C15
        mixed ^= mixed >> 29
        let octets = (0..<4).map { Int((mixed >> (UInt64($0) * 8)) & 0xFF) }
        switch index % 10 {
        case 0:
            return "10.\(octets[1]).\(octets[2]).\(max(1, octets[3]))"
        case 1:
            return "192.168.\(octets[2]).\(max(1, octets[3]))"
        case 2:
            let groups = octets[0..<3].map { String($0, radix: 16) }
            return "2001:db8:\(groups[0]):\(groups[1])::\(groups[2])"
        default:
            // Public-looking IPv4: first octet kept out of 0, 10, 127 and the multicast range.
            let first = [23, 45, 62, 77, 91, 103, 141, 156, 178, 185, 193, 200, 212][octets[0] % 13]
            return "\(first).\(octets[1]).\(octets[2]).\(max(1, octets[3]))"
        }
    }
}
