// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "alert-enrichment",
    products: [
        .executable(name: "collector", targets: ["collector"]),
        .executable(name: "processor", targets: ["processor"]),
        .executable(name: "monitor", targets: ["monitor"]),
        .executable(name: "backfill", targets: ["backfill"]),
        .executable(name: "threat-api", targets: ["threat-api"]),
        .executable(name: "bench", targets: ["bench"]),
    ],
    targets: [
        // C libraries from Debian: libhiredis-dev, libcurl4-openssl-dev, libmicrohttpd-dev.
        .systemLibrary(name: "CHiredis", path: "Sources/CHiredis"),
        .systemLibrary(name: "CCurl", path: "Sources/CCurl"),
        .systemLibrary(name: "CMicroHTTPD", path: "Sources/CMicroHTTPD"),

        // Libraries: everything testable lives here.
        .target(name: "Diagnostics"),
        .target(name: "Locks"),
        .target(name: "RedisClient", dependencies: ["CHiredis"]),
        .target(name: "AlertQueue", dependencies: ["RedisClient", "Diagnostics", "Locks"]),
        .target(name: "ThreatIntel", dependencies: ["CCurl", "Locks"]),
        .target(name: "MockThreatAPI", dependencies: ["CMicroHTTPD", "Diagnostics", "Locks"]),
        .target(name: "Enrichment", dependencies: ["AlertQueue", "ThreatIntel", "Diagnostics"]),
        .target(name: "CommandLineSupport", dependencies: ["AlertQueue", "Diagnostics"]),
        .target(name: "TestSupport", dependencies: ["RedisClient"], path: "Tests/TestSupport"),

        // Executables: argument handling and wiring only.
        .executableTarget(name: "collector", dependencies: ["Enrichment", "CommandLineSupport"]),
        .executableTarget(name: "processor", dependencies: ["Enrichment", "CommandLineSupport"]),
        .executableTarget(name: "monitor", dependencies: ["Enrichment", "CommandLineSupport"]),
        .executableTarget(name: "backfill", dependencies: ["Enrichment", "CommandLineSupport"]),
        .executableTarget(name: "threat-api", dependencies: ["MockThreatAPI", "CommandLineSupport"]),

        // The benchmark driver behind scripts/bench.sh (`make bench`); it reuses the test servers' launchers.
        .executableTarget(
            name: "bench", dependencies: ["AlertQueue", "Enrichment", "ThreatIntel", "RedisClient", "TestSupport"]),

        // Tests. Those that need a server start it themselves (see TestSupport).
        .testTarget(name: "RedisClientTests", dependencies: ["RedisClient", "TestSupport"]),
        .executableTarget(name: "queue-fixture", dependencies: ["AlertQueue"], path: "Tests/QueueFixture"),
        .testTarget(name: "AlertQueueTests", dependencies: ["AlertQueue", "TestSupport", "queue-fixture"]),
        .testTarget(name: "ThreatIntelTests", dependencies: ["ThreatIntel", "MockThreatAPI", "TestSupport"]),
        .testTarget(name: "MockThreatAPITests", dependencies: ["MockThreatAPI", "TestSupport"]),
        .testTarget(name: "CommandLineSupportTests", dependencies: ["CommandLineSupport"]),
        .testTarget(name: "LocksTests", dependencies: ["Locks"]),
        .testTarget(name: "EnrichmentTests", dependencies: ["Enrichment", "MockThreatAPI", "TestSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["AlertQueue", "TestSupport"]),
        .testTarget(name: "DocumentationTests", dependencies: ["TestSupport"]),
        .testTarget(name: "ChaosTests", dependencies: ["AlertQueue", "TestSupport"]),
        .testTarget(
            name: "HostileInputTests", dependencies: ["AlertQueue", "Enrichment", "RedisClient", "TestSupport"]),
    ]
)
