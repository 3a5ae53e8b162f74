import CMicroHTTPD
import Diagnostics

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

// The callbacks libmicrohttpd calls from its worker threads. They are plain
// functions, not closures, so they carry no actor isolation, and they reach the
// server only through the context pointer handed to `cmhd_start_daemon`.

/// `MHD_OPTION_URI_LOG_CALLBACK`: runs before libmicrohttpd unescapes the target,
/// so this is where the raw bytes are kept. The result becomes `*con_cls`.
func handleRequestTarget(
    _ server: UnsafeMutableRawPointer?, _ uri: UnsafePointer<CChar>?, _ connection: OpaquePointer?
) -> UnsafeMutableRawPointer? {
    let raw = uri.map { Array(UnsafeRawBufferPointer(start: $0, count: strlen($0))) } ?? []
    let context = RequestContext(rawTarget: raw, address: UInt(bitPattern: uri))
    return Unmanaged.passRetained(context).toOpaque()
}

/// `MHD_OPTION_NOTIFY_COMPLETED`: the request is over, answered or not.
func handleCompletion(
    _ server: UnsafeMutableRawPointer?, _ connection: OpaquePointer?,
    _ requestContext: UnsafeMutablePointer<UnsafeMutableRawPointer?>?, _ code: MHD_RequestTerminationCode
) {
    guard let requestContext, let pointer = requestContext.pointee else { return }
    Unmanaged<RequestContext>.fromOpaque(pointer).release()
    requestContext.pointee = nil
}

/// The access handler: called once when the headers are in, once per piece of body,
/// once more when the request is complete, and again after a suspended connection resumes.
func handleAccess(
    _ serverPointer: UnsafeMutableRawPointer?, _ connection: OpaquePointer?, _ url: UnsafePointer<CChar>?,
    _ method: UnsafePointer<CChar>?, _ version: UnsafePointer<CChar>?, _ uploadData: UnsafePointer<CChar>?,
    _ uploadDataSize: UnsafeMutablePointer<Int>?, _ requestContext: UnsafeMutablePointer<UnsafeMutableRawPointer?>?
) -> MHD_Result {
    guard let serverPointer, let connection, let uploadDataSize, let requestContext else { return .NO }
    let server = Unmanaged<ThreatAPIServer>.fromOpaque(serverPointer).takeUnretainedValue()
    let context: RequestContext
    if let pointer = requestContext.pointee {
        context = Unmanaged<RequestContext>.fromOpaque(pointer).takeUnretainedValue()
    } else {
        // Only if libmicrohttpd skipped the URI log callback; the unescaped URL is the best left.
        let raw = url.map { Array(UnsafeRawBufferPointer(start: $0, count: strlen($0))) } ?? []
        context = RequestContext(rawTarget: raw, address: 0)
        requestContext.pointee = Unmanaged.passRetained(context).toOpaque()
    }

    switch context.stage {
    case .headers:
        context.method = method.map { String(cString: $0) } ?? ""
        context.stage = .receivingBody
        if context.containsNUL(version: version) {
            let refusal = HTTPResponse.error(status: 400, "NUL byte in request target")
            return server.send(refusal, kind: .other, context: context, on: connection)
        }
        // A declared body beyond what is worth reading is refused before any of it is read.
        if let declared = MHD_lookup_connection_value(connection, .HEADER_KIND, "Content-Length"),
            let length = Int(String(cString: declared)), length > ThreatAPIServer.maximumDiscardedBodyBytes
        {
            return server.send(bodyTooLarge, kind: .other, context: context, on: connection)
        }
        return .YES

    case .receivingBody:
        let size = uploadDataSize.pointee
        if size > 0 {
            uploadDataSize.pointee = 0
            if let uploadData, context.discardedBodyBytes == 0,
                context.body.count + size <= ThreatAPIServer.maximumBodyBytes
            {
                context.body.append(contentsOf: UnsafeRawBufferPointer(start: uploadData, count: size))
                return .YES
            }
            // Reading the rest before answering lets the client see the 413: closing with unread
            // input would make the kernel reset the connection and lose the answer.
            context.body = []
            context.discardedBodyBytes += size
            if context.discardedBodyBytes > ThreatAPIServer.maximumDiscardedBodyBytes {
                return server.send(bodyTooLarge, kind: .other, context: context, on: connection)
            }
            return .YES
        }
        if context.discardedBodyBytes > 0 {
            return server.send(bodyTooLarge, kind: .other, context: context, on: connection)
        }
        let reply = server.reply(method: context.method, rawTarget: context.rawTarget, body: context.body)
        if reply.delayMilliseconds > 0 {
            context.stage = .delayed(reply)
            if server.suspend(connection, forMilliseconds: reply.delayMilliseconds) { return .YES }
        }
        return server.send(reply.response, kind: reply.kind, context: context, on: connection)

    case .delayed(let reply):
        return server.send(reply.response, kind: reply.kind, context: context, on: connection)

    case .answered:
        // A response is queued; swallow whatever body is still arriving.
        uploadDataSize.pointee = 0
        return .YES
    }
}

private let bodyTooLarge = HTTPResponse.error(
    status: 413, "request body larger than \(ThreatAPIServer.maximumBodyBytes) bytes")

extension ThreatAPIServer {
    /// Queues `response` in one piece (copied into libmicrohttpd's buffer) and counts it.
    func send(_ response: HTTPResponse, kind: RequestKind, context: RequestContext, on connection: OpaquePointer)
        -> MHD_Result
    {
        context.stage = .answered
        var body = Array(response.body.utf8)
        let prepared = body.withUnsafeMutableBytes { buffer in
            MHD_create_response_from_buffer(buffer.count, buffer.baseAddress, .RESPMEM_MUST_COPY)
        }
        guard let prepared else { return .NO }
        defer { MHD_destroy_response(prepared) }
        _ = MHD_add_response_header(prepared, "Content-Type", "application/json")
        for header in response.headers {
            _ = MHD_add_response_header(prepared, header.name, header.value)
        }
        let queued = MHD_queue_response(connection, UInt32(response.status), prepared)

        record(status: response.status, kind: kind)
        if logger.isEnabled(.debug) {
            let elapsed = (MonotonicClock.nanoseconds() - context.started) / 1_000_000
            logger.debug(
                "request answered",
                [
                    "http.method": context.method, "http.target": String(decoding: context.rawTarget, as: UTF8.self),
                    "http.status": String(response.status), "duration_ms": String(elapsed),
                ])
        }
        return queued
    }
}
