// Placeholder until Enrichment lands.
