// Placeholder until CommandLineSupport lands.
