import { createFakeClock } from "@gatehouse/testing";
import fc from "fast-check";
import { Webhook as StandardWebhook } from "standardwebhooks";
import { Webhook as SvixWebhook } from "svix";
import { describe, expect, it } from "vitest";
import { generateWebhookSecret, parseWebhookSecret } from "./secrets.js";
import { signatureHeader } from "./signature.js";
import { createWebhookVerifier, verifyWebhook } from "./verify.js";

const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const OTHER = generateWebhookSecret();
const clock = createFakeClock();
const nowSec = () => Math.floor(clock.now() / 1000);
const body = JSON.stringify({ type: "user.created", data: { id: "user_1" } });

function signed(
  payload: string | Buffer = body,
  opts: { secret?: string; id?: string; ts?: number; style?: "svix" | "webhook" } = {},
) {
  const id = opts.id ?? "msg_1";
  const ts = opts.ts ?? nowSec();
  const sig = signatureHeader([parseWebhookSecret(opts.secret ?? SECRET)], id, ts, payload);
  const p = opts.style ?? "svix";
  return { [`${p}-id`]: id, [`${p}-timestamp`]: String(ts), [`${p}-signature`]: sig };
}

const verifier = createWebhookVerifier({ secrets: SECRET, clock });

const codeOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    return (err as { code: string }).code;
  }
  return "none";
};

describe("verify", () => {
  it("accepts Svix and Standard Webhooks headers, from a string or the raw bytes", () => {
    for (const style of ["svix", "webhook"] as const) {
      const out = verifier.verify(body, signed(body, { style }));
      expect(out).toEqual({ id: "msg_1", timestamp: nowSec(), payload: JSON.parse(body) });
      expect(verifier.verify(Buffer.from(body), signed(body, { style })).payload).toEqual(
        JSON.parse(body),
      );
    }
    const headers = new Headers(signed());
    expect(verifier.verify(body, headers).id).toBe("msg_1");
  });

  it("verifies what svix and standardwebhooks sign (interop)", () => {
    const id = "msg_2p8";
    const date = new Date(clock.now());
    const svixSig = new SvixWebhook(SECRET).sign(id, date, body);
    expect(
      verifier.verify(body, {
        "svix-id": id,
        "svix-timestamp": String(nowSec()),
        "svix-signature": svixSig,
      }).id,
    ).toBe(id);
    const stdSig = new StandardWebhook(SECRET).sign(id, date, body);
    expect(
      verifier.verify(body, {
        "webhook-id": id,
        "webhook-timestamp": String(nowSec()),
        "webhook-signature": stdSig,
      }).id,
    ).toBe(id);
  });

  it("signs what svix and standardwebhooks verify (interop)", () => {
    const headers = signed(body, { ts: Math.floor(Date.now() / 1000), style: "svix" });
    expect(new SvixWebhook(SECRET).verify(body, headers)).toEqual(JSON.parse(body));
    const std = signed(body, { ts: Math.floor(Date.now() / 1000), style: "webhook" });
    expect(new StandardWebhook(SECRET).verify(body, std)).toEqual(JSON.parse(body));
  });

  it("accepts any of several secrets (rotation), and one valid signature among junk", () => {
    const rotating = createWebhookVerifier({ secrets: [OTHER, SECRET], clock });
    expect(rotating.verify(body, signed()).id).toBe("msg_1");
    const headers = signed();
    headers["svix-signature"] =
      `v1,${Buffer.alloc(32).toString("base64")} v2,xyz v1,!!!! v1a,abc ${headers["svix-signature"]}`;
    expect(verifier.verify(body, headers).id).toBe("msg_1");
  });

  it("refuses a missing header, with the code naming it", () => {
    for (const name of ["svix-id", "svix-timestamp", "svix-signature"]) {
      const headers: Record<string, string> = signed();
      delete headers[name];
      expect(codeOf(() => verifier.verify(body, headers))).toBe("webhook_headers_missing");
    }
    expect(codeOf(() => verifier.verify(body, {}))).toBe("webhook_headers_missing");
  });

  it("refuses stale, future and malformed timestamps", () => {
    expect(codeOf(() => verifier.verify(body, signed(body, { ts: nowSec() - 301 })))).toBe(
      "webhook_timestamp_expired",
    );
    expect(codeOf(() => verifier.verify(body, signed(body, { ts: nowSec() + 301 })))).toBe(
      "webhook_timestamp_expired",
    );
    expect(verifier.verify(body, signed(body, { ts: nowSec() - 300 })).id).toBe("msg_1");
    for (const ts of ["", "abc", "1.5", "-1", "1e9", " 1", "9".repeat(13)]) {
      const headers = { ...signed(), "svix-timestamp": ts };
      const code = codeOf(() => verifier.verify(body, headers));
      expect(["webhook_timestamp_invalid", "webhook_headers_missing"]).toContain(code);
    }
    const lenient = createWebhookVerifier({ secrets: SECRET, clock, toleranceSec: 3600 });
    expect(lenient.verify(body, signed(body, { ts: nowSec() - 3000 })).id).toBe("msg_1");
  });

  it("refuses a valid signature for another body, id, timestamp or secret", () => {
    const headers = signed();
    expect(codeOf(() => verifier.verify(`${body} `, headers))).toBe("webhook_signature_invalid");
    expect(codeOf(() => verifier.verify(body, { ...headers, "svix-id": "msg_2" }))).toBe(
      "webhook_signature_invalid",
    );
    const ts = String(nowSec() - 1);
    expect(codeOf(() => verifier.verify(body, { ...headers, "svix-timestamp": ts }))).toBe(
      "webhook_signature_invalid",
    );
    expect(codeOf(() => verifier.verify(body, signed(body, { secret: OTHER })))).toBe(
      "webhook_signature_invalid",
    );
  });

  it("refuses hostile signature headers without unbounded work", () => {
    const junk = Array.from({ length: 5000 }, () => `v1,${"A".repeat(43)}=`).join(" ");
    expect(codeOf(() => verifier.verify(body, { ...signed(), "svix-signature": junk }))).toBe(
      "webhook_signature_invalid",
    );
    // A valid signature after the 16th entry is not looked at.
    const valid = signed()["svix-signature"]!;
    const late = `${Array.from({ length: 16 }, () => `v1,${"A".repeat(43)}=`).join(" ")} ${valid}`;
    expect(codeOf(() => verifier.verify(body, { ...signed(), "svix-signature": late }))).toBe(
      "webhook_signature_invalid",
    );
  });

  it("refuses an oversized body before hashing it, and a non-JSON or non-object body after", () => {
    const small = createWebhookVerifier({ secrets: SECRET, clock, maxBodyBytes: 64 });
    const big = JSON.stringify({ pad: "x".repeat(100) });
    expect(codeOf(() => small.verify(big, signed(big)))).toBe("webhook_body_too_large");
    for (const raw of ["not json", "[1,2]", "null", "42", '"s"']) {
      expect(codeOf(() => verifier.verify(raw, signed(raw)))).toBe("webhook_body_invalid");
    }
  });

  it("says what to change when a JSON parser already ran", () => {
    const err = (() => {
      try {
        verifier.verify({ parsed: true } as never, signed());
      } catch (e) {
        return e as Error & { code: string };
      }
    })();
    expect(err?.code).toBe("webhook_body_parsed");
    expect(err?.message).toMatch(/express\.raw\(\)|before express\.json\(\)/);
  });

  it("never accepts a body it did not sign (property)", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.string({ maxLength: 300 }), (a, b) => {
        fc.pre(a !== b);
        const headers = signed(a);
        expect(codeOf(() => verifier.verify(b, headers))).not.toBe("none");
      }),
    );
  });

  it("refuses malformed secrets at construction, without echoing them", () => {
    for (const bad of ["", "whsec_", "whsec_not-base64!", "whsec_QUJD", "secret"]) {
      expect(() => createWebhookVerifier({ secrets: bad })).toThrow(/base64|bytes/);
      try {
        createWebhookVerifier({ secrets: `${bad}SECRETMARK` });
      } catch (e) {
        expect((e as Error).message).not.toContain("SECRETMARK");
      }
    }
  });

  it("verifyWebhook is the one-call form", () => {
    const headers = signed(body, { ts: Math.floor(Date.now() / 1000) });
    expect(verifyWebhook(body, headers, SECRET).id).toBe("msg_1");
    expect(verifyWebhook(body, headers, [OTHER, SECRET]).id).toBe("msg_1");
  });
});
