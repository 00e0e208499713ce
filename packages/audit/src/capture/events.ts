import { type EventBus, type EventEnvelope, type EventName, parseOptions } from "@gatehouse/core";
import { configError } from "@gatehouse/core/errors";
import { z } from "zod";
import type { AuditEventInput } from "../event.js";
import type { AuditLog } from "../types.js";
import { type BusEvent, defaultAuditEvent } from "./mapping.js";

/**
 * Maps one event type to an audit event, or to `null` to leave it out.
 * `defaults` is what the default mapping would record (spread it to adjust one field).
 */
export type EventMapper<K extends EventName = EventName> = (
  event: EventEnvelope<K>,
  defaults: AuditEventInput,
) => AuditEventInput | null;

/** Per event type, a mapper that replaces the default mapping. */
export type EventMap = { readonly [K in EventName]?: EventMapper<K> };

/** Options of {@link captureEvents}. */
export interface CaptureOptions {
  /**
   * Mappers by event type, replacing the default mapping of that type;
   * a mapper returning `null` skips the event.
   * @default {} (the default mapping for every type)
   */
  map?: EventMap;
  /**
   * The event types to record: exact names (`"authz.denied"`) or a namespace
   * (`"session.*"`). Other events are ignored.
   * @default undefined (every event)
   */
  types?: readonly string[];
}

const FACTORY = "captureEvents()";
const TYPE = /^[A-Za-z0-9_.:-]{1,100}(\.\*)?$|^\*$/;
const fn = z.custom<(...args: never[]) => unknown>((v) => typeof v === "function", {
  message: "must be a function",
});
const schema = z.strictObject({
  map: z.record(z.string(), fn).optional(),
  types: z
    .array(z.string().regex(TYPE, 'must be an event type or a namespace such as "session.*"'))
    .max(1000)
    .optional(),
});

/** Compiles `types` into a predicate. */
function acceptor(types: readonly string[] | undefined): (type: string) => boolean {
  if (types === undefined || types.includes("*")) return () => true;
  const exact = new Set(types.filter((t) => !t.endsWith(".*")));
  const prefixes = types.filter((t) => t.endsWith(".*")).map((t) => t.slice(0, -1));
  return (type) => exact.has(type) || prefixes.some((p) => type.startsWith(p));
}

/**
 * Records the security events every Gatehouse package publishes on the event
 * bus as audit events. Subscribes to `"*"`; each event becomes one
 * `log.record()` (never awaited: the bus and the emitter are not slowed down).
 *
 * The default mapping: `action` is the event type, `time` the event's time,
 * `metadata` the event data (minus what became a column) plus `eventId`.
 * `session.*` → actor the user, target the session; `api_key.*` → target the
 * key (actor the creator/revoker; someone else than the owner is an `admin`);
 * `authz.denied` → outcome `denied`, the decision's organization;
 * `webhook.*` → actor `system`, target the message/endpoint/delivery;
 * `signing_key.rotated` → `system`. Any other type: `userId` → actor,
 * `orgId` → organization, outcome `failure`/`denied` when the name ends in
 * `.failed`/`.denied` (and alike), else `success`.
 *
 * @param bus - The application's event bus (`createEventBus()`).
 * @param log - From `createAuditLog()`.
 * @param options - See {@link CaptureOptions}.
 * @returns The unsubscribe function.
 * @throws GatehouseError `config_invalid` at start-up when an option is invalid.
 * @example
 * ```ts
 * const stop = captureEvents(events, auditLog, {
 *   map: { "session.refreshed": () => null }, // too chatty to keep
 * });
 * ```
 */
export function captureEvents(
  bus: Pick<EventBus, "on">,
  log: Pick<AuditLog, "record">,
  options?: CaptureOptions,
): () => void {
  if (typeof bus?.on !== "function") configError(FACTORY, "bus must be an event bus");
  if (typeof log?.record !== "function") configError(FACTORY, "log must be an audit log");
  const o = parseOptions(FACTORY, schema, options ?? {});
  const map = new Map(Object.entries(o.map ?? {})) as Map<
    string,
    (event: BusEvent, defaults: AuditEventInput) => AuditEventInput | null
  >;
  const accepts = acceptor(o.types);

  return bus.on("*", function captureAuditEvent(envelope) {
    const event = envelope as unknown as BusEvent;
    if (!accepts(event.type)) return;
    const defaults = defaultAuditEvent(event);
    const mapper = map.get(event.type);
    const input = mapper === undefined ? defaults : mapper(event, defaults);
    if (input !== null && typeof input === "object") log.record(input);
  });
}
