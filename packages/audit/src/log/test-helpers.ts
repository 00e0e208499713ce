// Test helper (imported by *.test.ts only): a memory sink that can be taken
// down, a local chain check on chain.ts, temp directories and bounded waits.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chainHash, piiDigestOf } from "../chain.js";
import type { AuditEvent } from "../event.js";
import { createMetadataCleaner } from "../redact.js";
import type { AuditSink } from "../types.js";
import { createChainer } from "./chainer.js";
import type { AuditLogFailure } from "./report.js";

/** A sink keeping events by id, counting every copy it was sent. */
export interface TestSink extends AuditSink {
  /** Rejects every write while true. */
  down: boolean;
  /** Holds every write until released, while set. */
  hold: Promise<void> | undefined;
  /** Every event kept, by id (a resent event replaces itself: idempotent). */
  readonly events: Map<string, AuditEvent>;
  /** Ids in the order they were first kept. */
  readonly order: string[];
  /** Every write call's size (failed ones included). */
  readonly writes: number[];
  /** Events sent more than once (resends after a failed or abandoned write). */
  resent: number;
}

/** A memory sink for tests. */
export function testSink(name = "memory", withHead = true): TestSink {
  const sink: TestSink = {
    name,
    down: false,
    hold: undefined,
    events: new Map(),
    order: [],
    writes: [],
    resent: 0,
    async write(events) {
      sink.writes.push(events.length);
      if (sink.hold) await sink.hold;
      if (sink.down) throw new Error(`${name} is down`);
      for (const event of events) {
        if (sink.events.has(event.id)) sink.resent++;
        else sink.order.push(event.id);
        sink.events.set(event.id, event);
      }
    },
  };
  if (withHead) {
    sink.head = async (stream) => {
      let last: AuditEvent | undefined;
      for (const e of sink.events.values()) {
        if (e.stream === stream && (!last || e.seq > last.seq)) last = e;
      }
      return last && { seq: last.seq, hash: last.hash };
    };
  }
  return sink;
}

/**
 * Checks each stream's chain: seq 1..n without gaps, each `prevHash` the
 * previous `hash`, each `hash` and `piiDigest` recomputed. Returns the
 * problems found (empty: valid).
 */
export function chainProblems(events: Iterable<AuditEvent>): string[] {
  const streams = new Map<string, AuditEvent[]>();
  for (const e of events) streams.set(e.stream, [...(streams.get(e.stream) ?? []), e]);
  const problems: string[] = [];
  for (const [stream, list] of streams) {
    list.sort((a, b) => a.seq - b.seq);
    let prev = "";
    list.forEach((e, i) => {
      const where = `${stream}#${e.seq}`;
      if (e.seq !== i + 1) problems.push(`${where}: expected seq ${i + 1}`);
      if (e.prevHash !== prev) problems.push(`${where}: prevHash is not the previous hash`);
      if (e.piiSalt !== null && e.piiDigest !== piiDigestOf(e, e.piiSalt)) {
        problems.push(`${where}: piiDigest does not match`);
      }
      if (e.hash !== chainHash(e.prevHash, e, e.piiDigest)) problems.push(`${where}: bad hash`);
      prev = e.hash;
    });
  }
  return problems;
}

/** A fresh temporary directory, removed by the returned cleanup. */
export function tempDir(prefix = "gh-audit-"): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Collects what a log reports through onError. */
export function failures() {
  const seen: AuditLogFailure[] = [];
  return { seen, onError: (f: AuditLogFailure) => void seen.push(f) };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits (bounded) until `condition` holds. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string,
  ms = 10_000,
): Promise<void> {
  const deadline = performance.now() + ms;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** `n` chained events of `stream` (seq 1..n), as a log would make them. */
export function makeEvents(
  n: number,
  stream = "test-stream",
  time = 1_767_225_600_000,
): AuditEvent[] {
  const chainer = createChainer(stream, { seq: 0, hash: "" }, createMetadataCleaner());
  return chainer.chain(
    Array.from({ length: n }, (_, i) => ({
      input: { action: "test.event", metadata: { i } },
      action: "test.event",
      time: time + i,
    })),
  );
}
