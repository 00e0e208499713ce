/**
 * Server-side request forgery protection: which addresses a webhook may
 * connect to. Every address a host resolves to must be public unicast
 * (ipaddr.js `range()` is `unicast`, after unwrapping IPv4-mapped IPv6);
 * loopback, private (RFC 1918, fc00::/7), link-local (169.254/16 — cloud
 * metadata — and fe80::/10), unspecified, multicast, broadcast, carrier-grade
 * NAT, reserved, NAT64/6to4/Teredo (they embed IPv4) and ::/8 are refused,
 * unless the host or address is allowed explicitly.
 *
 * @see https://cheatsheetseries.owasp.org/cheatsheets/Server_Side_Request_Forgery_Prevention_Cheat_Sheet.html
 * @packageDocumentation
 */
import { lookup as dnsLookup } from "node:dns/promises";
import ipaddr from "ipaddr.js";
import type { WebhookLookup, WebhookLookupAddress } from "./types.js";

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** Who may be reached despite the rules: parsed once from the options. */
export interface AddressPolicy {
  readonly allowPrivateNetworks: boolean;
  /** Lower-case host names and canonical IP literals allowed as they are. */
  readonly hosts: ReadonlySet<string>;
  /** Address ranges (CIDR) allowed. */
  readonly ranges: readonly (readonly [Address, number])[];
}

/** The outcome of {@link resolveTarget}. */
export type Target =
  | { readonly ok: true; readonly address: string; readonly family: 4 | 6 }
  | { readonly ok: false; readonly kind: "ssrf" | "network"; readonly reason: string };

/** The default resolver: every address of the host, in the resolver's order. */
export const defaultLookup: WebhookLookup = (hostname) =>
  dnsLookup(hostname, { all: true, verbatim: true });

/** Whether `entry` is a valid `allowedHosts` entry: a host name, an IP address or a CIDR range. */
export function isAllowedHostEntry(entry: string): boolean {
  return (
    ipaddr.isValid(entry) ||
    ipaddr.isValidCIDR(entry) ||
    /^(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]{0,62}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,62}[a-z0-9_])?)*$/i.test(
      entry,
    )
  );
}

/** Builds the policy from `allowedHosts` (entries checked by {@link isAllowedHostEntry}). */
export function addressPolicy(
  allowedHosts: readonly string[],
  allowPrivateNetworks: boolean,
): AddressPolicy {
  const hosts = new Set<string>();
  const ranges: (readonly [Address, number])[] = [];
  for (const entry of allowedHosts) {
    if (entry.includes("/")) ranges.push(ipaddr.parseCIDR(entry));
    else hosts.add(ipaddr.isValid(entry) ? canonical(ipaddr.parse(entry)) : entry.toLowerCase());
  }
  return Object.freeze({ allowPrivateNetworks, hosts, ranges: Object.freeze(ranges) });
}

function canonical(address: Address): string {
  return address.kind() === "ipv6" && (address as ipaddr.IPv6).isIPv4MappedAddress()
    ? (address as ipaddr.IPv6).toIPv4Address().toString()
    : address.toString();
}

/**
 * The special range `ip` falls in (`loopback`, `private`, `linkLocal`, …), or
 * `unicast` for a public address. IPv4-mapped IPv6 is judged as its IPv4.
 */
export function addressRange(ip: string): string {
  if (!ipaddr.isValid(ip)) return "invalid";
  const address = ipaddr.process(ip);
  const range = address.range();
  // ::/8 (IPv4-compatible and other reserved forms) is "unicast" to ipaddr.js.
  if (range === "unicast" && address.kind() === "ipv6" && address.toByteArray()[0] === 0) {
    return "reserved";
  }
  return range;
}

function allowedAddress(policy: AddressPolicy, ip: string): boolean {
  if (policy.allowPrivateNetworks) return true;
  if (addressRange(ip) === "unicast") return true;
  const address = ipaddr.process(ip);
  if (policy.hosts.has(canonical(address))) return true;
  return policy.ranges.some(
    ([range, bits]) => range.kind() === address.kind() && address.match(range, bits),
  );
}

/** The host name of a URL without IPv6 brackets, lower-case. */
export function urlHost(url: URL): string {
  const host = url.hostname.toLowerCase();
  return host.startsWith("[") ? host.slice(1, -1) : host;
}

/**
 * Resolves the host of `url` and checks every address: refused (`ssrf`) if
 * any one is not allowed, so a host cannot hide a private address behind a
 * public one. Returns the first address, which the connection must use (DNS
 * is not asked again, so a rebinding answer cannot swap it).
 */
export async function resolveTarget(
  url: URL,
  policy: AddressPolicy,
  lookup: WebhookLookup,
): Promise<Target> {
  const host = urlHost(url);
  const hostAllowed = policy.hosts.has(host);
  let addresses: readonly WebhookLookupAddress[];
  if (ipaddr.isValid(host)) {
    addresses = [{ address: host, family: host.includes(":") ? 6 : 4 }];
  } else {
    try {
      addresses = await lookup(host);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      return { ok: false, kind: "network", reason: `dns: ${String(code ?? "lookup failed")}` };
    }
    if (!Array.isArray(addresses) || addresses.length === 0) {
      return { ok: false, kind: "network", reason: "dns: no address" };
    }
  }
  for (const { address } of addresses) {
    if (!ipaddr.isValid(address)) {
      return { ok: false, kind: "network", reason: "dns: not an IP address" };
    }
    if (!hostAllowed && !allowedAddress(policy, address)) {
      return { ok: false, kind: "ssrf", reason: `address in a ${addressRange(address)} range` };
    }
  }
  const first = addresses[0]!;
  return {
    ok: true,
    address: first.address,
    family: ipaddr.parse(first.address).kind() === "ipv6" ? 6 : 4,
  };
}
