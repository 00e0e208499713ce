/**
 * Capturing audit events: {@link captureEvents} records what every Gatehouse
 * package publishes on the event bus, and {@link recordAdminAction} records an
 * admin's change to a record with a redacted before/after diff.
 *
 * @packageDocumentation
 */
export { type AdminActionInput, recordAdminAction } from "./capture/admin.js";
export {
  type CaptureOptions,
  captureEvents,
  type EventMap,
  type EventMapper,
} from "./capture/events.js";
export type { RequestInfo } from "./capture/request.js";
