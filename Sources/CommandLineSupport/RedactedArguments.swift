import Foundation

/// Hides passwords given in `redis://user:password@host` arguments from the process list.
///
/// `ps` and `/proc/<pid>/cmdline` read the process's own argv memory, so the password bytes are
/// overwritten in place once the options have been parsed (redis-cli and MySQL clients do the same).
/// Passing the URL through `REDIS_URL` keeps it out of the process list from the start.
enum RedactedArguments {
    static func hideSecrets() {
        let argv = CommandLine.unsafeArgv
        for index in 1..<Int(CommandLine.argc) {
            guard let pointer = argv[index] else { continue }
            let argument = String(cString: pointer)
            guard let range = passwordRange(in: argument) else { continue }
            let bytes = UnsafeMutableRawPointer(pointer).assumingMemoryBound(to: UInt8.self)
            for offset in range {
                bytes[offset] = UInt8(ascii: "*")
            }
        }
    }

    /// The byte offsets of the password in `scheme://user:password@host…`, if there is one.
    static func passwordRange(in argument: String) -> Range<Int>? {
        let bytes = Array(argument.utf8)
        guard let schemeEnd = argument.range(of: "://") else { return nil }
        let authorityStart = argument.utf8.distance(from: argument.startIndex, to: schemeEnd.upperBound)
        var authorityEnd = bytes.count
        for offset in authorityStart..<bytes.count where bytes[offset] == UInt8(ascii: "/") {
            authorityEnd = offset
            break
        }
        guard let at = bytes[authorityStart..<authorityEnd].lastIndex(of: UInt8(ascii: "@")),
            let colon = bytes[authorityStart..<at].firstIndex(of: UInt8(ascii: ":")),
            colon + 1 < at
        else { return nil }
        return (colon + 1)..<at
    }
}
