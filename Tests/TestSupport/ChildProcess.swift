import Foundation
import Synchronization

/// A program a test runs (one of ours, built next to the test bundle), with its output collected and a
/// guarantee that it is stopped: `deinit` kills it if the test did not.
public final class ChildProcess: Sendable {
    /// Where SwiftPM put the executables of this build: beside the test bundle.
    public static var productsDirectory: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path
    }

    private let process: Process
    private let output = OutputBuffer()
    private let errors = OutputBuffer()
    public let name: String

    /// Starts `name` (an executable of this package) with `arguments`.
    public init(_ name: String, _ arguments: [String], environment: [String: String] = [:]) throws {
        self.name = name
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "\(Self.productsDirectory)/\(name)")
        process.arguments = arguments
        var merged = ProcessInfo.processInfo.environment
        merged.merge(environment) { _, new in new }
        process.environment = merged
        let standardOutput = Pipe()
        let standardError = Pipe()
        process.standardOutput = standardOutput
        process.standardError = standardError
        process.standardInput = FileHandle.nullDevice
        let output = self.output
        let errors = self.errors
        standardOutput.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            output.append(data)
        }
        standardError.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            errors.append(data)
        }
        try process.run()
        self.process = process
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    public var pid: Int32 { process.processIdentifier }
    public var isRunning: Bool { process.isRunning }

    public var standardOutput: String { output.text }
    public var standardError: String { errors.text }

    public func signal(_ number: Int32) {
        kill(process.processIdentifier, number)
    }

    /// Waits for the process to end, killing it after `timeout`. Returns its exit status (128+signal when
    /// a signal ended it).
    @discardableResult
    public func wait(timeout: Duration = .seconds(30)) -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline {
            usleep(10_000)
        }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
        // Let the readability handlers take the last bytes.
        usleep(50_000)
        let status = process.terminationStatus
        return process.terminationReason == .uncaughtSignal ? 128 + status : status
    }

    /// Waits until standard output (or error, with `inErrors`) contains `text`.
    @discardableResult
    public func waitFor(_ text: String, inErrors: Bool = false, timeout: Duration = .seconds(20)) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let current = inErrors ? standardError : standardOutput
            if current.contains(text) { return true }
            if !process.isRunning {
                usleep(50_000)
                return (inErrors ? standardError : standardOutput).contains(text)
            }
            usleep(10_000)
        }
        return false
    }

    /// Runs a program to its end and returns its status and output.
    public static func run(
        _ name: String, _ arguments: [String], environment: [String: String] = [:], timeout: Duration = .seconds(60)
    ) throws -> (status: Int32, output: String, errors: String) {
        let child = try ChildProcess(name, arguments, environment: environment)
        let status = child.wait(timeout: timeout)
        return (status, child.standardOutput, child.standardError)
    }
}

/// Bytes a child process wrote, collected from its pipe's handler thread.
private final class OutputBuffer: Sendable {
    private let bytes = Mutex<[UInt8]>([])

    func append(_ data: Data) {
        bytes.withLock { $0.append(contentsOf: data) }
    }

    var text: String {
        bytes.withLock { String(decoding: $0, as: UTF8.self) }
    }
}
