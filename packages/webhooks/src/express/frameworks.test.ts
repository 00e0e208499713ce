// webhookHandler() under plain Connect and a bare node:http server: nothing needs Express.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { errorHandler } from "@gatehouse/express";
import connect from "connect";
import request from "supertest";
import { describe, expect, it } from "vitest";
import { webhookHandler } from "../express.js";
import { BODY, expectProblem, signed, testReceiver } from "./test-helpers.js";

describe("under connect", () => {
  it("delivers, deduplicates, refuses a forgery, and leaves other methods to the next handler", async () => {
    const { receiver, seen } = testReceiver();
    const app = connect();
    app.use("/webhooks", webhookHandler(receiver));
    app.use(errorHandler());
    const server = createServer(app);
    const first = await request(server).post("/webhooks").set(signed()).send(BODY).expect(200);
    expect(first.body).toEqual({ outcome: "processed" });
    const again = await request(server).post("/webhooks").set(signed()).send(BODY).expect(200);
    expect(again.body).toEqual({ outcome: "duplicate" });
    expectProblem(
      await request(server).post("/webhooks").set(signed("{}")).send(BODY),
      400,
      "webhook_signature_invalid",
    );
    expect((await request(server).get("/webhooks")).status).toBe(404);
    expect(seen).toHaveLength(1);
  });
});

describe("under node:http", () => {
  it("delivers and renders errors with errorHandler() called by hand", async () => {
    const { receiver, seen } = testReceiver();
    const handler = webhookHandler(receiver, { maxBodyBytes: 4096 });
    const onError = errorHandler();
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const fail = (err: unknown) =>
        onError(err, req, res, () => {
          res.statusCode = 500;
          res.end();
        });
      handler(req, res, (err) => {
        if (err) return fail(err);
        res.statusCode = 404;
        res.end();
      });
    });
    const res = await request(server).post("/").set(signed()).send(BODY).expect(200);
    expect(res.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(res.body).toEqual({ outcome: "processed" });
    expectProblem(
      await request(server)
        .post("/")
        .set(signed())
        .send(`${BODY}${" ".repeat(5000)}`),
      413,
      "webhook_body_too_large",
    );
    expect((await request(server).put("/")).status).toBe(404);
    expect(seen).toHaveLength(1);
  });
});
