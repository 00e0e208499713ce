/**
 * The default mapping of event-bus events to audit events. Internal: the
 * known events of `@gatehouse/sessions`, `@gatehouse/rbac` and
 * `@gatehouse/webhooks` are read structurally (this package does not depend
 * on them), and any other event is recorded generically.
 *
 * @packageDocumentation
 */
import type { AuditActor, AuditEventInput, AuditOutcome } from "../event.js";

/** An event as the bus delivers it, whatever its declared type. */
export interface BusEvent {
  readonly type: string;
  readonly id: string;
  readonly at: number;
  readonly data: unknown;
}

type Data = Readonly<Record<string, unknown>>;

/** What a rule derives; the rest of the data becomes metadata. */
interface Derived {
  readonly actor?: AuditActor;
  readonly target?: { readonly type: string; readonly id: string } | null;
  readonly orgId?: string | null;
  readonly outcome?: AuditOutcome;
  /** Data keys now held in columns (or in `actor`), left out of the metadata. */
  readonly consumed: readonly string[];
}

type Rule = (d: Data) => Derived;

const SYSTEM: AuditActor = Object.freeze({ type: "system", id: null });

function str(d: Data, key: string): string | null {
  const value = d[key];
  return typeof value === "string" && value.length > 0 ? value : null;
}

const user = (id: string | null): AuditActor => ({ type: "user", id });
const target = (type: string, id: string | null) => (id === null ? null : { type, id });

/** `by` as an actor: the owner themself, `system`/nobody, or someone else (an admin). */
function byActor(by: string | null, owner: string | null): AuditActor {
  if (by === null || by === "system") return SYSTEM;
  return by === owner ? user(by) : { type: "admin", id: by };
}

const session =
  (outcome?: AuditOutcome): Rule =>
  (d) => ({
    actor: user(str(d, "userId")),
    target: target("session", str(d, "sessionId")),
    ...(outcome === undefined ? {} : { outcome }),
    consumed: ["userId", "sessionId"],
  });

const device: Rule = (d) => ({
  actor: user(str(d, "userId")),
  target: target("device", str(d, "deviceId")),
  consumed: ["userId", "deviceId"],
});

const webhookTarget =
  (type: string, key: string, outcome?: AuditOutcome): Rule =>
  (d) => ({
    actor: SYSTEM,
    target: target(type, str(d, key)),
    ...(outcome === undefined ? {} : { outcome }),
    consumed: [key],
  });

const RULES: Readonly<Record<string, Rule>> = {
  "session.created": session(),
  "session.refreshed": session(),
  "session.revoked": (d) => ({
    actor: byActor(str(d, "by"), str(d, "userId")),
    target: target("session", str(d, "sessionId")),
    consumed: ["sessionId"],
  }),
  "session.reuse_detected": session("denied"),
  "session.expired": session("failure"),
  "session.new_device": device,
  "device.trusted": device,
  "device.untrusted": device,
  "api_key.created": (d) => ({
    actor: byActor(str(d, "createdBy"), str(d, "createdBy")),
    target: target("api_key", str(d, "keyId")),
    consumed: ["keyId", "createdBy"],
  }),
  // The event names no caller: the key's subject rotated it (the router only lets owners).
  "api_key.rotated": (d) => ({
    actor: user(str(d, "subject")),
    target: target("api_key", str(d, "keyId")),
    consumed: ["keyId"],
  }),
  "api_key.revoked": (d) => ({
    actor: byActor(str(d, "by"), str(d, "subject")),
    target: target("api_key", str(d, "keyId")),
    consumed: ["keyId"],
  }),
  "signing_key.rotated": (d) => ({
    actor: SYSTEM,
    target: target("signing_key", str(d, "kid")),
    consumed: ["kid"],
  }),
  "authz.denied": (d) => ({
    actor: user(str(d, "userId")),
    orgId: str(d, "orgId"),
    outcome: "denied",
    consumed: ["userId", "orgId"],
  }),
  "webhook.received": webhookTarget("webhook_message", "messageId"),
  "webhook.failed": (d) => ({
    ...webhookTarget("webhook_message", "messageId")(d),
    outcome: str(d, "code") === "webhook_signature_invalid" ? "denied" : "failure",
  }),
  "webhook.endpoint_disabled": webhookTarget("webhook_endpoint", "endpointId"),
  "webhook.delivery_dead": webhookTarget("webhook_delivery", "deliveryId", "failure"),
};

const FAILED = /\.(failed|failure|error|expired)$/;
const DENIED = /\.(denied|refused|rejected|blocked|locked)$/;

/** An event no rule knows: `userId` → actor, `orgId` → org, outcome from the name's last word. */
const generic: Rule = (d) => {
  const userId = str(d, "userId");
  return {
    actor: userId === null ? SYSTEM : user(userId),
    orgId: str(d, "orgId"),
    consumed: ["userId", "orgId"],
  };
};

function outcomeOf(type: string): AuditOutcome {
  if (DENIED.test(type)) return "denied";
  if (FAILED.test(type)) return "failure";
  return "success";
}

const isData = (value: unknown): value is Data =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** The audit event of a bus event under the default mapping. */
export function defaultAuditEvent(event: BusEvent): AuditEventInput {
  const data: Data = isData(event.data) ? event.data : { value: event.data ?? null };
  const rule = Object.hasOwn(RULES, event.type) ? RULES[event.type]! : generic;
  const derived = rule(data);
  const skip = new Set<string>([...derived.consumed, "ip", "userAgent"]);
  const metadata: Record<string, unknown> = { eventId: event.id };
  for (const [key, value] of Object.entries(data)) {
    if (skip.has(key) || value === undefined) continue;
    // `__proto__` from JSON is an own key: keep it as one, never as a prototype.
    Object.defineProperty(metadata, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return {
    action: event.type,
    actor: derived.actor ?? SYSTEM,
    target: derived.target ?? null,
    orgId: derived.orgId ?? null,
    outcome: derived.outcome ?? outcomeOf(event.type),
    ip: str(data, "ip"),
    userAgent: str(data, "userAgent"),
    metadata,
    time: event.at,
  };
}

/** The event types with a dedicated rule (the rest are recorded generically). */
export const KNOWN_EVENT_TYPES: readonly string[] = Object.freeze(Object.keys(RULES));
