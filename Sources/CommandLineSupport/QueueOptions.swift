import AlertQueue
import Foundation
import RedisClient

/// The options every program takes to reach the queue: `--backend`, `--dir`, `--redis-url`, `--redis-prefix`.
public enum QueueOptions {
    public static let definitions: [OptionDefinition] = [
        .option(
            "backend", valueName: "backend", help: "Queue backend: dir or redis.", default: "dir",
            environment: "QUEUE_BACKEND"),
        .option(
            "dir", valueName: "path", help: "Root of the directory queue.", default: "./shared",
            environment: "QUEUE_DIR"),
        .option(
            "redis-url", valueName: "url",
            help: "redis://[user:password@]host:port/db or a unix socket path. Prefer the environment variable: "
                + "a password on the command line is visible to other users until start-up hides it.",
            default: "redis://127.0.0.1:6379/0", environment: "REDIS_URL"),
        .option(
            "redis-prefix", valueName: "prefix", help: "Prefix of every Redis key, with its hash tag.",
            default: "{enrich}:"),
        .option(
            "heartbeat-ttl", valueName: "seconds",
            help: "Redis: a consumer silent this long is dead and its in-flight alerts go back to pending.",
            default: "15"),
    ]

    /// The queue configuration the options describe.
    public static func configuration(from options: ParsedOptions) throws(UsageError) -> QueueConfiguration {
        let kind = try options.choice("backend", as: QueueConfiguration.Kind.self) ?? .dir
        var configuration = QueueConfiguration(kind: kind, directory: options.string("dir") ?? "./shared")
        if kind == .redis {
            do {
                configuration.redisURL = try RedisURL(parsing: options.string("redis-url") ?? "")
            } catch {
                throw UsageError("'--redis-url': \(error.message)")
            }
            configuration.redisKeys = RedisKeys(prefix: options.string("redis-prefix") ?? "{enrich}:")
            configuration.heartbeatTTL = try options.seconds("heartbeat-ttl", in: 0.1...3600) ?? .seconds(15)
        }
        return configuration
    }

    /// A consumer name unique to this process on this host: `<host>-<pid>`.
    public static func defaultConsumerName() -> String {
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "host"
        let safeHost = host.filter { $0.isLetter || $0.isNumber || $0 == "-" }
        return "\(safeHost.isEmpty ? "host" : safeHost)-\(getpid())"
    }
}
