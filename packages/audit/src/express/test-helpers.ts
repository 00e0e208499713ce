/**
 * Test-only helpers of the Express adapter (not exported from the package):
 * a verifier trusting Clerk-shaped test tokens and one API key, token
 * minting on a frozen clock, and a log that keeps what it records.
 *
 * @packageDocumentation
 */
import { type ApiKeyGrant, apiKeys, clerk, createVerifier, type Verifier } from "@gatehouse/core";
import { GatehouseError } from "@gatehouse/core/errors";
import { createMemoryRecordStore, type RecordStore } from "@gatehouse/core/store";
import {
  createFakeClock,
  FAKE_CLOCK_START_MS,
  generateTestKeys,
  mintClerkToken,
} from "@gatehouse/testing";
import type { AuditEventInput } from "../event.js";
import { createAuditLog } from "../log.js";
import { type AuditQuery, createAuditQuery } from "../query.js";
import { recordStoreSink } from "../sinks.js";
import type { AuditLog } from "../types.js";

export const keys = generateTestKeys();
export const clock = createFakeClock();

/** The one API key the verifier knows: id `key_1`, for `user_k` in `org_1`. */
export const API_KEY = "gh_sk_test_0123456789abcdef";
const grant: ApiKeyGrant = {
  id: "key_1",
  subject: "user_k",
  orgId: "org_1",
  scopes: [],
  kind: "secret",
  expiresAt: null,
};

/** A verifier of Clerk test tokens and of {@link API_KEY}, on the frozen clock. */
export function makeVerifier(): Verifier {
  return createVerifier({
    issuers: [
      clerk({ jwtKey: keys.publicKeyPem }),
      apiKeys({
        resolver: {
          resolve: async (secret) => {
            if (secret === API_KEY) return grant;
            throw new GatehouseError("api_key_invalid", "Unknown API key.");
          },
        },
      }),
    ],
    clock,
  });
}

/** A session token for `userId`, in `orgId` with `role` (an admin by default). */
export function tokenFor(
  userId: string,
  orgId: string | null = "org_1",
  extra: { role?: string; act?: { sub: string } } = {},
): Promise<string> {
  return mintClerkToken(keys, {
    userId,
    clock,
    ...(orgId === null ? {} : { org: { id: orgId, role: extra.role ?? "org:admin" } }),
    ...(extra.act === undefined ? {} : { act: extra.act }),
  });
}

/**
 * A log that keeps every `record()` input. `until(n)` resolves once `n`
 * events are recorded: events are written after the response is sent, which
 * may come a tick after the client has read it.
 */
export function memoryLog(): Pick<AuditLog, "record"> & {
  readonly events: AuditEventInput[];
  until(n: number): Promise<AuditEventInput[]>;
} {
  const events: AuditEventInput[] = [];
  const waiting: { n: number; resolve: (e: AuditEventInput[]) => void }[] = [];
  return {
    events,
    record(event) {
      events.push(event);
      for (const w of waiting.filter((w) => events.length >= w.n)) {
        waiting.splice(waiting.indexOf(w), 1);
        w.resolve(events);
      }
    },
    until: (n) =>
      events.length >= n
        ? Promise.resolve(events)
        : new Promise((resolve) => waiting.push({ n, resolve })),
  };
}

/** The time of the first seeded event (the fake clock's start). */
export const T0 = FAKE_CLOCK_START_MS;

/**
 * A memory store holding events of `org_1` (four, one a minute from
 * {@link T0}: `session.created` by user_1, `authz.denied` of user_2, an
 * `http.request` by key_1, `admin.user.updated` by user_1 on user_2), one of
 * `org_2` and one without an organization, written through a real log.
 */
export async function seededQuery(): Promise<{ query: AuditQuery; records: RecordStore }> {
  const records = createMemoryRecordStore();
  const at = (minutes: number) => T0 + minutes * 60_000;
  const log = createAuditLog({ sinks: [recordStoreSink(records)] });
  const user = (id: string) => ({ type: "user" as const, id });
  log.record({
    action: "session.created",
    actor: user("user_1"),
    orgId: "org_1",
    time: at(0),
    target: { type: "session", id: "sess_1" },
    userAgent: '=HYPERLINK("http://evil.test")',
  });
  log.record({
    action: "authz.denied",
    actor: user("user_2"),
    orgId: "org_1",
    time: at(1),
    outcome: "denied",
  });
  log.record({
    action: "http.request",
    actor: { type: "api_key", id: "key_1" },
    orgId: "org_1",
    time: at(2),
    target: { type: "route", id: "GET /orgs/:orgId/invoices" },
  });
  log.record({
    action: "admin.user.updated",
    actor: user("user_1"),
    orgId: "org_1",
    time: at(3),
    target: { type: "user", id: "user_2" },
    metadata: { changed: ["email"] },
  });
  log.record({ action: "session.created", actor: user("user_9"), orgId: "org_2", time: at(4) });
  log.record({ action: "signing_key.rotated", time: at(5) });
  await log.close();
  return { query: createAuditQuery(records), records };
}
