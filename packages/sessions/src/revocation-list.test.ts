import { StoreUnavailableError } from "@gatehouse/core/errors";
import type { KeyValueStore } from "@gatehouse/core/store";
import { createMemoryKeyValueStore } from "@gatehouse/core/store";
import { createFakeClock } from "@gatehouse/testing";
import { describe, expect, it } from "vitest";
import { RevocationList } from "./revocation-list.js";

/** A store that can be switched off or swapped (wiped), counting reads. */
function switchable(initial: KeyValueStore) {
  const state = { down: false, reads: 0, inner: initial };
  const guarded =
    <A extends unknown[], R>(op: (kv: KeyValueStore, ...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      if (state.down) throw new StoreUnavailableError("down");
      return op(state.inner, ...args);
    };
  const store: KeyValueStore = {
    get: guarded((kv, k: string) => {
      state.reads++;
      return kv.get(k);
    }) as KeyValueStore["get"],
    set: guarded((kv, ...a: Parameters<KeyValueStore["set"]>) => kv.set(...a)),
    setIfAbsent: guarded((kv, ...a: Parameters<KeyValueStore["setIfAbsent"]>) =>
      kv.setIfAbsent(...a),
    ),
    consume: guarded((kv, k: string) => kv.consume(k)) as KeyValueStore["consume"],
    increment: guarded((kv, ...a: Parameters<KeyValueStore["increment"]>) => kv.increment(...a)),
    delete: guarded((kv, k: string) => kv.delete(k)),
  };
  return { store, state };
}

function pair(options: Partial<ConstructorParameters<typeof RevocationList>[0]> = {}) {
  const clock = createFakeClock();
  const shared = switchable(createMemoryKeyValueStore({ clock }));
  const make = () => new RevocationList({ kv: shared.store, clock, ...options });
  return { clock, shared, a: make(), b: make(), make };
}

describe("RevocationList", () => {
  it("answers from memory while fresh and reads the store at most once per interval", async () => {
    const { clock, shared, a, b } = pair();
    await b.sync();
    const before = shared.state.reads;
    for (let i = 0; i < 100; i++) expect(b.isRevoked("session", "s1")).toBe(false);
    expect(shared.state.reads).toBe(before);
    await a.revoke("session", "s1", clock.now() + 60_000);
    clock.advance(300);
    expect(b.isRevoked("session", "s1")).toBe(false); // stale-but-usable copy; refresh started
    await b.sync();
    expect(b.isRevoked("session", "s1")).toBe(true);
  });

  it("makes a check wait for the store once the copy is older than maxStalenessMs", async () => {
    const { clock, a, b } = pair();
    await b.sync();
    await a.revoke("api_key", "k1", clock.now() + 60_000);
    clock.advance(1001);
    const answer = b.isRevoked("api_key", "k1");
    expect(answer).toBeInstanceOf(Promise);
    expect(await answer).toBe(true);
  });

  it("fails closed with store_unavailable when the copy is stale and the store is down", async () => {
    const { clock, shared, b } = pair();
    await b.sync();
    shared.state.down = true;
    clock.advance(1001);
    await expect(b.isRevoked("session", "s1")).rejects.toMatchObject({
      code: "store_unavailable",
      status: 503,
    });
    shared.state.down = false;
    expect(await b.isRevoked("session", "s1")).toBe(false);
  });

  it("keeps answering from the stale copy when configured to fail open", async () => {
    const { clock, shared, a, make } = pair({ failOpen: true });
    await a.revoke("session", "s1", clock.now() + 60_000);
    const b = make();
    await b.sync();
    shared.state.down = true;
    clock.advance(5000);
    expect(await b.isRevoked("session", "s1")).toBe(true);
    expect(await b.isRevoked("session", "s2")).toBe(false);
  });

  it("lets a new instance read back revocations still in force", async () => {
    const { clock, a, make } = pair();
    for (let i = 0; i < 150; i++) await a.revoke("session", `s${i}`, clock.now() + 60_000);
    const late = make();
    expect(await late.isRevoked("session", "s0")).toBe(true);
    expect(late.isRevoked("session", "s149")).toBe(true);
    expect(late.isRevoked("session", "never")).toBe(false);
  });

  it("forgets a revocation once the revoked tokens have expired", async () => {
    const { clock, a, b } = pair();
    await a.revoke("session", "s1", clock.now() + 10_000);
    await b.sync();
    expect(b.isRevoked("session", "s1")).toBe(true);
    clock.advance(10_000);
    await b.sync();
    expect(b.isRevoked("session", "s1")).toBe(false);
  });

  it("picks up an entry whose writer was mid-way when the counter was read", async () => {
    const { clock, shared, b } = pair();
    await b.sync();
    // A writer took number 1 but has not stored its entry yet; another wrote number 2.
    await shared.store.increment("revocations:seq");
    await shared.store.increment("revocations:seq");
    await shared.store.set("revocations:2", ["session", "s2", clock.now() + 60_000]);
    await b.sync();
    expect(b.isRevoked("session", "s2")).toBe(true);
    await shared.store.set("revocations:1", ["session", "s1", clock.now() + 60_000]);
    clock.advance(300);
    await b.sync();
    expect(b.isRevoked("session", "s1")).toBe(true);
  });

  it("rereads everything when the store was wiped", async () => {
    const { clock, shared, a, b } = pair();
    for (let i = 0; i < 3; i++) await a.revoke("session", `old${i}`, clock.now() + 60_000);
    await b.sync();
    shared.state.inner = createMemoryKeyValueStore({ clock });
    await a.revoke("session", "fresh", clock.now() + 60_000);
    await b.sync();
    expect(b.isRevoked("session", "fresh")).toBe(true);
  });

  it("ignores malformed entries", async () => {
    const { shared, b } = pair();
    await shared.store.increment("revocations:seq");
    await shared.store.set("revocations:1", { not: "an entry" });
    await b.sync();
    expect(b.isRevoked("session", "not")).toBe(false);
  });
});
