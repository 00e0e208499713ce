/**
 * Reads the Frontend API host out of a Clerk publishable key
 * (`pk_test_` / `pk_live_` + base64 of `"<host>$"`). Returns null when the key
 * is not of that form.
 */
export function frontendApiFromPublishableKey(key: string): string | null {
  const match = /^pk_(?:test|live)_([A-Za-z0-9+/=_-]+)$/.exec(key);
  if (match === null) return null;
  const decoded = Buffer.from(match[1]!, "base64").toString("utf8");
  if (!decoded.endsWith("$")) return null;
  const host = decoded.slice(0, -1);
  return /^[a-z0-9.-]+(?::\d+)?$/i.test(host) ? host : null;
}
