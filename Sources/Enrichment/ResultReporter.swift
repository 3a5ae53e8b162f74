import Diagnostics

/// Prints the processor's interface lines on standard output: `[PROCESSED] {id} verdict={v} duration={ms}ms`
/// for every stored alert and `[ERROR] {id} {reason}` for every dead letter, or the same as JSON lines.
public struct ResultReporter: Sendable {
    public var format: LogFormat
    public var output: LineOutput

    public init(format: LogFormat = .text, output: LineOutput = .standardOutput) {
        self.format = format
        self.output = output
    }

    public func processed(id: String, verdict: String, durationMilliseconds: Int, cached: Bool) {
        switch format {
        case .text:
            output.write(line: "[PROCESSED] \(id) verdict=\(verdict) duration=\(durationMilliseconds)ms")
        case .json:
            output.write(
                line: "{\"time\":\"\(Timestamp.now().iso8601)\",\"event\":\"processed\",\"alert_id\":"
                    + "\(JSONText.quoted(id)),\"verdict\":\(JSONText.quoted(verdict)),"
                    + "\"duration_ms\":\(durationMilliseconds),\"cached\":\(cached)}")
        }
    }

    public func deadLettered(id: String, reason: String) {
        switch format {
        case .text:
            output.write(line: "[ERROR] \(id) \(reason)")
        case .json:
            output.write(
                line: "{\"time\":\"\(Timestamp.now().iso8601)\",\"event\":\"error\",\"alert_id\":"
                    + "\(JSONText.quoted(id)),\"reason\":\(JSONText.quoted(reason))}")
        }
    }
}
