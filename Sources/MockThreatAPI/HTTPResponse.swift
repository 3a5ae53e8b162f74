import Diagnostics

/// A whole response: status, extra headers and a JSON body, sent in one piece.
struct HTTPResponse: Error, Equatable {
    var status: Int
    var headers: [Header]
    var body: String

    struct Header: Equatable {
        var name: String
        var value: String
    }

    init(status: Int, headers: [Header] = [], body: String) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    static func json(status: Int = 200, _ body: String, headers: [Header] = []) -> HTTPResponse {
        HTTPResponse(status: status, headers: headers, body: body)
    }

    /// `{"error": {"message": …}}`, the error shape of the whole API.
    static func error(status: Int, _ message: String, headers: [Header] = []) -> HTTPResponse {
        HTTPResponse(status: status, headers: headers, body: "{\"error\":\(JSONText.object([("message", message)]))}")
    }
}
