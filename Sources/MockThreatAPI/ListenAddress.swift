#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A socket address to listen on, resolved from a host text and a port.
struct ListenAddress {
    var storage = sockaddr_storage()
    var isIPv6 = false

    /// Resolves `host` (`127.0.0.1`, `::1`, `0.0.0.0`, `localhost`, …), preferring IPv4
    /// so that a name like `localhost` lands where the documentation says.
    /// - Throws: `ThreatAPIError.invalidHost` if nothing usable resolves.
    init(host: String, port: Int) throws(ThreatAPIError) {
        guard (0...65_535).contains(port) else { throw .invalidHost(host, reason: "port \(port) out of range") }

        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &list)
        guard status == 0, let list else {
            throw .invalidHost(host, reason: String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(list) }

        var candidates: [UnsafeMutablePointer<addrinfo>] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = list
        while let entry = cursor {
            if entry.pointee.ai_family == AF_INET || entry.pointee.ai_family == AF_INET6 { candidates.append(entry) }
            cursor = entry.pointee.ai_next
        }
        guard let chosen = candidates.first(where: { $0.pointee.ai_family == AF_INET }) ?? candidates.first else {
            throw .invalidHost(host, reason: "no IPv4 or IPv6 address")
        }

        withUnsafeMutableBytes(of: &storage) { target in
            let length = min(Int(chosen.pointee.ai_addrlen), target.count)
            target.copyMemory(from: UnsafeRawBufferPointer(start: chosen.pointee.ai_addr, count: length))
        }
        isIPv6 = chosen.pointee.ai_family == AF_INET6
        let networkPort = UInt16(port).bigEndian
        withUnsafeMutablePointer(to: &storage) { pointer in
            if isIPv6 {
                pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_port = networkPort }
            } else {
                pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_port = networkPort }
            }
        }
    }

    /// Calls `body` with the address as the `sockaddr` pointer C wants.
    func withSocketAddress<Result>(_ body: (UnsafePointer<sockaddr>) -> Result) -> Result {
        withUnsafePointer(to: storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1, body)
        }
    }
}
