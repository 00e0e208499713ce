// Test-only helpers (not exported from the package).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import {
  type AuthContext,
  clerk,
  createVerifier,
  type GatehouseError,
  type RequestLike,
  type Verifier,
} from "@gatehouse/core";
import { createFakeClock, generateTestKeys, mintClerkToken } from "@gatehouse/testing";

export const keys = generateTestKeys();
export const clock = createFakeClock();

/** A real verifier trusting `keys`, on the frozen `clock`. */
export function makeVerifier(): Verifier {
  return createVerifier({ issuers: [clerk({ jwtKey: keys.publicKeyPem })], clock });
}

export function validToken(userId = "user_42"): Promise<string> {
  return mintClerkToken(keys, { userId, clock });
}

export function expiredToken(): Promise<string> {
  return mintClerkToken(keys, { userId: "user_42", clock, expiresInSec: -120 });
}

/** Signed by another key with the same `kid`: the signature does not verify. */
export function forgedToken(): Promise<string> {
  const other = generateTestKeys({ kid: keys.kid });
  return mintClerkToken(other, { userId: "user_admin", clock });
}

/** A verifier that counts calls and answers (or rejects) as told. */
export interface SpyVerifier extends Pick<Verifier, "authenticate"> {
  calls: number;
}

export function spyVerifier(answer: (req: RequestLike) => Promise<AuthContext>): SpyVerifier {
  const spy: SpyVerifier = {
    calls: 0,
    authenticate(req) {
      spy.calls++;
      return answer(req);
    },
  };
  return spy;
}

export function rejectingVerifier(err: GatehouseError | Error): SpyVerifier {
  return spyVerifier(() => Promise.reject(err));
}

/** A route handler that only uses node:http, so it runs under every framework. */
export function echo(read: (req: IncomingMessage) => AuthContext) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const auth = read(req);
    const body = JSON.stringify({ userId: auth.userId, reason: auth.reason });
    res.statusCode = 200;
    res.setHeader("content-type", "application/json");
    res.end(body);
  };
}

/** A bare node:http server around a request listener, for supertest. */
export function nodeServer(listener: (req: IncomingMessage, res: ServerResponse) => void): Server {
  return createServer(listener);
}
