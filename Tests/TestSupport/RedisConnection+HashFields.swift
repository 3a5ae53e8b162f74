import RedisClient

extension RedisConnection {
    /// Every field of a hash, read with HSCAN so a large store is fetched in pieces.
    public func hashFields(_ key: String) throws -> [String: [UInt8]] {
        var result: [String: [UInt8]] = [:]
        var cursor = "0"
        repeat {
            let reply = try command(["HSCAN", key, cursor, "COUNT", "1000"]).array ?? []
            guard reply.count == 2, let next = reply[0].string, let entries = reply[1].array else {
                throw RedisServerError(message: "unexpected HSCAN reply", command: "HSCAN")
            }
            cursor = next
            for index in stride(from: 0, to: entries.count - 1, by: 2) {
                result[String(decoding: entries[index].bytes ?? [], as: UTF8.self)] = entries[index + 1].bytes ?? []
            }
        } while cursor != "0"
        return result
    }
}
