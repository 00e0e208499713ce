/**
 * The ring of keys access tokens are signed with, shared by every instance
 * through the RecordStore. States follow from time alone (see
 * `schedule.ts`), rotation happens lazily on use (no timers), and the ring is
 * read at most once per `reloadEverySec` per instance, so `sign` costs one
 * signature and no store read.
 *
 * @packageDocumentation
 */
import type { Clock, EventBus, JsonWebKeySet } from "@gatehouse/core";
import { parseOptions } from "@gatehouse/core";
import { GatehouseError } from "@gatehouse/core/errors";
import type { RecordStore } from "@gatehouse/core/store";
import { z } from "zod";
import { randomToken, type SecretRing } from "../crypto.js";
import type { SigningKeyRotatedEvent } from "../events.js";
import type { SigningKeyInfo, SigningKeys } from "../types.js";
import { createJwsSigner, type JwsSigner } from "./jws.js";
import {
  createKeyMaterial,
  openPrivateKey,
  publicJwkOf,
  SIGNING_ALGORITHMS,
  type SigningAlgorithm,
} from "./key-material.js";
import { insertKey, readKeys, tidyKeys } from "./ring-store.js";
import {
  activationOfNewKey,
  byActivation,
  isLive,
  type KeyView,
  rotationDueAt,
  type Schedule,
  type SigningKeyRecord,
  signingOrder,
  viewAt,
} from "./schedule.js";

/** Options of {@link createKeyRing}. */
export interface KeyRingOptions {
  /** Where the keys live (`signingKeyModel`), shared by every instance. */
  readonly records: RecordStore;
  /** Encrypts the private keys at rest (purpose `signing-key`); every secret of the ring decrypts. */
  readonly secrets: SecretRing;
  /** The source of time. */
  readonly clock: Clock;
  /** Receives `signing_key.rotated` when this instance creates a key. @default none */
  readonly events?: EventBus;
  /** Algorithm of new keys (RSA-2048, P-256 or Ed25519); existing keys keep theirs. */
  readonly algorithm: SigningAlgorithm;
  /** Seconds a key signs before the next one takes over. */
  readonly rotateEverySec: number;
  /**
   * Seconds a new key is published before it signs, so every cache learns it
   * first: other instances' copies (`reloadEverySec`) and verifiers' JWKS
   * caches (`local()` keeps 60 s). Less than `rotateEverySec`.
   */
  readonly publishAheadSec: number;
  /** Seconds a retired key stays published: at least the access token TTL plus clock skew. */
  readonly retainSec: number;
  /** Seconds the in-memory copy of the ring is used before it is read again. @default 60 */
  readonly reloadEverySec?: number;
}

const schema = z
  .strictObject({
    records: z.custom<RecordStore>(
      (v) => typeof (v as RecordStore | undefined)?.findMany === "function",
    ),
    secrets: z.custom<SecretRing>(
      (v) => typeof (v as SecretRing | undefined)?.decrypt === "function",
    ),
    clock: z.custom<Clock>((v) => typeof (v as Clock | undefined)?.now === "function"),
    events: z
      .custom<EventBus>((v) => typeof (v as EventBus | undefined)?.emit === "function")
      .optional(),
    algorithm: z.enum(SIGNING_ALGORITHMS),
    rotateEverySec: z.number().positive().finite(),
    publishAheadSec: z.number().min(0).finite(),
    retainSec: z.number().min(0).finite(),
    reloadEverySec: z.number().positive().finite().optional(),
  })
  .refine((o) => o.publishAheadSec < o.rotateEverySec, {
    path: ["publishAheadSec"],
    message: "must be less than rotateEverySec",
  });

interface Snapshot {
  /** Keys in activation order. */
  readonly keys: readonly SigningKeyRecord[];
  /** When the copy must be read again. */
  readonly reloadAt: number;
}

/**
 * Creates the access-token signing key ring.
 *
 * @example
 * ```ts
 * const keys = createKeyRing({
 *   records: store.records, secrets: new SecretRing([process.env.SESSION_SECRET!]),
 *   clock: systemClock, algorithm: "ES256",
 *   rotateEverySec: 30 * 86400, publishAheadSec: 3600, retainSec: 3600,
 * });
 * const token = await keys.sign({ iss, sub, sid, iat, exp });
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc7517 JSON Web Key (JWK)
 */
export function createKeyRing(options: KeyRingOptions): SigningKeys {
  const o = parseOptions("createKeyRing()", schema, options);
  const { records, secrets, clock, events } = o;
  const schedule: Schedule = {
    rotateEveryMs: o.rotateEverySec * 1000,
    publishAheadMs: o.publishAheadSec * 1000,
    retainMs: o.retainSec * 1000,
  };
  const reloadMs = (o.reloadEverySec ?? 60) * 1000;

  let snapshot: Snapshot | undefined;
  let inflight: Promise<Snapshot> | undefined;
  // Loads may overlap (a reload and a rotate()); only a later-started one replaces the copy.
  let started = 0;
  let applied = 0;
  // Decrypted keys, by sealed private key (`null`: no secret opens it), so each is opened once.
  const signers = new Map<string, JwsSigner | null>();

  function apply(seq: number, keys: readonly SigningKeyRecord[], now: number): Snapshot {
    const view = viewAt(keys, now);
    const nextAt = view.keys.find((k) => k.state === "next")?.record.activatesAt ?? Infinity;
    const reloadAt = Math.min(now + reloadMs, nextAt, rotationDueAt(view, schedule));
    const snap = { keys, reloadAt: Math.max(reloadAt, now + 1) };
    if (seq > applied) {
      applied = seq;
      snapshot = snap;
      const sealed = new Set(keys.map((k) => k.privateKey));
      for (const s of signers.keys()) if (!sealed.has(s)) signers.delete(s);
    }
    return snap;
  }

  /** Reads the ring, adds a key when one is due (or `forced`), tidies, and applies the copy. */
  async function load(forced: boolean): Promise<{ snap: Snapshot; key?: SigningKeyRecord }> {
    const seq = ++started;
    let keys = await readKeys(records);
    let now = clock.now();
    let view = viewAt(keys, now);
    let key: SigningKeyRecord | undefined;
    if (forced || now >= rotationDueAt(view, schedule)) {
      const generation = keys.reduce((max, k) => Math.max(max, k.generation), 0) + 1;
      key = await addKey(generation, activationOfNewKey(view, now, schedule, forced));
      // Lost the slot to another instance: its key is the one to use.
      keys = key === undefined ? await readKeys(records) : [...keys, key].sort(byActivation);
      key ??= keys.find((k) => k.generation === generation);
      now = clock.now();
      view = viewAt(keys, now);
    }
    await tidyKeys(records, view, now, schedule.retainMs);
    const live = view.keys.filter((k) => isLive(k, now, schedule.retainMs)).map((k) => k.record);
    return { snap: apply(seq, live, now), key };
  }

  async function addKey(generation: number, activatesAt: number) {
    const kid = randomToken(16);
    const material = await createKeyMaterial(o.algorithm, kid, secrets);
    const created = await insertKey(records, {
      kid,
      generation,
      alg: o.algorithm,
      publicJwk: material.publicJwk,
      privateKey: material.sealedPrivateKey,
      activatesAt,
    });
    if (created !== undefined) {
      const data: SigningKeyRotatedEvent = { kid, activatesAt };
      events?.emit("signing_key.rotated", data);
    }
    return created;
  }

  /** The copy, read again when stale; concurrent callers share one read. */
  function current(): Snapshot | Promise<Snapshot> {
    if (snapshot !== undefined && clock.now() < snapshot.reloadAt) return snapshot;
    inflight ??= load(false).then(
      ({ snap }) => {
        inflight = undefined;
        return snap;
      },
      (err: unknown) => {
        inflight = undefined;
        throw err;
      },
    );
    return inflight;
  }

  function signerFor(record: SigningKeyRecord): JwsSigner | null {
    let signer = signers.get(record.privateKey);
    if (signer === undefined) {
      const key = openPrivateKey(secrets, record);
      signer =
        key === undefined ? null : createJwsSigner(record.alg as SigningAlgorithm, record.kid, key);
      signers.set(record.privateKey, signer);
    }
    return signer;
  }

  function info(key: KeyView): SigningKeyInfo {
    const { kid, alg, createdAt, activatesAt } = key.record;
    return { kid, alg, state: key.state, createdAt, activatesAt, retiredAt: key.retiredAt };
  }

  /** The keys of the copy that are still published at `now`. */
  function liveAt(snap: Snapshot, now: number): KeyView[] {
    return viewAt(snap.keys, now).keys.filter((k) => isLive(k, now, schedule.retainMs));
  }

  return Object.freeze({
    async publicJwks(): Promise<JsonWebKeySet> {
      const snap = await current();
      const keys = liveAt(snap, clock.now()).map(({ record }) =>
        publicJwkOf(record.publicJwk as object, record.kid, record.alg),
      );
      return { keys };
    },

    async sign(claims: Readonly<Record<string, unknown>>): Promise<string> {
      const snap = await current();
      const now = clock.now();
      for (const key of signingOrder(viewAt(snap.keys, now), now, schedule.retainMs)) {
        const signer = signerFor(key.record);
        if (signer !== null) return signer(claims);
      }
      throw new GatehouseError(
        "config_invalid",
        "createKeyRing(): no signing key in use can be decrypted with the configured secrets; when rotating the secret, keep the old one in the ring after the new one.",
      );
    },

    async rotate(): Promise<SigningKeyInfo> {
      const { snap, key } = await load(true);
      const now = clock.now();
      const view = viewAt(snap.keys, now).keys;
      return info(view.find((k) => k.record.kid === key?.kid) ?? view.at(-1)!);
    },

    async list(): Promise<SigningKeyInfo[]> {
      const snap = await current();
      return liveAt(snap, clock.now()).map(info);
    },
  });
}
