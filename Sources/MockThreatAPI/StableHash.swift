/// A hash that is the same in every process and on every run.
///
/// Swift's `Hasher` is seeded per process, so it cannot give an IP the same
/// verdict twice; FNV-1a is stable and trivial to reproduce in other languages.
enum StableHash {
    /// FNV-1a, 64 bits, over `bytes`.
    static func fnv1a64<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }

    /// FNV-1a of `text` with a final avalanche step (the SplitMix64 finalizer).
    ///
    /// FNV-1a's low bits change little between similar inputs such as
    /// `10.0.0.1` and `10.0.0.2`; the finalizer spreads every input bit over
    /// the whole word so that `hash % 100` buckets evenly.
    static func mixed(_ text: String) -> UInt64 {
        var value = fnv1a64(text.utf8)
        value = (value ^ (value >> 30)) &* 0xbf58_476d_1ce4_e5b9
        value = (value ^ (value >> 27)) &* 0x94d0_49bb_1331_11eb
        return value ^ (value >> 31)
    }
}
