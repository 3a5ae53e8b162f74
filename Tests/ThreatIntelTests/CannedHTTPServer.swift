import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A loopback TCP server that answers every request the same scripted way, for the failures a
/// well-behaved server never produces: empty replies, resets, garbage, hostile bodies.
///
/// Each connection serves one request and is then closed; it records the request heads it read, so
/// tests can see exactly what the client sent.
final class CannedHTTPServer: Sendable {
    /// What to do once a request has been read.
    enum Behavior: Sendable {
        /// Send these bytes, then close.
        case respond([UInt8])
        /// Close without a word (an empty reply).
        case close
        /// Abort the connection with a TCP reset.
        case reset
    }

    struct SetupError: Error {
        let call: String
    }

    let port: Int
    private let listener: Int32
    private let behavior: Behavior
    private let heads = Mutex<[String]>([])
    private let stopped = DispatchSemaphore(value: 0)

    /// Listens on 127.0.0.1 at a free port and starts accepting.
    init(_ behavior: Behavior) throws {
        let socketDescriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketDescriptor >= 0 else {
            throw SetupError(call: "socket")
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(socketDescriptor, generic, length) == 0 && listen(socketDescriptor, 16) == 0
                    && getsockname(socketDescriptor, generic, &length) == 0
            }
        }
        guard bound else {
            close(socketDescriptor)
            throw SetupError(call: "bind/listen")
        }
        self.listener = socketDescriptor
        self.port = Int(UInt16(bigEndian: address.sin_port))
        self.behavior = behavior
        // A thread of its own: an accept loop parked on a Dispatch worker starves the shared pool
        // (the mock API's timers included) when many tests run at once.
        Thread { [self] in
            acceptLoop()
        }.start()
    }

    /// `http://127.0.0.1:port`.
    var baseURL: String {
        "http://127.0.0.1:\(port)"
    }

    /// The request heads received so far (request line and headers).
    var requestHeads: [String] {
        heads.withLock { $0 }
    }

    /// Stops accepting and waits for the accept loop to end.
    func stop() {
        // Shutting a listening socket down wakes a blocked accept() on Linux.
        shutdown(listener, Int32(SHUT_RDWR))
        stopped.wait()
        close(listener)
    }

    private func acceptLoop() {
        defer { stopped.signal() }
        while true {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else {
                if errno == EINTR {
                    continue
                }
                return
            }
            serve(connection)
        }
    }

    private func serve(_ connection: Int32) {
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4_096)
        while !received.ends(with: Array("\r\n\r\n".utf8)) {
            let count = chunk.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            guard count > 0 else {
                close(connection)
                return
            }
            received += chunk[0..<count]
        }
        heads.withLock { $0.append(String(decoding: received, as: UTF8.self)) }

        switch behavior {
        case let .respond(bytes):
            var offset = 0
            while offset < bytes.count {
                let sent = bytes[offset...].withUnsafeBytes { send(connection, $0.baseAddress, $0.count, 0) }
                guard sent > 0 else {
                    break
                }
                offset += sent
            }
        case .close:
            break
        case .reset:
            // Linger with a zero timeout turns close() into a reset.
            var option = linger(l_onoff: 1, l_linger: 0)
            setsockopt(connection, SOL_SOCKET, SO_LINGER, &option, socklen_t(MemoryLayout<linger>.size))
        }
        close(connection)
    }
}

extension Array where Element == UInt8 {
    fileprivate func ends(with suffix: [UInt8]) -> Bool {
        count >= suffix.count && self[(count - suffix.count)...].elementsEqual(suffix)
    }
}
