import Foundation
import Synchronization

/// The release `processor`, run as its own process so its RSS and CPU time are its own, with its output
/// lines read as they come: `[PROCESSED]` lines are counted and timed, the log lines kept.
final class ProcessorProcess: @unchecked Sendable {
    // @unchecked: `process` is set once in init; everything the reader threads change is under `state`.
    private let process: Process
    private let state = Mutex(State())
    private let started = DispatchSemaphore(value: 0)
    private let readers = DispatchGroup()

    struct State {
        var finished = 0
        var deadLetters = 0
        /// When the `processor started` line was read, in monotonic nanoseconds.
        var startedAt: UInt64?
        /// When `finished` reached `target`.
        var reachedAt: UInt64?
        var target = Int.max
        /// Read time of each `[PROCESSED]` line, by alert id, when `recordsIDs`.
        var finishedAt: [String: UInt64] = [:]
        var recordsIDs = false
        var logTail: [String] = []
    }

    let spawnedAt: UInt64

    /// Starts `processor` from `directory` with `arguments`; `target` is the count of finished alerts to time.
    init(directory: String, arguments: [String], target: Int = .max, recordsIDs: Bool = false) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: directory + "/processor")
        process.arguments = arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        state.withLock {
            $0.target = target
            $0.recordsIDs = recordsIDs
        }
        spawnedAt = now()
        try process.run()
        readLines(from: output.fileHandleForReading.fileDescriptor, handle: handleOutput)
        readLines(from: errors.fileHandleForReading.fileDescriptor, handle: handleLog)
    }

    var pid: Int32 { process.processIdentifier }

    /// Waits for the `processor started` log line.
    func waitUntilStarted(timeout: Double) -> Bool {
        started.wait(timeout: .now() + timeout) == .success
    }

    /// Waits until `target` alerts have been reported finished; returns when that was, or nil on timeout.
    func waitForTarget(timeout: Double) -> UInt64? {
        let deadline = now() + UInt64(timeout * 1e9)
        while now() < deadline {
            if let reached = state.withLock({ $0.reachedAt }) { return reached }
            if !process.isRunning { break }
            usleep(2_000)
        }
        return state.withLock { $0.reachedAt }
    }

    var startedAt: UInt64? { state.withLock { $0.startedAt } }
    var finished: Int { state.withLock { $0.finished } }
    var deadLetters: Int { state.withLock { $0.deadLetters } }
    var logTail: String { state.withLock { $0.logTail.suffix(8).joined(separator: "\n") } }

    func finishedAt(_ id: String) -> UInt64? {
        state.withLock { $0.finishedAt[id] }
    }

    /// Peak and current resident set and CPU seconds so far, from `/proc`.
    func footprint() -> ProcessFootprint {
        ProcessFootprint(pid: pid)
    }

    /// SIGTERM, then waits for the exit (SIGKILL after `timeout`); returns the `processor stopped` line.
    @discardableResult
    func stop(timeout: Double = 30) -> String {
        if process.isRunning {
            process.terminate()
        }
        let deadline = now() + UInt64(timeout * 1e9)
        while process.isRunning && now() < deadline {
            usleep(5_000)
        }
        if process.isRunning {
            kill(pid, SIGKILL)
        }
        process.waitUntilExit()
        _ = readers.wait(timeout: .now() + 5)
        return state.withLock { $0.logTail.last { $0.contains("processor stopped") } ?? "" }
    }

    /// The value of `key=` in the `processor stopped` line, e.g. `cache_hits`.
    static func field(_ key: String, in line: String) -> Int? {
        guard let range = line.range(of: " \(key)=") else { return nil }
        return Int(line[range.upperBound...].prefix { $0.isNumber })
    }

    private func handleOutput(_ line: Substring, at time: UInt64) {
        let isProcessed = line.hasPrefix("[PROCESSED] ")
        guard isProcessed || line.hasPrefix("[ERROR] ") else { return }
        state.withLock { state in
            state.finished += 1
            if !isProcessed { state.deadLetters += 1 }
            if state.finished == state.target { state.reachedAt = time }
            if state.recordsIDs, isProcessed {
                let id = line.dropFirst("[PROCESSED] ".count).prefix { $0 != " " }
                state.finishedAt[String(id)] = time
            }
        }
    }

    private func handleLog(_ line: Substring, at time: UInt64) {
        let isStart = line.contains("processor started")
        state.withLock { state in
            state.logTail.append(String(line))
            if state.logTail.count > 64 { state.logTail.removeFirst(32) }
            if isStart { state.startedAt = time }
        }
        if isStart { started.signal() }
    }

    /// Reads `descriptor` on a thread of its own until EOF, handing each line to `handle` with its read time.
    private func readLines(from descriptor: Int32, handle: @escaping @Sendable (Substring, UInt64) -> Void) {
        readers.enter()
        let group = readers
        let thread = Thread {
            var pending: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress!, $0.count) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                let time = now()
                pending.append(contentsOf: buffer[0..<count])
                var start = 0
                while let newline = pending[start...].firstIndex(of: 0x0A) {
                    handle(Substring(decoding: pending[start..<newline], as: UTF8.self), time)
                    start = newline + 1
                }
                pending.removeFirst(start)
            }
            group.leave()
        }
        thread.start()
    }
}

/// A process's memory and CPU time as `/proc` reports them.
struct ProcessFootprint: Sendable {
    /// Peak resident set (VmHWM) and current resident set (VmRSS), in MB (10^6 bytes, as the targets say).
    var peakMB: Double
    var currentMB: Double
    /// User plus system CPU time so far, in seconds.
    var cpuSeconds: Double

    init(pid: Int32) {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        func kilobytes(_ key: String) -> Double {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(key + ":") }) else {
                return .nan
            }
            return Double(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? .nan
        }
        peakMB = kilobytes("VmHWM") * 1024 / 1e6
        currentMB = kilobytes("VmRSS") * 1024 / 1e6
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        // Fields after the command name, which sits in parentheses and may hold spaces.
        let fields = stat.split(separator: ")").last?.split(separator: " ") ?? []
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        if fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) {
            cpuSeconds = (user + system) / ticks
        } else {
            cpuSeconds = .nan
        }
    }
}

/// Monotonic nanoseconds.
func now() -> UInt64 {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
}
