/**
 * A Gatehouse `KeyValueStore` on Redis through ioredis 5, whose client can
 * also back `rate-limiter-flexible`'s `RateLimiterRedis`.
 *
 * @packageDocumentation
 */
export { createRedisStore, type RedisClient, type RedisStoreOptions } from "./redis-store.js";
