// Placeholder until RedisClient lands.
