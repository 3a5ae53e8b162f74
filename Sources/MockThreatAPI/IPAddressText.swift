#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Validation of IP address literals with the C library's own parser.
enum IPAddressText {
    /// The longest text `inet_pton` could accept (an IPv6 address with an embedded IPv4 tail).
    private static let maximumLength = 45

    /// The canonical spelling of an IPv4 or IPv6 literal (`2001:DB8:0::1` gives `2001:db8::1`),
    /// or `nil` if `text` is not one: host names, zone suffixes (`fe80::1%eth0`), CIDR,
    /// out-of-range octets and the empty string are all rejected.
    static func canonical(_ text: String) -> String? {
        guard !text.isEmpty, text.utf8.count <= maximumLength, !text.utf8.contains(0) else { return nil }

        var address4 = in_addr()
        if inet_pton(AF_INET, text, &address4) == 1 {
            return present(family: AF_INET, &address4)
        }
        var address6 = in6_addr()
        if inet_pton(AF_INET6, text, &address6) == 1 {
            return present(family: AF_INET6, &address6)
        }
        return nil
    }

    private static func present<Address>(family: Int32, _ address: inout Address) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let result = withUnsafePointer(to: &address) { pointer in
            inet_ntop(family, pointer, &buffer, socklen_t(buffer.count))
        }
        guard result != nil else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
