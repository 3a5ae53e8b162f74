import Foundation

struct DrainKey: Hashable {
    var backend: String
    var drainCase: DrainCase
}

struct LatencyKey: Hashable {
    enum Input: String {
        case idle
        case steady
    }

    var backend: String
    var input: Input
}

struct LimitKey: Hashable {
    var name: String
    var concurrency: Int
}

/// Every figure of one run, as measured; the report takes medians.
struct BenchResults {
    var environment = BenchEnvironment()
    var drains: [DrainKey: [DrainMeasurement]] = [:]
    var footprints: [String: [DrainMeasurement]] = [:]
    /// Milliseconds of one `monitor --once`, per backend.
    var monitor: [String: [Double]] = [:]
    /// Milliseconds of a refresh in the benchmark's own process: the first, and the one after it.
    var monitorFirstRefresh: [String: [Double]] = [:]
    var monitorNextRefresh: [String: [Double]] = [:]
    var latencies: [LatencyKey: [LatencyMeasurement]] = [:]
    var limits: [LimitKey: [Double]] = [:]
    var redisBenchmarkDetail: [Int: String] = [:]
    var elapsedSeconds = 0.0

    func drainRate(_ backend: String, _ drainCase: DrainCase) -> Summary? {
        drains[DrainKey(backend: backend, drainCase: drainCase)].map { Summary($0.map(\.rate)) }
    }

    /// The queue's own ceiling for a backend at a concurrency, when the limits section ran.
    func queueCeiling(_ backend: String, concurrency: Int) -> Double? {
        let name =
            switch backend {
            case "dir": "dir syscall loop ceiling"
            case "redis": "redis-benchmark ceiling"
            default: ""
            }
        return limits[LimitKey(name: name, concurrency: concurrency)].map { Summary($0).median }
    }
}

/// The machine and the versions, as the report states them.
struct BenchEnvironment {
    var date = ""
    var cpus = ""
    var memory = ""
    var kernel = ""
    var cpuModel = ""
    var filesystem = ""
    var loadAtStart = ""
    var swift = ""
    var redis = ""
    var hiredis = ""
    var libcurl = ""
    var microhttpd = ""
    var command = ""
    var settings = ""

    static func collect(directory: String, settings: BenchSettings) -> BenchEnvironment {
        var environment = BenchEnvironment()
        environment.date = shell("date -u +%Y-%m-%dT%H:%M:%SZ")
        environment.cpus = shell("nproc")
        environment.memory = shell("awk '/MemTotal/ {printf \"%.1f GiB\", $2/1048576}' /proc/meminfo")
        environment.kernel = shell("uname -sr")
        environment.cpuModel = shell("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'")
        environment.filesystem = shell("findmnt -n -o FSTYPE,SOURCE -T \(directory)")
        environment.loadAtStart = shell("cut -d' ' -f1-3 /proc/loadavg")
        environment.swift = shell("swift --version 2>&1 | head -1")
        environment.redis = shell("redis-server --version | cut -d' ' -f3 | cut -d= -f2")
        environment.hiredis = shell("dpkg-query -W -f='${Version}' libhiredis-dev")
        environment.libcurl = shell("dpkg-query -W -f='${Version}' libcurl4-openssl-dev")
        environment.microhttpd = shell("dpkg-query -W -f='${Version}' libmicrohttpd-dev")
        environment.command = settings.command
        environment.settings =
            "\(settings.quick ? "QUICK mode, " : "")\(settings.repetitions) repetition(s); drains of "
            + "\(settings.drainAlerts) alerts (\(settings.slowDrainAlerts) at API 5 ms, concurrency 1); footprint "
            + "\(settings.footprintAlerts) alerts; idle latency \(settings.idleAlerts) alerts "
            + "\(format(settings.idleSpacing.lowerBound))–\(format(settings.idleSpacing.upperBound)) s apart; "
            + "steady latency \(Int(settings.steadySeconds * 100)) alerts at 100/s"
        return environment
    }
}
