import CHiredis

extension RedisValue {
    /// Copies a hiredis reply tree into Swift values. The caller still owns `reply` and frees it.
    init(copying reply: UnsafePointer<redisReply>) {
        let node = reply.pointee
        switch node.type {
        case REDIS_REPLY_STRING:
            self = .bulk(Self.bytes(of: node))
        case REDIS_REPLY_STATUS:
            self = .status(String(decoding: Self.bytes(of: node), as: UTF8.self))
        case REDIS_REPLY_ERROR:
            self = .error(String(decoding: Self.bytes(of: node), as: UTF8.self))
        case REDIS_REPLY_INTEGER:
            self = .integer(Int(node.integer))
        case REDIS_REPLY_NIL:
            self = .null
        case REDIS_REPLY_ARRAY:
            var elements: [RedisValue] = []
            elements.reserveCapacity(node.elements)
            for index in 0..<node.elements {
                if let element = node.element?[index] {
                    elements.append(RedisValue(copying: element))
                } else {
                    elements.append(.null)
                }
            }
            self = .array(elements)
        default:
            // hiredis 0.14 speaks RESP2 only, whose six reply types are all handled above.
            self = .error("ERR unsupported reply type \(node.type)")
        }
    }

    private static func bytes(of node: redisReply) -> [UInt8] {
        guard let text = node.str, node.len > 0 else { return [] }
        return text.withMemoryRebound(to: UInt8.self, capacity: node.len) { start in
            Array(UnsafeBufferPointer(start: start, count: node.len))
        }
    }
}
