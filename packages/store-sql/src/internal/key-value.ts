// KeyValueStore on one table: every operation is a single atomic statement
// (the statements are in kv-statements.ts).
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
import { bind, kvStatements } from "./kv-statements.js";
import { q } from "./schema.js";

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
  const st = kvStatements(ctx.dialect, ctx.prefix);
  const expiry = (now: number, ttlMs: number | undefined) =>
    ttlMs === undefined ? null : now + ttlMs;

  return {
    async get<T extends JsonValue = JsonValue>(key: string) {
      checkKey(key);
      return ctx.run("get", async () => {
        const rows = await ctx.query<{ value: string }>(
          st.get,
          bind(st.get, { key, now: ctx.clock.now() }),
        );
        return rows[0] === undefined ? undefined : (JSON.parse(rows[0].value) as T);
      });
    },

    async set(key: string, value: JsonValue, opts?: SetOptions) {
      checkKey(key);
      const json = serialiseValue(value);
      const ttlMs = checkTtl(opts?.ttlMs);
      await ctx.run("set", async () => {
        const now = ctx.clock.now();
        await ctx.query(
          st.set,
          bind(st.set, { key, value: json, expiresAt: expiry(now, ttlMs), now }),
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
        const rows = await ctx.query(
          st.setIfAbsent,
          bind(st.setIfAbsent, { key, value: json, expiresAt: expiry(now, ttlMs), now }),
        );
        return rows.length === 1;
      });
      ctx.afterWrite();
      return written;
    },

    async consume<T extends JsonValue = JsonValue>(key: string) {
      checkKey(key);
      return ctx.run("consume", async () => {
        const rows = await ctx.query<{ value: string }>(
          st.consume,
          bind(st.consume, { key, now: ctx.clock.now() }),
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
        const rows = await ctx.query<{ value: string }>(
          st.increment,
          bind(st.increment, { key, value: String(by), expiresAt: expiry(now, ttlMs), now, by }),
        );
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
        const rows = await ctx.query<{ live: boolean | number | bigint }>(
          st.delete,
          bind(st.delete, { key, now: ctx.clock.now() }),
        );
        const flag = rows[0]?.live;
        return flag === true || (typeof flag !== "boolean" && Number(flag) === 1);
      });
    },
  };
}
