/**
 * RBAC guard cost on the warm path: `requirePermission` on a request whose
 * Clerk token is already verified (context stored by `authenticate()`), against
 * a no-op middleware driven the same way. Target: < 2 µs added per request.
 *
 *   pnpm bench:rbac
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { clerk, createVerifier } from "@gatehouse/core";
import { createMemoryKeyValueStore, createMemoryRecordStore } from "@gatehouse/core/store";
import { authenticate } from "@gatehouse/express";
import {
  createAuthorizer,
  createCustomRoles,
  createMemberships,
  defaultRoles,
  defineRoles,
} from "@gatehouse/rbac";
import { createGuards } from "@gatehouse/rbac/express";
import { generateTestKeys, mintClerkToken } from "@gatehouse/testing";
import { envNumber, printTable, printTargets, target, writeResults } from "./report.js";

type Middleware = (
  req: IncomingMessage,
  res: ServerResponse,
  next: (err?: unknown) => void,
) => void;

const N = envNumber("BENCH_RBAC_ITERATIONS", 300_000);
const keys = generateTestKeys();
const verifier = createVerifier({ issuers: [clerk({ jwtKey: keys.publicKeyPem })] });
const roles = defineRoles({
  roles: { ...defaultRoles(), "org:member": { permissions: ["org:invoices:read"] } },
});
const records = createMemoryRecordStore();
const authorizer = createAuthorizer({
  roles,
  customRoles: createCustomRoles({ records, kv: createMemoryKeyValueStore(), roles }),
  memberships: createMemberships({ records }),
});
const guards = createGuards(authorizer, { orgParam: "orgId" });

async function requestWith(role: string): Promise<IncomingMessage> {
  const token = await mintClerkToken(keys, { expiresInSec: 3600, org: { id: "org_acme", role } });
  const req = {
    headers: { authorization: `Bearer ${token}` },
    params: { orgId: "org_acme" },
  } as unknown as IncomingMessage;
  await new Promise((resolve) => authenticate(verifier)(req, {} as ServerResponse, resolve));
  return req;
}

/** ns per pass through `middleware`, each awaited like Express awaits `next`. */
async function cost(middleware: Middleware, req: IncomingMessage): Promise<number> {
  const res = {} as ServerResponse;
  const once = () =>
    new Promise<void>((resolve, reject) =>
      middleware(req, res, (err) => (err ? reject(err) : resolve())),
    );
  for (let i = 0; i < 20_000; i++) await once();
  const started = process.hrtime.bigint();
  for (let i = 0; i < N; i++) await once();
  return Number(process.hrtime.bigint() - started) / N;
}

const noop: Middleware = (_req, _res, next) => next();
const memberReq = await requestWith("org:member");
const customReq = await requestWith("org:admin");
const rows: [string, number][] = [];
for (let round = 0; round < 2; round++) {
  rows.length = 0;
  rows.push(["no-op middleware (baseline)", await cost(noop, memberReq)]);
  rows.push([
    "requirePermission (role grants it)",
    await cost(guards.requirePermission("org:invoices:read") as Middleware, memberReq),
  ]);
  rows.push(["requireOrgAdmin", await cost(guards.requireOrgAdmin as Middleware, customReq)]);
  rows.push(["requireRole", await cost(guards.requireRole("org:member") as Middleware, memberReq)]);
}
const base = rows[0]![1];
printTable(
  ["middleware", "ns/request", "added ns"],
  rows.map(([name, ns]) => [name, ns.toFixed(0), (ns - base).toFixed(0)]),
);
const added = rows[1]![1] - base;
const targets = [target("requirePermission added cost: 2000 ns budget / added ns", 2000, added, 1)];
console.log("");
printTargets(targets);
console.log(`\nwrote ${writeResults("rbac", { rows, targets })}`);
