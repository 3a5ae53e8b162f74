// Placeholder until Diagnostics lands.
