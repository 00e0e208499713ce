/**
 * The facts an audit event takes from an HTTP request: client IP, user agent
 * and request id. Internal, shared by `recordAdminAction` and the Express
 * adapter; reads only `headers`, `ip` and `socket`, so any Node request fits.
 *
 * @packageDocumentation
 */

/** The part of a request (Express, Connect, `node:http`) an audit event reads. */
export interface RequestInfo {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Express's `req.ip` (honours `trust proxy`). */
  readonly ip?: string | undefined;
  readonly socket?: { readonly remoteAddress?: string | undefined } | null | undefined;
}

/** The request columns of an audit event. */
export interface RequestFacts {
  readonly ip: string | null;
  readonly userAgent: string | null;
  readonly requestId: string | null;
}

const REQUEST_ID = /^[\x21-\x7E]{1,128}$/;
const MAX_USER_AGENT = 512;

function header(req: RequestInfo, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The client IP: `req.ip` when Express set it, else the socket's peer address. */
export function clientIp(req: RequestInfo): string | null {
  const ip = req.ip;
  if (typeof ip === "string" && ip.length > 0) return ip.slice(0, 64);
  const peer = req.socket?.remoteAddress;
  return typeof peer === "string" && peer.length > 0 ? peer.slice(0, 64) : null;
}

/** A request id (`x-request-id`) when it is printable ASCII of at most 128 characters. */
export function requestIdOf(value: unknown): string | null {
  const id = Array.isArray(value) ? value[0] : value;
  return typeof id === "string" && REQUEST_ID.test(id) ? id : null;
}

/** IP, `User-Agent` (at most 512 characters) and `x-request-id` of a request. */
export function requestFacts(req: RequestInfo): RequestFacts {
  const userAgent = header(req, "user-agent");
  return {
    ip: clientIp(req),
    userAgent:
      userAgent === undefined || userAgent === "" ? null : userAgent.slice(0, MAX_USER_AGENT),
    requestId: requestIdOf(req.headers["x-request-id"]),
  };
}
