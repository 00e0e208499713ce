import { GatehouseError } from "@gatehouse/core";

/** Throws the start-up `config_invalid` error naming the factory and the option. */
export function configError(factory: string, message: string): never {
  throw new GatehouseError("config_invalid", `${factory}: ${message}`);
}

/** Characters allowed inside an RFC 7230 quoted-string without escaping (no `"`, no `\`). */
const QDTEXT = /^[\x20\x21\x23-\x5B\x5D-\x7E]*$/;

/** Reads an options argument: `undefined` or a plain object. */
export function readOptions<T extends object>(factory: string, options: T | undefined): Partial<T> {
  if (options === undefined) return {};
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    configError(factory, "options must be an object");
  }
  return options;
}

/** Refuses option names the factory does not know (a typo is a bug, not a default). */
export function rejectUnknown(factory: string, options: object, known: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) configError(factory, `unknown option "${key}"`);
  }
}

/** Validates the `realm` of a `WWW-Authenticate` challenge. */
export function readRealm(factory: string, realm: unknown): string | undefined {
  if (realm === undefined) return undefined;
  if (
    typeof realm !== "string" ||
    realm.length === 0 ||
    realm.length > 200 ||
    !QDTEXT.test(realm)
  ) {
    configError(
      factory,
      'option "realm" must be 1 to 200 printable ASCII characters without `"` or `\\`',
    );
  }
  return realm;
}

/** Validates the `Retry-After` seconds sent with a 503. */
export function readRetryAfter(factory: string, value: unknown): number {
  if (value === undefined) return 30;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > 86_400) {
    configError(factory, 'option "retryAfterSec" must be an integer from 0 to 86400');
  }
  return value;
}
