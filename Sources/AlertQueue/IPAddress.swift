#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// IP address validation through `inet_pton`: no hostnames, no zone ids, no out-of-range octets.
public enum IPAddress {
    public static func isValid(_ text: String) -> Bool {
        // `inet_pton` reads a C string: an embedded NUL would end it early, and `1.2.3.4\0evil` pass.
        guard !text.isEmpty, text.utf8.count <= 45, !text.utf8.contains(0) else { return false }
        var buffer = [UInt8](repeating: 0, count: 16)
        if inet_pton(AF_INET, text, &buffer) == 1 { return true }
        return inet_pton(AF_INET6, text, &buffer) == 1
    }
}
