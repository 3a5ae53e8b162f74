// Placeholder until ThreatIntel lands.
