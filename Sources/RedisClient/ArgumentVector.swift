/// One command's arguments laid out for hiredis's argv functions: every argument's bytes back to back in
/// one buffer, with explicit lengths, so NUL bytes and non-UTF-8 data pass through unchanged.
struct ArgumentVector {
    /// The arguments' bytes plus one trailing zero, which keeps the base address non-nil when all are empty.
    private var storage: [UInt8] = []
    private var lengths: [Int] = []

    init(_ arguments: [String]) {
        for argument in arguments {
            storage.append(contentsOf: argument.utf8)
            lengths.append(argument.utf8.count)
        }
        storage.append(0)
    }

    init(bytes arguments: [[UInt8]]) {
        storage.reserveCapacity(arguments.reduce(1) { $0 + $1.count })
        for argument in arguments {
            storage.append(contentsOf: argument)
            lengths.append(argument.count)
        }
        storage.append(0)
    }

    var isEmpty: Bool {
        lengths.isEmpty
    }

    /// The command's name for error messages: the first argument, upper-cased and cut short, never the others.
    var commandName: String {
        guard let length = lengths.first else { return "" }
        let name = storage.prefix(min(length, 32)).map { byte -> Character in
            (0x21..<0x7F).contains(byte) ? Character(Unicode.Scalar(byte)) : "?"
        }
        return String(name).uppercased()
    }

    /// Calls `body` with `argc`, `argv` and `argvlen` valid for the duration of the call only.
    /// The vector must not be empty: callers check `isEmpty` first.
    func withArgv<Result, Failure: Error>(
        _ body: (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>, UnsafePointer<Int>) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        precondition(!lengths.isEmpty, "a Redis command needs at least its name")
        var pointers: [UnsafePointer<CChar>?] = []
        pointers.reserveCapacity(lengths.count)
        let result: Swift.Result<Result, Failure> = storage.withUnsafeBytes { buffer in
            let base = buffer.baseAddress!.assumingMemoryBound(to: CChar.self)
            var offset = 0
            for length in lengths {
                pointers.append(base + offset)
                offset += length
            }
            return pointers.withUnsafeMutableBufferPointer { argv in
                lengths.withUnsafeBufferPointer { argvlen in
                    do throws(Failure) {
                        return .success(try body(Int32(lengths.count), argv.baseAddress!, argvlen.baseAddress!))
                    } catch {
                        return .failure(error)
                    }
                }
            }
        }
        return try result.get()
    }
}
