/**
 * SSRF protection: endpoint URLs that point (directly or through DNS) at
 * private, loopback, link-local or reserved addresses are refused at
 * creation and at every delivery; the connection goes to the address that was
 * checked, so DNS rebinding cannot swap it.
 */

import type { AddressInfo } from "node:net";
import { createServer as createTlsServer } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addressRange } from "./ssrf.js";
import { type Receiver, setup, startReceiver } from "./test-helpers.js";
import type { WebhookLookup } from "./types.js";

let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(() => receiver.close());

const PUBLIC = "93.184.215.14";
const resolveTo =
  (...answers: string[][]): WebhookLookup =>
  async () => {
    const next = answers.length > 1 ? answers.shift()! : answers[0]!;
    return next.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
  };

describe("address classification", () => {
  it("allows public unicast only", () => {
    for (const ip of [PUBLIC, "1.1.1.1", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8"]) {
      expect(addressRange(ip)).toBe("unicast");
    }
    const refused: Record<string, string> = {
      "127.0.0.1": "loopback",
      "127.255.0.9": "loopback",
      "10.1.2.3": "private",
      "172.16.0.1": "private",
      "192.168.1.1": "private",
      "169.254.169.254": "linkLocal",
      "100.64.0.1": "carrierGradeNat",
      "0.0.0.0": "unspecified",
      "255.255.255.255": "broadcast",
      "224.0.0.1": "multicast",
      "192.0.2.1": "reserved",
      "::1": "loopback",
      "::": "unspecified",
      "fe80::1": "linkLocal",
      "fd00::1": "uniqueLocal",
      "fc00::1": "uniqueLocal",
      "ff02::1": "multicast",
      "::ffff:127.0.0.1": "loopback",
      "::ffff:10.0.0.1": "private",
      "::ffff:169.254.169.254": "linkLocal",
      "::127.0.0.1": "loopback",
      "::7f00:1": "reserved",
      "64:ff9b::a00:1": "rfc6052",
      "2002:7f00:1::": "6to4",
      "not-an-ip": "invalid",
    };
    for (const [ip, range] of Object.entries(refused))
      expect([ip, addressRange(ip)]).toEqual([ip, range]);
  });
});

describe("at endpoint creation", () => {
  it("refuses private, loopback, link-local and metadata addresses", async () => {
    const t = setup({ allowedHosts: [], lookup: resolveTo([PUBLIC]) });
    for (const url of [
      "http://127.0.0.1/",
      "http://127.1/", // the URL parser normalises these forms to 127.0.0.1
      "http://2130706433/",
      "http://0x7f.0.0.1/",
      "http://10.0.0.8/hook",
      "http://192.168.0.1/",
      "http://169.254.169.254/latest/meta-data/",
      "http://[::1]/",
      "http://[::ffff:127.0.0.1]/",
      "http://[::ffff:a9fe:a9fe]/",
      "http://[fd12::1]/",
      "http://0.0.0.0/",
    ]) {
      await expect(t.sender.endpoints.create({ url }), url).rejects.toMatchObject({
        code: "webhook_url_forbidden",
        status: 400,
      });
    }
  });

  it("refuses a host name if any address it resolves to is private", async () => {
    for (const answer of [["10.0.0.1"], ["127.0.0.1"], [PUBLIC, "169.254.169.254"], ["::1"]]) {
      const t = setup({ allowedHosts: [], lookup: resolveTo(answer) });
      await expect(
        t.sender.endpoints.create({ url: "https://hooks.example.com/x" }),
      ).rejects.toMatchObject({ code: "webhook_url_forbidden" });
    }
    const t = setup({ allowedHosts: [], lookup: resolveTo([PUBLIC, "2606:4700::1"], ["::1"]) });
    const endpoint = await t.sender.endpoints.create({ url: "https://hooks.example.com/x" });
    await expect(
      t.sender.endpoints.update(endpoint.id, { url: "https://other.example.com/" }),
    ).rejects.toMatchObject({ code: "webhook_url_forbidden" });
    const local = setup({ allowedHosts: [], lookup: resolveTo(["127.0.0.1", "::1"]) });
    await expect(
      local.sender.endpoints.create({ url: "http://localhost:8080/" }),
    ).rejects.toMatchObject({ code: "webhook_url_forbidden" });
  });

  it("refuses other schemes and URLs with credentials", async () => {
    const t = setup({ lookup: resolveTo([PUBLIC]) });
    for (const url of [
      "ftp://example.com/",
      "file:///etc/passwd",
      "gopher://example.com/",
      "https://user:pass@example.com/",
      "https://token@example.com/",
      "/relative",
      "not a url",
      `https://example.com/${"x".repeat(2100)}`,
    ]) {
      await expect(t.sender.endpoints.create({ url }), url).rejects.toMatchObject({
        code: "webhook_url_forbidden",
      });
    }
  });

  it("accepts what allowedHosts (host, IP or CIDR) or allowPrivateNetworks allow", async () => {
    const byCidr = setup({ allowedHosts: ["10.20.0.0/16"], lookup: resolveTo(["10.20.3.4"]) });
    await byCidr.sender.endpoints.create({ url: "http://internal.example/" });
    await expect(
      byCidr.sender.endpoints.create({ url: "http://10.21.0.1/" }),
    ).rejects.toMatchObject({ code: "webhook_url_forbidden" });
    const byHost = setup({ allowedHosts: ["Hooks.Internal"], lookup: resolveTo(["10.0.0.1"]) });
    await byHost.sender.endpoints.create({ url: "http://hooks.internal/" });
    const open = setup({ allowedHosts: [], allowPrivateNetworks: true });
    await open.sender.endpoints.create({ url: "http://169.254.169.254/" });
  });

  it("accepts a host that does not resolve yet (delivery checks again)", async () => {
    const t = setup({
      lookup: async () => {
        throw Object.assign(new Error("nxdomain"), { code: "ENOTFOUND" });
      },
    });
    await expect(
      t.sender.endpoints.create({ url: "https://later.example/" }),
    ).resolves.toBeDefined();
  });
});

describe("at delivery", () => {
  it("refuses, without connecting, a host that resolves to a private address now", async () => {
    const calls: string[] = [];
    const answers = [[PUBLIC], ["10.0.0.7"]];
    const t = setup({
      allowedHosts: [],
      lookup: async (host) => {
        calls.push(host);
        const next = answers.shift() ?? ["10.0.0.7"];
        return next.map((address) => ({ address, family: 4 }));
      },
    });
    const endpoint = await t.sender.endpoints.create({ url: "https://hooks.example.com/in" });
    const message = await t.sender.send("a.b", {});
    await t.sender.worker().runOnce();
    const [d] = (await t.sender.deliveries({ messageId: message.id })).items;
    expect(d).toMatchObject({ status: "failed", lastError: "ssrf", lastStatusCode: null });
    expect(await t.sender.attempts(d!.id)).toEqual([
      expect.objectContaining({
        errorKind: "ssrf",
        errorDetail: "address in a private range",
        statusCode: null,
        endpointId: endpoint.id,
      }),
    ]);
    expect(calls).toEqual(["hooks.example.com", "hooks.example.com"]);
  });

  it("refuses an IP endpoint once it is no longer allowed", async () => {
    const allowed = setup();
    const endpoint = await allowed.sender.endpoints.create({ url: receiver.url });
    // The same store, read by a sender without the allowance.
    const strict = setup({ allowedHosts: [] }, allowed.records, allowed.clock);
    const message = await strict.sender.send("a.b", {});
    await strict.sender.worker().runOnce();
    expect(receiver.count(message.id)).toBe(0);
    const [attempt] = await strict.sender.attempts(
      (await strict.sender.deliveries({ endpointId: endpoint.id })).items[0]!.id,
    );
    expect(attempt).toMatchObject({ errorKind: "ssrf" });
  });

  it("connects to the checked address (DNS rebinding), with Host and the URL's host name", async () => {
    // Creation and the delivery's one lookup get the allowed loopback receiver;
    // any later answer is an address nothing listens on, where a second
    // lookup at connect time would send the request.
    const answers = ["127.0.0.1", "127.0.0.1"];
    let calls = 0;
    const t = setup({
      allowedHosts: ["127.0.0.1"],
      lookup: async () => {
        calls++;
        return [{ address: answers.shift() ?? "10.255.255.1", family: 4 }];
      },
      timeoutMs: 1000,
    });
    const url = `http://rebind.example:${receiver.port}/hooks`;
    await t.sender.endpoints.create({ url });
    calls = 0;
    const message = await t.sender.send("a.b", {});
    await t.sender.worker().runOnce();
    expect(calls).toBe(1);
    expect(receiver.count(message.id)).toBe(1);
    const hit = receiver.hits.find((h) => h.id === message.id)!;
    expect(hit.headers.host).toBe(`rebind.example:${receiver.port}`);
    expect((await t.sender.deliveries({ messageId: message.id })).items[0]!.status).toBe(
      "succeeded",
    );
  });

  it("keeps the URL's host name for TLS (SNI) while connecting to the checked address", async () => {
    const names: string[] = [];
    // No certificate: the handshake fails after the ClientHello, which is all we need.
    const tls = createTlsServer({
      SNICallback: (name, callback) => {
        names.push(name);
        callback(new Error("no certificate here"));
      },
    });
    tls.on("tlsClientError", () => {});
    await new Promise<void>((resolve) => tls.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = tls.address() as AddressInfo;
      const t = setup({ lookup: resolveTo(["127.0.0.1"]) });
      await t.sender.endpoints.create({ url: `https://sni.example:${port}/hooks` });
      const message = await t.sender.send("a.b", {});
      await t.sender.worker().runOnce();
      const [d] = (await t.sender.deliveries({ messageId: message.id })).items;
      expect(d).toMatchObject({ status: "failed", lastError: "network" });
      expect(names).toEqual(["sni.example"]);
    } finally {
      await new Promise((resolve) => tls.close(resolve));
    }
  });

  it("bounds a lookup that never answers by timeoutMs", async () => {
    const t = setup({ timeoutMs: 200, lookup: () => new Promise(() => {}) });
    const endpoint = await t.sender.endpoints.create({ url: "https://slow-dns.example/" });
    await t.sender.send("a.b", {});
    await t.sender.worker().runOnce();
    const [d] = (await t.sender.deliveries({ endpointId: endpoint.id })).items;
    expect(d).toMatchObject({ status: "failed", lastError: "timeout" });
  });
});
