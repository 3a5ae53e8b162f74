// A consumer that claims alerts and then holds them until it is killed, for the crash tests of the
// queue backends: `queue-fixture <backend> <dir-or-redis-url> <consumer> <count>`.
import AlertQueue
import Foundation
import RedisClient

let arguments = CommandLine.arguments
guard arguments.count == 5, let kind = QueueConfiguration.Kind(rawValue: arguments[1]), let count = Int(arguments[4])
else {
    FileHandle.standardError.write(Data("usage: queue-fixture dir|redis <dir-or-url> <consumer> <count>\n".utf8))
    exit(64)
}
var configuration = QueueConfiguration(kind: kind, directory: arguments[2])
if kind == .redis {
    configuration.redisURL = try RedisURL(parsing: arguments[2])
    configuration.heartbeatTTL = .milliseconds(500)
}
let backend = try configuration.makeBackend(consumer: arguments[3])
var held = 0
while held < count, let _ = try backend.claim(timeout: .seconds(5)) {
    held += 1
}
FileHandle.standardOutput.write(Data("holding \(held)\n".utf8))
while true {
    if kind == .redis {
        try backend.heartbeat()
    }
    usleep(100_000)
}
