import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Drives the mock API's `/admin/…` endpoints over a plain socket, one request per connection, so the
/// test needs no HTTP client library and is never held up by the processors' keep-alive connections.
struct AdminClient: Sendable {
    let port: Int

    /// `POST path` and the status code of the answer; retried a few times, since the server may be busy.
    @discardableResult
    func post(_ path: String) throws -> Int {
        var lastError: any Error = AdminError("not attempted")
        for _ in 0..<5 {
            do {
                return try exchange(
                    "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            } catch {
                lastError = error
                usleep(100_000)
            }
        }
        throw lastError
    }

    /// Takes the lookups down (503) or brings them back.
    func setDown(_ down: Bool) throws {
        let status = try post(down ? "/admin/down" : "/admin/up")
        guard status == 200 else { throw AdminError("/admin/\(down ? "down" : "up") answered \(status)") }
    }

    /// Applies fault settings, e.g. `latency_ms=800`.
    func setFaults(_ query: String) throws {
        let status = try post("/admin/faults?\(query)")
        guard status == 200 else { throw AdminError("/admin/faults?\(query) answered \(status)") }
    }

    /// Back to no faults at all.
    func reset() throws {
        let status = try post("/admin/reset")
        guard status == 200 else { throw AdminError("/admin/reset answered \(status)") }
    }

    private func exchange(_ request: String) throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw AdminError("socket: \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))

        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw AdminError("connect: \(String(cString: strerror(errno)))") }

        let bytes = Array(request.utf8)
        guard bytes.withUnsafeBytes({ send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == bytes.count
        else { throw AdminError("send: \(String(cString: strerror(errno)))") }

        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            answer.append(contentsOf: buffer[0..<count])
        }
        // "HTTP/1.1 200 OK"
        let statusLine = String(decoding: answer.prefix(32), as: UTF8.self).split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else {
            throw AdminError("no HTTP status in the answer (\(answer.count) bytes)")
        }
        return status
    }
}

struct AdminError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
