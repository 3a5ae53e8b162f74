// Placeholder until MockThreatAPI lands.
