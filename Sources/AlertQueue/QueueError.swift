/// A queue operation failed: it names the operation and carries the underlying message (errno text,
/// Redis error). Never contains credentials.
public struct QueueError: Error, CustomStringConvertible {
    public var operation: String
    public var message: String

    public init(_ operation: String, _ message: String) {
        self.operation = operation
        self.message = message
    }

    public var description: String {
        "\(operation): \(message)"
    }
}
