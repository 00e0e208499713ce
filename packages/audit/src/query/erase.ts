/**
 * Erasure (GDPR art. 17): pseudonymising every event of a person while
 * keeping the chain verifiable.
 *
 * @packageDocumentation
 */
import { createHash } from "node:crypto";
import { type Clock, parseInput, parseOptions, systemClock } from "@gatehouse/core";
import { configError } from "@gatehouse/core/errors";
import type { RecordPatch, RecordStore } from "@gatehouse/core/store";
import { z } from "zod";
import { auditEventModel } from "../model.js";
import type { AuditLog } from "../types.js";
import type { EventRow } from "../verify/stored.js";

/** Who to erase: their id (as actor, impersonator or target) and/or an IP address of theirs. */
export interface ErasureSubject {
  /** A user (or other) id: replaced wherever it is the actor, the impersonator or the target. */
  readonly actorId?: string;
  /** Same as `actorId` (an id is erased in all three places); use whichever reads better. */
  readonly targetId?: string;
  /** An IP address: events from it lose their IP, user agent and metadata. */
  readonly ip?: string;
}

/** Options of {@link eraseSubject}. */
export interface EraseOptions {
  /**
   * What replaces an erased id: a fixed text, or a function of the id.
   * @default `erased:` and the first 12 hex digits of SHA-256(id)
   */
  readonly pseudonym?: string | ((id: string) => string);
  /** The source of `erasedAt`. @default the system clock */
  readonly clock?: Clock;
  /**
   * An audit log to record the erasure in (`audit.subject.erased`, with the
   * count and the pseudonym, never the id): erasures are accountable too.
   * @default not recorded
   */
  readonly log?: Pick<AuditLog, "record">;
}

/** What {@link eraseSubject} did. */
export interface ErasureResult {
  /** Events pseudonymised. */
  readonly erased: number;
}

const ID_FIELDS = ["actorId", "impersonatorId", "targetId"] as const;

const subjectSchema = z
  .strictObject({
    actorId: z.string().min(1).max(512).optional(),
    targetId: z.string().min(1).max(512).optional(),
    ip: z.string().min(1).max(64).optional(),
  })
  .refine((s) => s.actorId !== undefined || s.targetId !== undefined || s.ip !== undefined, {
    message: "name an actorId, a targetId or an ip",
  });

const optionsSchema = z.strictObject({
  pseudonym: z
    .union([
      z.string().min(1).max(512),
      z.custom<(id: string) => string>((v) => typeof v === "function"),
    ])
    .optional(),
  clock: z.custom<Clock>((v) => typeof (v as Clock | undefined)?.now === "function").optional(),
  log: z
    .custom<Pick<AuditLog, "record">>(
      (v) => typeof (v as AuditLog | undefined)?.record === "function",
    )
    .optional(),
});

/** The default pseudonym of an id. */
export function defaultPseudonym(id: string): string {
  return `erased:${createHash("sha256").update(id).digest("hex").slice(0, 12)}`;
}

/**
 * Pseudonymises every event of a person: wherever one of their ids is the
 * actor, impersonator or target it is replaced by a pseudonym; the IP, user
 * agent and metadata of those events are cleared; the `piiSalt` is deleted
 * and `erasedAt` set. Hashes stay as they were — the chain covers the
 * personal fields only through `piiDigest`, which is kept — so the chain
 * still verifies, while the digest, without its salt, can no longer confirm a
 * guess of what was erased. Resolves how many events it changed.
 *
 * The default pseudonym is a hash of the id without a secret: the same id
 * always gets the same pseudonym (the person's events stay linkable), and a
 * guessable id (an email) can be confirmed by hashing it. Pass `pseudonym`
 * for a random or constant one.
 *
 * @example
 * ```ts
 * const { erased } = await eraseSubject(store.records, { actorId: "user_123" }, { log: audit });
 * ```
 * @see https://gdpr-info.eu/art-17-gdpr/
 */
export async function eraseSubject(
  records: RecordStore,
  subject: ErasureSubject,
  options: EraseOptions = {},
): Promise<ErasureResult> {
  const s = parseInput("eraseSubject()", subjectSchema, subject);
  const o = parseOptions("eraseSubject()", optionsSchema, options);
  const ids = new Set([s.actorId, s.targetId].filter((v): v is string => v !== undefined));
  const make = o.pseudonym ?? defaultPseudonym;
  const pseudonyms = new Map<string, string>();
  for (const id of ids) {
    const p = typeof make === "string" ? make : make(id);
    if (typeof p !== "string" || p === "" || ids.has(p)) {
      configError("eraseSubject()", "the pseudonym must be a text other than the erased id");
    }
    pseudonyms.set(id, p);
  }
  const erasedAt = (o.clock ?? systemClock).now();

  const done = new Set<string>();
  async function eraseMatching(where: Partial<Record<keyof EventRow, string>>): Promise<void> {
    for (;;) {
      // Erased rows stop matching, so the first page is always the next batch.
      const page = await records.findMany(auditEventModel, { where, limit: 500 });
      const fresh = page.items.filter((row) => !done.has(row.id));
      for (const row of fresh) {
        const patch: RecordPatch<typeof auditEventModel> = {
          ip: null,
          userAgent: null,
          metadata: null,
          piiSalt: null,
          erasedAt,
        };
        for (const field of ID_FIELDS) {
          const value = row[field];
          if (value !== null && pseudonyms.has(value)) patch[field] = pseudonyms.get(value)!;
        }
        await records.update(auditEventModel, row.id, patch);
        done.add(row.id);
      }
      if (fresh.length === 0 || page.nextCursor === null) return;
    }
  }

  for (const id of ids) {
    for (const field of ID_FIELDS) await eraseMatching({ [field]: id });
  }
  if (s.ip !== undefined) await eraseMatching({ ip: s.ip });

  if (o.log !== undefined) {
    const first = [...pseudonyms.values()][0];
    o.log.record({
      action: "audit.subject.erased",
      target: first === undefined ? null : { type: "subject", id: first },
      metadata: { events: done.size, ip: s.ip !== undefined },
      time: erasedAt,
    });
  }
  return { erased: done.size };
}
