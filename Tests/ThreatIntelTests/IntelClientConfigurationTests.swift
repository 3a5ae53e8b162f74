import Testing

@testable import ThreatIntel

@Suite("IntelClient configuration")
struct IntelClientConfigurationTests {
    @Test("accepts http and https base URLs, trailing slashes dropped")
    func acceptsBaseURLs() throws {
        #expect(try IntelClient.validatedBaseURL("http://127.0.0.1:8080/") == "http://127.0.0.1:8080")
        #expect(try IntelClient.validatedBaseURL("https://intel.example/v1//") == "https://intel.example/v1")
        #expect(try IntelClient.validatedBaseURL("http://[::1]:8080") == "http://[::1]:8080")
    }

    @Test(
        "refuses unusable base URLs",
        arguments: ["", "127.0.0.1:8080", "ftp://host", "file:///etc/passwd", "http://host/?q=1", "http://host/#x"])
    func refusesBaseURLs(text: String) {
        #expect(throws: IntelClientError.self) {
            try IntelClient(configuration: IntelClientConfiguration(baseURL: text))
        }
    }

    @Test("refuses zero timeouts and keys that could inject headers")
    func refusesBadSettings() {
        #expect(throws: IntelClientError.self) {
            try IntelClient(configuration: IntelClientConfiguration(baseURL: "http://h", timeout: .zero))
        }
        #expect(throws: IntelClientError.self) {
            try IntelClient(configuration: IntelClientConfiguration(baseURL: "http://h", apiKey: "k\r\nX-Evil: 1"))
        }
        #expect(throws: IntelClientError.self) {
            try IntelClient(
                configuration: IntelClientConfiguration(baseURL: "http://h", apiKey: "k", apiKeyHeader: "X Key"))
        }
    }

    @Test("sends the API key header, and only when there is a key")
    func headerLines() throws {
        let plain = IntelClientConfiguration(baseURL: "http://h")
        #expect(try IntelClient.headerLines(for: plain) == ["Accept: application/json"])
        let keyed = IntelClientConfiguration(
            baseURL: "http://h", apiKey: "Bearer s3cret", apiKeyHeader: "Authorization")
        #expect(try IntelClient.headerLines(for: keyed).last == "Authorization: Bearer s3cret")
    }

    @Test("never shows the API key when printed or dumped")
    func redactsKey() {
        let configuration = IntelClientConfiguration(baseURL: "http://h", apiKey: "s3cret")
        var dumped = ""
        dump(configuration, to: &dumped)
        for text in ["\(configuration)", String(reflecting: configuration), dumped] {
            #expect(!text.contains("s3cret"))
            #expect(text.contains("<redacted>"))
        }
    }

    @Test("percent-encodes the IP path segment")
    func percentEncoding() {
        #expect(IntelClient.percentEncodedPathSegment("185.220.101.1") == "185.220.101.1")
        #expect(IntelClient.percentEncodedPathSegment("2001:db8::1") == "2001:db8::1")
        #expect(IntelClient.percentEncodedPathSegment("fe80::1%eth0") == "fe80::1%25eth0")
        #expect(IntelClient.percentEncodedPathSegment("../x y?#/é") == "..%2Fx%20y%3F%23%2F%C3%A9")
    }
}
