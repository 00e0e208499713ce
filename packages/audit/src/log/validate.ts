/**
 * Internal: the checks `record()` can afford on the request path.
 *
 * @packageDocumentation
 */
import { GatehouseError } from "@gatehouse/core/errors";
import type { AuditEventInput } from "../event.js";

const ACTION = /^[a-z0-9_.:-]+$/;

function invalid(what: string): never {
  throw new GatehouseError("input_invalid", `audit record(): ${what}`);
}

/**
 * Checks what would make an event unstorable, in well under a microsecond:
 * `action` (1-128 of `a-z 0-9 _ . : -`), `outcome`, `actor.type`, `time`.
 * Returns the action. Throws `input_invalid` naming the field, never its value.
 */
export function checkRecordInput(input: AuditEventInput): string {
  if (typeof input !== "object" || input === null) invalid("the event must be an object");
  const action = input.action;
  if (
    typeof action !== "string" ||
    action.length === 0 ||
    action.length > 128 ||
    !ACTION.test(action)
  ) {
    invalid('"action" must be 1-128 characters of a-z 0-9 _ . : -');
  }
  const outcome = input.outcome;
  if (
    outcome !== undefined &&
    outcome !== "success" &&
    outcome !== "failure" &&
    outcome !== "denied"
  ) {
    invalid('"outcome" must be "success", "failure" or "denied"');
  }
  const actor = input.actor;
  if (actor !== undefined) {
    const type = typeof actor === "object" && actor !== null ? actor.type : undefined;
    if (type !== "user" && type !== "admin" && type !== "api_key" && type !== "system") {
      invalid('"actor.type" must be "user", "admin", "api_key" or "system"');
    }
  }
  const time = input.time;
  if (time !== undefined && !(Number.isSafeInteger(time) && time >= 0)) {
    invalid('"time" must be epoch milliseconds (a whole number)');
  }
  return action;
}
