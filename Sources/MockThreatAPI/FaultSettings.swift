/// The faults the mock API injects into threat-intel lookups (`/api/v3/ip/…`).
///
/// `/health` only follows `down`; `/admin/…` is never faulted, so a test can
/// always put the server back in order.
public struct FaultSettings: Sendable, Equatable {
    /// Delay added to every answered lookup.
    public var latencyMilliseconds: Int
    /// Uniform random extra delay, `0...jitterMilliseconds`, on top of `latencyMilliseconds`.
    public var jitterMilliseconds: Int
    /// Share of lookups, `0...1`, answered `500` or `503` instead.
    public var errorRate: Double
    /// Lookups allowed per one-second window, beyond which the answer is `429` with
    /// `Retry-After: 1`; `nil` means no limit, `0` rejects every lookup.
    public var rateLimit: Int?
    /// Share of lookups, `0...1`, that hang: answered only after `hangMilliseconds`.
    public var hangRate: Double
    /// How long a hanging lookup is held, far longer than any sane client timeout.
    public var hangMilliseconds: Int
    /// While down, lookups and `/health` answer `503`.
    public var down: Bool

    /// The longest delay any setting may ask for (ten minutes).
    public static let maximumMilliseconds = 600_000

    public init(
        latencyMilliseconds: Int = 0, jitterMilliseconds: Int = 0, errorRate: Double = 0, rateLimit: Int? = nil,
        hangRate: Double = 0, hangMilliseconds: Int = 30_000, down: Bool = false
    ) {
        self.latencyMilliseconds = latencyMilliseconds
        self.jitterMilliseconds = jitterMilliseconds
        self.errorRate = errorRate
        self.rateLimit = rateLimit
        self.hangRate = hangRate
        self.hangMilliseconds = hangMilliseconds
        self.down = down
    }

    /// Checks every field is in range.
    /// - Throws: `FaultSettingsError` naming the first field that is not.
    public func validate() throws(FaultSettingsError) {
        for (name, value) in [
            ("latency_ms", latencyMilliseconds), ("jitter_ms", jitterMilliseconds), ("hang_ms", hangMilliseconds),
        ] where !(0...Self.maximumMilliseconds).contains(value) {
            throw FaultSettingsError(parameter: name, reason: "must be 0...\(Self.maximumMilliseconds)")
        }
        for (name, value) in [("error_rate", errorRate), ("hang_rate", hangRate)] where !(0...1).contains(value) {
            throw FaultSettingsError(parameter: name, reason: "must be 0...1")
        }
        if let rateLimit, rateLimit < 0 {
            throw FaultSettingsError(parameter: "rate_limit", reason: "must be 0 or more")
        }
    }

    /// These settings with `parameters` applied over them, as sent to `POST /admin/faults`
    /// (query or JSON body): `latency_ms`, `jitter_ms`, `error_rate`, `rate_limit`
    /// (`off`, `none`, `null` or empty for no limit), `hang_rate`, `hang_ms`, `down`.
    /// Parameters not named keep their value.
    /// - Throws: `FaultSettingsError` for an unknown name or a value out of range; nothing is applied then.
    public func applying(_ parameters: [(name: String, value: String)]) throws(FaultSettingsError) -> FaultSettings {
        var result = self
        for (name, value) in parameters {
            switch name {
            case "latency_ms": result.latencyMilliseconds = try Self.integer(value, name)
            case "jitter_ms": result.jitterMilliseconds = try Self.integer(value, name)
            case "hang_ms": result.hangMilliseconds = try Self.integer(value, name)
            case "error_rate": result.errorRate = try Self.rate(value, name)
            case "hang_rate": result.hangRate = try Self.rate(value, name)
            case "rate_limit":
                let noLimit = ["", "off", "none", "null"].contains(value.lowercased())
                result.rateLimit = noLimit ? nil : try Self.integer(value, name)
            case "down": result.down = try Self.flag(value, name)
            default: throw FaultSettingsError(parameter: name, reason: "is not a fault setting")
            }
        }
        try result.validate()
        return result
    }

    /// The settings as a JSON object with the same names `applying(_:)` takes.
    public var json: String {
        let fields = [
            "\"latency_ms\":\(latencyMilliseconds)",
            "\"jitter_ms\":\(jitterMilliseconds)",
            "\"error_rate\":\(errorRate)",
            "\"rate_limit\":\(rateLimit.map(String.init) ?? "null")",
            "\"hang_rate\":\(hangRate)",
            "\"hang_ms\":\(hangMilliseconds)",
            "\"down\":\(down)",
        ]
        return "{" + fields.joined(separator: ",") + "}"
    }

    private static func integer(_ text: String, _ name: String) throws(FaultSettingsError) -> Int {
        guard let value = Int(text) else { throw FaultSettingsError(parameter: name, reason: "must be an integer") }
        return value
    }

    private static func rate(_ text: String, _ name: String) throws(FaultSettingsError) -> Double {
        guard let value = Double(text), value.isFinite else {
            throw FaultSettingsError(parameter: name, reason: "must be a number 0...1")
        }
        return value
    }

    private static func flag(_ text: String, _ name: String) throws(FaultSettingsError) -> Bool {
        switch text.lowercased() {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off": return false
        default: throw FaultSettingsError(parameter: name, reason: "must be true or false")
        }
    }
}

/// A fault setting that was not understood or is out of range.
public struct FaultSettingsError: Error, Equatable, CustomStringConvertible {
    public var parameter: String
    public var reason: String

    public var description: String { "fault setting \(parameter) \(reason)" }
}
