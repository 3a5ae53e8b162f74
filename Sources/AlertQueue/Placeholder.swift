// Placeholder until AlertQueue lands.
