import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A response as read off the wire.
struct RawHTTPResponse {
    var status: Int
    /// Header names in lower case.
    var headers: [String: String]
    var body: String
}

enum RawHTTPError: Error, Equatable {
    case connectFailed(Int32)
    case timedOut
    /// The server closed the connection before a whole response arrived.
    case closed
    case malformed(String)
}

/// An HTTP/1.1 client on a plain socket, so tests control every byte: hostile request
/// lines, unnormalised paths, keep-alive reuse and client-side timeouts.
final class RawHTTPConnection {
    private let descriptor: Int32
    private var buffer: [UInt8] = []

    init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let status = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard status == 0 else {
            let code = errno
            close(descriptor)
            throw RawHTTPError.connectFailed(code)
        }
        // Requests go out in one write each, so the client adds no Nagle delay of its own.
        var one: Int32 = 1
        setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    deinit {
        close(descriptor)
    }

    /// Writes all of `bytes`; a reset by the server is not an error here (the test reads what happened).
    func send(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes {
                Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            if written < 0, errno == EINTR { continue }
            guard written > 0 else { return }
            offset += written
        }
    }

    func send(_ text: String) {
        send(Array(text.utf8))
    }

    /// Sends one request with `Host` and, for a body, `Content-Length`.
    func sendRequest(_ method: String, _ target: String, headers: [String] = [], body: String? = nil) {
        var request = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for header in headers { request += header + "\r\n" }
        if let body { request += "Content-Length: \(body.utf8.count)\r\n" }
        request += "\r\n" + (body ?? "")
        send(request)
    }

    /// One request and its response on this connection.
    func request(
        _ method: String, _ target: String, headers: [String] = [], body: String? = nil, timeout: Double = 5
    ) throws -> RawHTTPResponse {
        sendRequest(method, target, headers: headers, body: body)
        return try readResponse(timeout: timeout, isHead: method == "HEAD")
    }

    /// Reads one whole response (headers, then `Content-Length` bytes of body).
    func readResponse(timeout: Double = 5, isHead: Bool = false) throws -> RawHTTPResponse {
        let deadline = Self.now() + timeout
        var headerEnd: Int?
        while headerEnd == nil {
            headerEnd = Self.find([13, 10, 13, 10], in: buffer).map { $0 + 4 }
            if headerEnd == nil { try fill(until: deadline) }
        }
        let end = headerEnd!
        let head = String(decoding: buffer[..<end], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        guard !lines.isEmpty else { throw RawHTTPError.malformed(head) }
        let statusParts = lines.removeFirst().split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw RawHTTPError.malformed(head) }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            headers[line[..<colon].lowercased()] = value
        }
        let length = isHead ? 0 : Int(headers["content-length"] ?? "0") ?? 0
        while buffer.count < end + length {
            try fill(until: deadline)
        }
        let body = String(decoding: buffer[end..<(end + length)], as: UTF8.self)
        buffer.removeFirst(end + length)
        return RawHTTPResponse(status: status, headers: headers, body: body)
    }

    /// True if the server closed the connection (end of stream or reset) within `timeout`.
    func isClosedByServer(timeout: Double = 5) -> Bool {
        let deadline = Self.now() + timeout
        while true {
            do {
                try fill(until: deadline)
            } catch RawHTTPError.closed {
                return true
            } catch {
                return false
            }
        }
    }

    private func fill(until deadline: Double) throws {
        let remaining = deadline - Self.now()
        guard remaining > 0 else { throw RawHTTPError.timedOut }
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        let ready = poll(&poller, 1, Int32(remaining * 1_000) + 1)
        if ready < 0, errno == EINTR { return }
        guard ready > 0 else { throw RawHTTPError.timedOut }
        var chunk = [UInt8](repeating: 0, count: 16_384)
        let count = recv(descriptor, &chunk, chunk.count, 0)
        guard count > 0 else { throw RawHTTPError.closed }
        buffer.append(contentsOf: chunk[..<count])
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count)
        where haystack[start..<start + needle.count].elementsEqual(needle) {
            return start
        }
        return nil
    }

    /// Monotonic seconds, for measuring how long the server took.
    static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
}

/// One request on a fresh connection.
func fetch(
    _ port: Int, _ method: String, _ target: String, headers: [String] = [], body: String? = nil, timeout: Double = 5
) throws -> RawHTTPResponse {
    let connection = try RawHTTPConnection(port: port)
    return try connection.request(method, target, headers: headers, body: body, timeout: timeout)
}

/// One GET on a fresh connection.
func fetch(_ port: Int, _ target: String, timeout: Double = 5) throws -> RawHTTPResponse {
    try fetch(port, "GET", target, timeout: timeout)
}
