import type { CredentialSource } from "./auth-context.js";

/**
 * The least a request must offer: its headers, as Node gives them
 * (`IncomingMessage#headers`, lower-case names) or as a Fetch `Headers`.
 */
export interface RequestLike {
  readonly headers:
    | { readonly [name: string]: string | readonly string[] | undefined }
    | { get(name: string): string | null };
}

/** A credential found on a request. */
export interface Credential {
  readonly token: string;
  readonly source: CredentialSource;
}

function readHeader(request: RequestLike, name: string): string | undefined {
  const headers = request.headers;
  if (typeof (headers as { get?: unknown }).get === "function") {
    return (headers as { get(name: string): string | null }).get(name) ?? undefined;
  }
  const value = (headers as Record<string, string | readonly string[] | undefined>)[name];
  return typeof value === "string" ? value : undefined;
}

/**
 * Reads the credential of a request: a Bearer token from `Authorization`
 * (RFC 6750 §2.1) first, else the named cookie. Other schemes are ignored.
 */
export function readCredential(request: RequestLike, cookieName: string): Credential | undefined {
  const authorization = readHeader(request, "authorization");
  if (authorization !== undefined && authorization.length > 7) {
    const scheme = authorization.slice(0, 7);
    if (scheme === "Bearer " || scheme.toLowerCase() === "bearer ") {
      const token = authorization.slice(7).trim();
      if (token.length > 0) return { token, source: "header" };
    }
  }
  const cookie = readHeader(request, "cookie");
  if (cookie !== undefined) {
    const token = readCookie(cookie, cookieName);
    if (token) return { token, source: "cookie" };
  }
  return undefined;
}

/** The value of cookie `name` in a `Cookie` header, or undefined. */
export function readCookie(header: string, name: string): string | undefined {
  const prefix = `${name}=`;
  for (const part of header.split(";")) {
    const pair = part.trim();
    if (pair.startsWith(prefix)) {
      const value = pair.slice(prefix.length).trim();
      return value.length >= 2 && value.startsWith('"') && value.endsWith('"')
        ? value.slice(1, -1)
        : value;
    }
  }
  return undefined;
}
