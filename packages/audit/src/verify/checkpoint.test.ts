import { createSecretKey, generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { auditEventModel } from "../model.js";
import { checkpoint, latestCheckpoint, verifyCheckpoint } from "./checkpoint.js";
import { auditCheckpointModel } from "./checkpoint-model.js";
import { BACKENDS, useBackend } from "./test-backends.js";
import { buildChain, seal, writeEvents } from "./test-chain.js";

const HMAC_KEY = "k".repeat(32);
const ed = generateKeyPairSync("ed25519");
const KEYS = [
  { name: "HMAC-SHA256 (string)", sign: HMAC_KEY, verify: HMAC_KEY, algorithm: "hmac-sha256" },
  {
    name: "HMAC-SHA256 (KeyObject)",
    sign: createSecretKey(Buffer.alloc(32, 7)),
    verify: Buffer.alloc(32, 7),
    algorithm: "hmac-sha256",
  },
  { name: "Ed25519", sign: ed.privateKey, verify: ed.publicKey, algorithm: "ed25519" },
] as const;

const where = (r: { problems: readonly { kind: string; seq: number; id: string | null }[] }) =>
  r.problems.map(({ kind, seq, id }) => ({ kind, seq, id }));

describe.each(BACKENDS)("checkpoints on $name", ({ open }) => {
  const db = useBackend(open);

  describe.each(KEYS)("with $name", ({ name, sign, verify, algorithm }) => {
    const stream = `cp-${name.replace(/\W/g, "")}`;

    it("signs the head, and the chain verifies against it", async () => {
      const events = buildChain(5, stream);
      await writeEvents(db.records, events);
      const signed = await checkpoint(db.records, stream, sign, { clock: db.clock });
      expect(signed).toEqual({
        stream,
        seq: 5,
        hash: events[4]!.hash,
        signedAt: db.clock.now(),
        algorithm,
        signature: expect.stringMatching(/^[\w-]+$/),
      });
      expect(await latestCheckpoint(db.records, stream)).toEqual(signed);
      const result = await verifyCheckpoint(db.records, stream, verify);
      expect(result).toMatchObject({ ok: true, checkpoint: signed, problems: [] });
      // Events appended after the checkpoint are fine.
      await writeEvents(db.records, [seal(events[4], stream)]);
      expect((await verifyCheckpoint(db.records, stream, verify)).ok).toBe(true);
    });

    it("catches a truncated tail that the chain alone cannot see", async () => {
      const s = `${stream}-trunc`;
      const events = buildChain(6, s);
      await writeEvents(db.records, events);
      await checkpoint(db.records, s, sign);
      for (const e of events.slice(3)) await db.records.delete(auditEventModel, e.id);
      expect((await verifyCheckpoint(db.records, s, verify, { checkpoint: undefined })).ok).toBe(
        false,
      );
      const { verifyStream } = await import("./verify-stream.js");
      expect((await verifyStream(db.records, s)).ok).toBe(true);
      const result = await verifyCheckpoint(db.records, s, verify);
      expect(where(result)).toEqual([{ kind: "deleted", seq: 4, id: null }]);
    });

    it("catches a chain rewritten from the start", async () => {
      const s = `${stream}-rewrite`;
      const events = buildChain(4, s);
      await writeEvents(db.records, events);
      await checkpoint(db.records, s, sign);
      const forged = buildChain(4, s, (seq) => (seq === 2 ? { actorId: "someone_else" } : {}));
      for (const [i, e] of forged.entries()) {
        const { id: _id, ...fields } = e;
        await db.records.update(auditEventModel, events[i]!.id, {
          ...fields,
          position: `${s}#${e.seq}`,
        });
      }
      const result = await verifyCheckpoint(db.records, s, verify);
      expect(where(result)).toEqual([{ kind: "altered", seq: 4, id: events[3]!.id }]);
    });
  });

  it("reports a missing checkpoint, a forged one, and one of another stream", async () => {
    const s = "cp-forged";
    await writeEvents(db.records, buildChain(3, s));
    expect(where(await verifyCheckpoint(db.records, s, HMAC_KEY))).toEqual([
      { kind: "deleted", seq: 0, id: null },
    ]);
    const signed = await checkpoint(db.records, s, HMAC_KEY);
    for (const forged of [
      { ...signed, seq: 2 },
      { ...signed, hash: "0".repeat(64) },
      { ...signed, signedAt: signed.signedAt + 1 },
      { ...signed, signature: "AAAA" },
      { ...signed, signature: "not base64url!" },
      { ...signed, algorithm: "ed25519" as const },
    ]) {
      const result = await verifyCheckpoint(db.records, s, HMAC_KEY, { checkpoint: forged });
      expect(result.ok).toBe(false);
      expect(result.problems[0]).toMatchObject({ kind: "altered", id: null });
    }
    // The wrong key (also: the HMAC key of another deployment, an unrelated Ed25519 key).
    expect((await verifyCheckpoint(db.records, s, "x".repeat(32))).ok).toBe(false);
    expect((await verifyCheckpoint(db.records, s, ed.publicKey)).ok).toBe(false);
    const other = await verifyCheckpoint(db.records, "cp-other", HMAC_KEY, { checkpoint: signed });
    expect(where(other)).toEqual([{ kind: "inserted", seq: 3, id: null }]);
    // A forged checkpoint row stored with a higher seq is refused, not trusted.
    await db.records.create(auditCheckpointModel, { ...signed, seq: 9, signature: "AAAA" });
    expect(where(await verifyCheckpoint(db.records, s, HMAC_KEY))).toEqual([
      { kind: "altered", seq: 9, id: null },
    ]);
  });

  it("checkpoints an empty stream at seq 0", async () => {
    const signed = await checkpoint(db.records, "cp-empty", HMAC_KEY);
    expect(signed).toMatchObject({ seq: 0, hash: "" });
    expect((await verifyCheckpoint(db.records, "cp-empty", HMAC_KEY)).ok).toBe(true);
  });
});

describe("checkpoint keys", () => {
  const records = { create: async () => ({}) } as never;

  it.each([
    ["a short HMAC string", "short"],
    ["short HMAC bytes", new Uint8Array(16)],
    ["a short secret KeyObject", createSecretKey(Buffer.alloc(8))],
    ["an RSA key", generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey],
    ["an Ed25519 public key (cannot sign)", ed.publicKey],
    ["a number", 42],
  ])("refuses %s with config_invalid, without echoing it", async (_name, key) => {
    const err = await checkpoint(records, "s", key as never).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "config_invalid" });
    expect((err as Error).message).not.toContain("short");
  });

  it("refuses an empty stream name", async () => {
    await expect(checkpoint(records, "", HMAC_KEY)).rejects.toMatchObject({
      code: "config_invalid",
    });
  });
});
