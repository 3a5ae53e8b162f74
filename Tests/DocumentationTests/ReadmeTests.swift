import Foundation
import TestSupport
import Testing

/// The README shows every program's `--help`; these tests keep it true.
@Suite struct ReadmeTests {
    static let programs = ["collector", "processor", "threat-api", "monitor", "backfill"]

    static var readme: String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return (try? String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)) ?? ""
    }

    @Test(arguments: programs)
    func theReadmeShowsTheCurrentHelp(program: String) throws {
        let run = try ChildProcess.run(program, ["--help"])
        #expect(run.status == 0)
        let help = run.output.trimmingCharacters(in: .newlines)
        let block = "<!-- help:\(program) -->\n```text\n\(help)\n```\n<!-- /help:\(program) -->"
        #expect(
            Self.readme.contains(block),
            "README.md shows an old --help for \(program): run scripts/update-readme-help.py")
    }

    @Test(arguments: programs)
    func helpIsLaidOutLikeArgumentParser(program: String) throws {
        let output = try ChildProcess.run(program, ["--help"]).output
        #expect(output.hasPrefix("OVERVIEW: "))
        #expect(output.contains("\n\nUSAGE: \(program) "))
        #expect(output.contains("\n\nOPTIONS:\n"))
        #expect(
            output.contains(
                "  --version               Show the version.\n  -h, --help              Show help information.\n"))
        for line in output.split(separator: "\n") {
            #expect(line.count <= 100, "\(program) --help line too wide: \(line)")
        }
    }

    @Test(arguments: programs)
    func aUsageMistakeExits64WithTheUsageLine(program: String) throws {
        let run = try ChildProcess.run(program, ["--no-such-flag"])
        #expect(run.status == 64)
        #expect(run.output.isEmpty)
        #expect(run.errors.hasPrefix("Error: Unknown option '--no-such-flag'\nUsage: \(program) "))
    }

    @Test(arguments: programs)
    func versionPrintsTheVersion(program: String) throws {
        let run = try ChildProcess.run(program, ["--version"])
        #expect(run.status == 0)
        #expect(run.output.hasPrefix("\(program) "))
    }
}
