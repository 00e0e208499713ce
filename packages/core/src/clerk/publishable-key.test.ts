import { describe, expect, it } from "vitest";
import { frontendApiFromPublishableKey } from "./publishable-key.js";

const pk = (prefix: string, decoded: string) =>
  `${prefix}${Buffer.from(decoded).toString("base64")}`;

describe("frontendApiFromPublishableKey", () => {
  it("reads the Frontend API host of test and live keys", () => {
    expect(frontendApiFromPublishableKey(pk("pk_test_", "clerk.test.local$"))).toBe(
      "clerk.test.local",
    );
    expect(frontendApiFromPublishableKey(pk("pk_live_", "clerk.example.com$"))).toBe(
      "clerk.example.com",
    );
    expect(frontendApiFromPublishableKey(pk("pk_test_", "happy-hippo-1.clerk.accounts.dev$"))).toBe(
      "happy-hippo-1.clerk.accounts.dev",
    );
  });

  it("accepts a host with a port, and base64 without padding", () => {
    expect(frontendApiFromPublishableKey(pk("pk_test_", "localhost:3000$"))).toBe("localhost:3000");
    const key = pk("pk_test_", "clerk.test.local$");
    expect(frontendApiFromPublishableKey(key.replace(/=+$/, ""))).toBe("clerk.test.local");
  });

  it.each([
    ["a secret key", pk("sk_test_", "clerk.test.local$")],
    ["an unknown environment", pk("pk_prod_", "clerk.test.local$")],
    ["no $ terminator", pk("pk_test_", "clerk.test.local")],
    ["an empty host", pk("pk_test_", "$")],
    ["a host with a path", pk("pk_test_", "evil.test/x$")],
    ["a host with userinfo", pk("pk_test_", "user@evil.test$")],
    ["a host with a scheme", pk("pk_test_", "https://evil.test$")],
    ["a host with whitespace", pk("pk_test_", "evil.test \n$")],
    ["characters outside base64", "pk_test_!!!"],
    ["an empty string", ""],
    ["a bare prefix", "pk_test_"],
  ])("refuses %s", (_name, key) => {
    expect(frontendApiFromPublishableKey(key)).toBeNull();
  });
});
