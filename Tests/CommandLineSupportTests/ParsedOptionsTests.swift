import Testing

@testable import CommandLineSupport

@Suite struct ParsedOptionsTests {
    let command = CommandDescription(
        name: "tool", overview: "Does a thing.",
        options: [
            .option("interval", short: "i", valueName: "seconds", help: "How often.", default: "10"),
            .option("api-url", valueName: "url", help: "Where.", environment: "TOOL_URL"),
            .option("backend", valueName: "backend", help: "Which.", default: "dir"),
            .flag("once", help: "Just once."),
        ])

    enum Backend: String, CaseIterable { case dir, redis }

    func parse(_ arguments: [String], environment: [String: String] = [:]) throws -> ParsedOptions {
        try ParsedOptions(parsing: arguments, for: command, environment: environment)
    }

    @Test func defaultsApplyWhenNothingIsGiven() throws {
        let options = try parse([])
        #expect(options.string("interval") == "10")
        #expect(options.string("api-url") == nil)
        #expect(!options.flag("once"))
    }

    @Test func acceptsTheUsualSpellings() throws {
        #expect(try parse(["--interval", "3"]).int("interval") == 3)
        #expect(try parse(["--interval=4"]).int("interval") == 4)
        #expect(try parse(["-i", "5"]).int("interval") == 5)
        #expect(try parse(["--once"]).flag("once"))
    }

    @Test func theCommandLineWinsOverTheEnvironment() throws {
        #expect(try parse([], environment: ["TOOL_URL": "http://env"]).string("api-url") == "http://env")
        let both = try parse(["--api-url", "http://flag"], environment: ["TOOL_URL": "http://env"])
        #expect(both.string("api-url") == "http://flag")
    }

    @Test func valuesAreChecked() throws {
        #expect(throws: UsageError.self) { try parse(["--interval", "soon"]).int("interval") }
        #expect(throws: UsageError.self) { try parse(["--interval", "-1"]).int("interval", in: 0...10) }
        #expect(throws: UsageError.self) { try parse(["--interval", "nan"]).seconds("interval") }
        #expect(throws: UsageError.self) { try parse(["--backend", "kafka"]).choice("backend", as: Backend.self) }
        #expect(try parse(["--backend", "redis"]).choice("backend", as: Backend.self) == .redis)
        #expect(try parse(["--interval", "0.25"]).seconds("interval") == .milliseconds(250))
    }

    @Test func mistakesAreUsageErrors() {
        #expect(throws: UsageError.self) { try parse(["--nope"]) }
        #expect(throws: UsageError.self) { try parse(["stray"]) }
        #expect(throws: UsageError.self) { try parse(["--interval"]) }
        #expect(throws: UsageError.self) { try parse(["--once=yes"]) }
        #expect(throws: UsageError.self) { try parse(["-x"]) }
    }

    @Test func helpIsLaidOutLikeArgumentParser() {
        let help = command.help
        #expect(help.hasPrefix("OVERVIEW: Does a thing.\n\nUSAGE: tool "))
        #expect(help.contains("\nOPTIONS:\n"))
        // A label too wide for the column puts its help on the next line, as swift-argument-parser does.
        #expect(help.contains("  -i, --interval <seconds>\n                          How often. (default: 10)\n"))
        #expect(help.contains("  --api-url <url>         Where. (env: TOOL_URL)\n"))
        let lines = help.split(separator: "\n")
        #expect(lines.last == "  -h, --help              Show help information.")
        #expect(lines.dropLast().last == "  --version               Show the version.")
    }

    @Test func longUsageLinesWrap() {
        let many = CommandDescription(
            name: "tool", overview: "x",
            options: (0..<12).map { .option("option-\($0)", valueName: "value", help: "h") })
        for line in many.usage.split(separator: "\n") {
            #expect(line.count <= 80)
        }
    }
}

@Suite struct RedactedArgumentsTests {
    func hidden(_ argument: String) -> String? {
        guard let range = RedactedArguments.passwordRange(in: argument) else { return nil }
        var bytes = Array(argument.utf8)
        for offset in range { bytes[offset] = UInt8(ascii: "*") }
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func findsThePasswordOfAURL() {
        #expect(hidden("redis://:s3cret@host:6379/0") == "redis://:******@host:6379/0")
        #expect(hidden("redis://user:pa:ss@host") == "redis://user:*****@host")
        #expect(hidden("--redis-url=redis://u:p@h/1") == "--redis-url=redis://u:*@h/1")
    }

    @Test func leavesEverythingElseAlone() {
        #expect(hidden("redis://host:6379/0") == nil)
        #expect(hidden("redis://user@host") == nil)
        #expect(hidden("/var/run/redis.sock") == nil)
    }
}
