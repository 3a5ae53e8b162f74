import Diagnostics
import Foundation
import Testing

@testable import Enrichment

@Suite struct ResultReporterTests {
    /// Runs `body` with a reporter whose output goes to a pipe, and returns what it wrote.
    func capture(format: LogFormat, _ body: (ResultReporter) -> Void) -> String {
        let pipe = Pipe()
        let reporter = ResultReporter(
            format: format, output: LineOutput(fileDescriptor: pipe.fileHandleForWriting.fileDescriptor))
        body(reporter)
        try? pipe.fileHandleForWriting.close()
        return String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    }

    @Test func textLinesAreExactlyTheContract() {
        let output = capture(format: .text) { reporter in
            reporter.processed(
                id: "a038d3ae-814c-4647-b442-0c3cc7099d73", verdict: "malicious", durationMilliseconds: 12,
                cached: false)
            reporter.deadLettered(id: "bad", reason: "malformed: not valid JSON")
        }
        #expect(
            output == """
                [PROCESSED] a038d3ae-814c-4647-b442-0c3cc7099d73 verdict=malicious duration=12ms
                [ERROR] bad malformed: not valid JSON

                """)
    }

    @Test func jsonLinesAreOneObjectEach() throws {
        let output = capture(format: .json) { reporter in
            reporter.processed(id: "a\"b", verdict: "clean", durationMilliseconds: 3, cached: true)
            reporter.deadLettered(id: "x", reason: "rejected: http 400")
        }
        let lines = output.split(separator: "\n")
        #expect(lines.count == 2)
        let first = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(first["event"] as? String == "processed")
        #expect(first["alert_id"] as? String == "a\"b")
        #expect(first["duration_ms"] as? Int == 3)
        #expect(first["cached"] as? Bool == true)
        let second = try #require(try JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [String: Any])
        #expect(second["reason"] as? String == "rejected: http 400")
    }
}
