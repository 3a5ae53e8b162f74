import TestSupport
import Testing

/// Every program's command line behaves like swift-argument-parser's: help on stdout with status 0,
/// usage errors on stderr with status 64.
@Suite struct CommandLineTests {
    static let programs = ["collector", "processor", "monitor", "backfill", "threat-api"]

    @Test(arguments: programs)
    func helpHasTheStandardSections(program: String) throws {
        for flag in ["--help", "-h"] {
            let result = try ChildProcess.run(program, [flag], timeout: .seconds(10))
            #expect(result.status == 0, "\(program) \(flag)")
            #expect(result.errors.isEmpty)
            let lines = result.output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let overview = lines.firstIndex { $0.hasPrefix("OVERVIEW: ") }
            let usage = lines.firstIndex { $0.hasPrefix("USAGE: \(program) ") }
            let options = lines.firstIndex { $0 == "OPTIONS:" }
            try #require(overview != nil && usage != nil && options != nil, "\(program) \(flag):\n\(result.output)")
            #expect(overview! < usage! && usage! < options!, "sections in the order OVERVIEW, USAGE, OPTIONS")

            let optionLines = lines[(options! + 1)...].prefix { !$0.isEmpty }.filter { $0.hasPrefix("  -") }
            #expect(optionLines.last?.hasPrefix("  -h, --help ") == true, "-h, --help comes last: \(optionLines)")
            #expect(optionLines.count >= 3)
        }
    }

    @Test(arguments: programs)
    func aBadFlagIsAUsageError(program: String) throws {
        let result = try ChildProcess.run(program, ["--no-such-option"], timeout: .seconds(10))
        #expect(result.status == 64)
        #expect(result.output.isEmpty, "nothing on stdout: \(result.output)")
        let lines = result.errors.split(separator: "\n").map(String.init)
        #expect(lines.first == "Error: Unknown option '--no-such-option'")
        #expect(lines.contains { $0.hasPrefix("Usage: \(program) [--") }, "the usage line: \(result.errors)")
    }

    @Test(arguments: ["collector", "processor", "monitor", "backfill"])
    func aBadValueIsAUsageError(program: String) throws {
        let result = try ChildProcess.run(program, ["--backend", "carrier-pigeon"], timeout: .seconds(10))
        #expect(result.status == 64)
        #expect(result.errors.hasPrefix("Error: "), "\(result.errors)")
        #expect(result.errors.contains("carrier-pigeon"))
        #expect(result.errors.contains("\nUsage: \(program) "))
    }
}
