import Foundation

#if canImport(Glibc)
    import Glibc
#endif

// The benchmark driver behind `scripts/bench.sh` and `make bench`; see docs/BENCHMARKS.md.
signal(SIGPIPE, SIG_IGN)
let settings = BenchSettings.fromEnvironment()
let benchmark = BenchmarkRun(settings: settings)
do {
    try benchmark.run()
} catch {
    FileHandle.standardError.write(Data("bench: failed: \(error)\n".utf8))
    exit(1)
}
let report = Report(results: benchmark.results, settings: settings)
print(report.markdown)
do {
    try report.write(to: settings.outputPath)
    FileHandle.standardError.write(Data("bench: wrote \(settings.outputPath)\n".utf8))
} catch {
    FileHandle.standardError.write(Data("bench: could not write \(settings.outputPath): \(error)\n".utf8))
    exit(1)
}
