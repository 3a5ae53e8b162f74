#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The built `threat-api` executable, run as a separate process on a free port.
///
/// For tests that need the mock API outside their own process (signals, exit codes,
/// end-to-end runs). In-process tests are simpler with `MockThreatAPI.ThreatAPIServer`.
/// `deinit` kills the process if the test did not stop it.
public final class ThreatAPIProcess: Sendable {
    public let child: ChildProcess
    /// `http://127.0.0.1:<port>`, as the program reported it.
    public let baseURL: String
    public let port: Int

    /// Starts `threat-api --port 0 <arguments>` and waits for the line that names its URL.
    /// - Throws: `ThreatAPIProcessError` if it does not report a URL within `timeout`.
    public init(_ arguments: [String] = [], timeout: Duration = .seconds(20)) throws {
        child = try ChildProcess("threat-api", ["--port", "0"] + arguments)
        guard child.waitFor("http://", inErrors: true, timeout: timeout),
            let url = Self.firstURL(in: child.standardError),
            let port = Int(url.split(separator: ":").last ?? "")
        else {
            child.signal(SIGKILL)
            child.wait(timeout: .seconds(5))
            throw ThreatAPIProcessError(message: "threat-api reported no URL; stderr: \(child.standardError)")
        }
        baseURL = url
        self.port = port
    }

    /// Sends `number` (e.g. `SIGUSR1` to take the API down, `SIGUSR2` to bring it back).
    public func signal(_ number: Int32) {
        child.signal(number)
    }

    /// Sends SIGTERM and waits for the exit; returns the exit status (0 after a graceful stop).
    @discardableResult
    public func stop(timeout: Duration = .seconds(10)) -> Int32 {
        child.signal(SIGTERM)
        return child.wait(timeout: timeout)
    }

    private static func firstURL(in text: String) -> String? {
        guard let start = text.range(of: "http://") else { return nil }
        let url = text[start.lowerBound...].prefix { !$0.isWhitespace && $0 != "\"" }
        return String(url)
    }
}

/// The `threat-api` program did not start as expected.
public struct ThreatAPIProcessError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
