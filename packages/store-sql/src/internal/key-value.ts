// KeyValueStore on one table: every operation is a single atomic statement.
import { GatehouseError } from "@gatehouse/core/errors";
import {
  checkKey,
  checkStep,
  checkTtl,
  type IncrementOptions,
  type JsonValue,
  type KeyValueStore,
  type SetOptions,
  serialiseValue,
} from "@gatehouse/core/store";
import { sql } from "kysely";
import { type StoreContext, toNumber } from "./context.js";
import { q } from "./schema.js";

const MAX_SAFE = "9007199254740991";

/** Deletes up to `limit` expired keys (every expired key when `limit` is undefined); resolves how many. */
export async function sweepKv(ctx: StoreContext, limit?: number): Promise<number> {
  const t = sql.raw(q(`${ctx.prefix}kv`));
  const now = ctx.clock.now();
  // The expiry test is repeated outside the subquery: PostgreSQL re-checks it on a
  // row that a concurrent `set` revived, the IN list alone would not be re-checked.
  const result =
    limit === undefined
      ? await sql`DELETE FROM ${t} WHERE "expires_at" <= ${now}`.execute(ctx.db)
      : await sql`DELETE FROM ${t} WHERE "expires_at" <= ${now} AND "key" IN (SELECT "key" FROM ${t} WHERE "expires_at" <= ${now} LIMIT ${sql.raw(String(Math.trunc(limit)))})`.execute(
          ctx.db,
        );
  return Number(result.numAffectedRows ?? 0n);
}

/** The key-value half of the store, with the semantics of core's memory store. */
export function createKv(ctx: StoreContext): KeyValueStore {
  const t = sql.raw(q(`${ctx.prefix}kv`));
  const pg = ctx.dialect === "postgres";
  const expiry = (now: number, ttlMs: number | undefined) =>
    ttlMs === undefined ? null : now + ttlMs;
  const live = (now: number) => sql`("expires_at" IS NULL OR "expires_at" > ${now})`;
  const expired = (now: number) =>
    sql`(${t}."expires_at" IS NOT NULL AND ${t}."expires_at" <= ${now})`;

  return {
    async get<T extends JsonValue = JsonValue>(key: string) {
      checkKey(key);
      return ctx.run("get", async () => {
        const now = ctx.clock.now();
        const { rows } = await sql<{
          value: string;
        }>`SELECT "value" FROM ${t} WHERE "key" = ${key} AND ${live(now)}`.execute(ctx.db);
        return rows[0] === undefined ? undefined : (JSON.parse(rows[0].value) as T);
      });
    },

    async set(key: string, value: JsonValue, opts?: SetOptions) {
      checkKey(key);
      const json = serialiseValue(value);
      const ttlMs = checkTtl(opts?.ttlMs);
      await ctx.run("set", async () => {
        const now = ctx.clock.now();
        await sql`INSERT INTO ${t} ("key", "value", "expires_at") VALUES (${key}, ${json}, ${expiry(now, ttlMs)})
ON CONFLICT ("key") DO UPDATE SET "value" = excluded."value", "expires_at" = excluded."expires_at"`.execute(
          ctx.db,
        );
      });
      ctx.afterWrite();
    },

    async setIfAbsent(key: string, value: JsonValue, opts?: SetOptions) {
      checkKey(key);
      const json = serialiseValue(value);
      const ttlMs = checkTtl(opts?.ttlMs);
      const written = await ctx.run("setIfAbsent", async () => {
        const now = ctx.clock.now();
        // Inserts, or overwrites only a row that has expired; RETURNING yields a
        // row exactly when this statement wrote.
        const { rows } =
          await sql`INSERT INTO ${t} ("key", "value", "expires_at") VALUES (${key}, ${json}, ${expiry(now, ttlMs)})
ON CONFLICT ("key") DO UPDATE SET "value" = excluded."value", "expires_at" = excluded."expires_at"
WHERE ${expired(now)}
RETURNING "key"`.execute(ctx.db);
        return rows.length === 1;
      });
      ctx.afterWrite();
      return written;
    },

    async consume<T extends JsonValue = JsonValue>(key: string) {
      checkKey(key);
      return ctx.run("consume", async () => {
        const now = ctx.clock.now();
        const { rows } = await sql<{
          value: string;
        }>`DELETE FROM ${t} WHERE "key" = ${key} AND ${live(now)} RETURNING "value"`.execute(
          ctx.db,
        );
        return rows[0] === undefined ? undefined : (JSON.parse(rows[0].value) as T);
      });
    },

    async increment(key: string, opts?: IncrementOptions) {
      checkKey(key);
      const by = checkStep(opts?.by);
      const ttlMs = checkTtl(opts?.ttlMs);
      const result = await ctx.run("increment", async () => {
        const now = ctx.clock.now();
        // One upsert: a new or expired key starts at `by` with a fresh TTL; a live
        // key holding a safe integer is added to, keeping its expiry. The WHERE
        // refuses (no row returned) a value that is not an integer or would leave
        // the safe-integer range, and the CASE guards keep casts from failing.
        const current = pg ? sql`${t}."value"::bigint` : sql`CAST(${t}."value" AS INTEGER)`;
        const step = pg ? sql`CAST(${by} AS bigint)` : sql`CAST(${by} AS INTEGER)`;
        const isInteger = pg
          ? sql`${t}."value" ~ '^-?[0-9]{1,16}$'`
          : sql`CAST(CAST(${t}."value" AS INTEGER) AS TEXT) = ${t}."value"`;
        const sum = pg
          ? sql`(${current} + ${step})::text`
          : sql`CAST(${current} + ${step} AS TEXT)`;
        const { rows } = await sql<{
          value: string;
        }>`INSERT INTO ${t} ("key", "value", "expires_at") VALUES (${key}, ${String(by)}, ${expiry(now, ttlMs)})
ON CONFLICT ("key") DO UPDATE SET
  "value" = CASE WHEN ${expired(now)} THEN excluded."value" ELSE ${sum} END,
  "expires_at" = CASE WHEN ${expired(now)} THEN excluded."expires_at" ELSE ${t}."expires_at" END
WHERE ${expired(now)} OR CASE WHEN ${isInteger}
  THEN abs(${current}) <= ${sql.raw(MAX_SAFE)} AND abs(${current} + ${step}) <= ${sql.raw(MAX_SAFE)}
  ELSE ${sql.raw(pg ? "false" : "0")} END
RETURNING "value"`.execute(ctx.db);
        return rows[0]?.value;
      });
      if (result === undefined) {
        throw new GatehouseError(
          "store_invalid",
          "increment on a key that does not hold an integer, or overflow.",
        );
      }
      ctx.afterWrite();
      return toNumber(result);
    },

    async delete(key: string) {
      checkKey(key);
      return ctx.run("delete", async () => {
        const now = ctx.clock.now();
        // Deletes an expired row too (sweeping it), but reports only a live one.
        const { rows } = await sql<{
          live: boolean | number | bigint;
        }>`DELETE FROM ${t} WHERE "key" = ${key} RETURNING ${live(now)} AS "live"`.execute(ctx.db);
        const flag = rows[0]?.live;
        return flag === true || (typeof flag !== "boolean" && Number(flag) === 1);
      });
    },
  };
}
