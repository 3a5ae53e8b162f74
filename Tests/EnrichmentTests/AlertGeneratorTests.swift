import AlertQueue
import Foundation
import Testing

@testable import Enrichment

@Suite struct AlertGeneratorTests {
    @Test func everyAlertIsValidAndInTheLabsFormat() throws {
        let generator = AlertGenerator(poolSize: 100)
        var severities: [String: Int] = [:]
        var sawIPv6 = false
        var sawReference = false
        let uuid = try Regex("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
        for _ in 0..<2000 {
            let (id, payload) = generator.makeAlert()
            let alert = try AlertParser.parse(payload).get()
            #expect(alert.id == id)
            #expect(id.wholeMatch(of: uuid) != nil)
            #expect(alert.fieldNames == ["alert_id", "rule_id", "source_ip", "severity", "timestamp"])
            let fields = try #require(try JSONSerialization.jsonObject(with: Data(payload)) as? [String: String])
            severities[fields["severity"]!, default: 0] += 1
            #expect(fields["timestamp"]!.hasSuffix("Z"))
            #expect(fields["rule_id"]!.hasPrefix("RULE-"))
            sawIPv6 = sawIPv6 || alert.sourceIP.contains(":")
            sawReference = sawReference || AlertGenerator.referenceIPs.contains(alert.sourceIP)
        }
        #expect(Set(severities.keys) == ["LOW", "MEDIUM", "HIGH", "CRITICAL"])
        #expect(severities["LOW"]! > severities["CRITICAL"]!)
        #expect(sawIPv6 && sawReference)
    }

    @Test func thePoolBoundsHowManyIPsThereAre() {
        let generator = AlertGenerator(poolSize: 10)
        var random = SystemRandomNumberGenerator()
        let ips = Set((0..<2000).map { _ in generator.sourceIP(using: &random) })
        #expect(ips.count <= 10 + AlertGenerator.referenceIPs.count)
    }
}
