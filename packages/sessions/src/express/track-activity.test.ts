// trackActivity(): records activity for this service's session tokens only, never blocks or fails.
import { authenticate, errorHandler } from "@gatehouse/express";
import express from "express";
import request from "supertest";
import { afterEach, describe, expect, it, vi } from "vitest";
import { trackActivity } from "../express.js";
import type { Sessions } from "../types.js";
import { expectProblem, service, whoami } from "./test-helpers.js";

function appFor(sessions: Sessions, verifier: ReturnType<typeof service>["verifier"]) {
  const app = express();
  app.use(authenticate(verifier), trackActivity(sessions));
  app.get("/", whoami);
  app.use(errorHandler());
  return app;
}

describe("trackActivity()", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("touches the caller's session with the request facts, without awaiting it", async () => {
    const { sessions, verifier, clock } = service();
    const touch = vi.fn(sessions.touch);
    const app = appFor({ ...sessions, touch }, verifier);
    const issued = await sessions.create({ userId: "user_1" });
    clock.advance(120_000);
    await request(app)
      .get("/")
      .set("authorization", `Bearer ${issued.accessToken}`)
      .set("user-agent", "curl/8")
      .expect(200);
    expect(touch).toHaveBeenCalledTimes(1);
    expect(touch.mock.calls[0]![0]).toBe(issued.session.id);
    expect(touch.mock.calls[0]![1]).toMatchObject({ userAgent: "curl/8", ip: expect.any(String) });
    await touch.mock.results[0]!.value;
    expect((await sessions.get(issued.session.id))?.lastActiveAt).toBe(clock.now());
  });

  it("ignores signed-out requests and API keys", async () => {
    const { sessions, verifier } = service();
    const touch = vi.fn(sessions.touch);
    const app = appFor({ ...sessions, touch }, verifier);
    const { key } = await sessions.apiKeys.create({ subject: "user_1", name: "k" });
    await request(app).get("/").expect(200);
    await request(app).get("/").set("authorization", `Bearer ${key}`).expect(200);
    expect(touch).not.toHaveBeenCalled();
  });

  it("swallows a failing touch with one process warning, and keeps answering", async () => {
    const { sessions, verifier } = service();
    const failing = Object.freeze({
      ...sessions,
      touch: () => Promise.reject(Object.assign(new Error("down"), { code: "store_unavailable" })),
    });
    const warn = vi.spyOn(process, "emitWarning").mockImplementation(() => {});
    const app = appFor(failing, verifier);
    const issued = await sessions.create({ userId: "user_1" });
    for (let i = 0; i < 3; i++) {
      await request(app).get("/").set("authorization", `Bearer ${issued.accessToken}`).expect(200);
    }
    await new Promise((resolve) => setImmediate(resolve));
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toContain("store_unavailable");
    expect(warn.mock.calls[0]![1]).toMatchObject({ code: "GATEHOUSE_SESSION_TOUCH_FAILED" });
  });

  it("hands a missing authenticate() to next(err), and is named", async () => {
    const { sessions } = service();
    const app = express();
    app.use(trackActivity(sessions));
    app.use(errorHandler());
    expectProblem(await request(app).get("/"), 500, "config_invalid");
    expect(trackActivity(sessions).name).toBe("trackActivity");
  });
});
