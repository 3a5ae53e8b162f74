import Diagnostics
import Foundation

/// What a program's body gets: its options and a logger configured from them.
public struct ProgramContext: Sendable {
    public var options: ParsedOptions
    public var logger: Logger
    public var environment: [String: String]
}

/// A program asks to exit with a particular status without it being an error, e.g. `monitor --once` that
/// finds the counts do not reconcile.
public struct ExitStatus: Error {
    public var code: Int32

    public init(_ code: Int32) {
        self.code = code
    }
}

/// Runs a program the way swift-argument-parser does: help to stdout with exit 0, a usage error as
/// `Error: …` plus the usage line on stderr with exit 64, any other failure as one `Error: …` line with exit 1.
public enum Program {
    public static let version = "0.1.0"

    public static func run(
        _ command: CommandDescription,
        arguments: [String] = Array(CommandLine.arguments.dropFirst()),
        environment: [String: String] = ProcessInfo.processInfo.environment,
        _ body: (ProgramContext) throws -> Void
    ) -> Never {
        // A write to a closed socket or pipe must surface as EPIPE, and a write past RLIMIT_FSIZE as EFBIG,
        // rather than kill the process: both are failures the programs handle.
        signal(SIGPIPE, SIG_IGN)
        signal(SIGXFSZ, SIG_IGN)

        let options: ParsedOptions
        let logger: Logger
        do {
            options = try ParsedOptions(parsing: arguments, for: command, environment: environment)
            if options.flag("help") {
                LineOutput.standardOutput.write(line: command.help)
                exit(0)
            }
            if options.flag("version") {
                LineOutput.standardOutput.write(line: "\(command.name) \(version)")
                exit(0)
            }
            logger = try makeLogger(label: command.name, options: options)
        } catch {
            LineOutput.standardError.write(line: "Error: \(error.message)\nUsage: \(command.usage)")
            LineOutput.standardError.write(line: "  See '\(command.name) --help' for more information.")
            exit(64)
        }
        RedactedArguments.hideSecrets()

        do {
            try body(ProgramContext(options: options, logger: logger, environment: environment))
            exit(0)
        } catch let status as ExitStatus {
            exit(status.code)
        } catch let error as UsageError {
            LineOutput.standardError.write(line: "Error: \(error.message)\nUsage: \(command.usage)")
            exit(64)
        } catch {
            if logger.format == .json {
                logger.critical("\(error)")
            } else {
                LineOutput.standardError.write(line: "Error: \(error)")
            }
            exit(1)
        }
    }

    private static func makeLogger(label: String, options: ParsedOptions) throws(UsageError) -> Logger {
        let format = try options.choice("log-format", as: LogFormat.self) ?? .text
        let level = try options.choice("log-level", as: LogLevel.self) ?? .info
        return Logger(label: label, level: level, format: format)
    }
}
