import { PassThrough, Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { makeEvents } from "../log/test-helpers.js";
import { stdoutSink } from "./stdout.js";

describe("stdoutSink", () => {
  it("writes one JSON line per event", async () => {
    const out = new PassThrough();
    let text = "";
    out.on("data", (d) => {
      text += d;
    });
    const sink = stdoutSink({ stream: out });
    const events = makeEvents(3);
    await sink.write(events);
    await sink.write([]);
    expect(text.split("\n")).toEqual([...events.map((e) => JSON.stringify(e)), ""]);
  });

  it("waits for a slow stream (back-pressure) before resolving", async () => {
    let release!: () => void;
    let written = 0;
    const slow = new Writable({
      highWaterMark: 16,
      write(_chunk, _enc, callback) {
        release = () => {
          written++;
          callback();
        };
      },
    });
    const sink = stdoutSink({ stream: slow });
    let done = false;
    const write = sink.write(makeEvents(2)).then(() => {
      done = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(done).toBe(false);
    release();
    await write;
    expect(written).toBe(1);
  });

  it("rejects on a stream error or a closed stream", async () => {
    const failing = new Writable({
      write(_chunk, _enc, callback) {
        callback(new Error("EPIPE"));
      },
    });
    failing.on("error", () => {});
    await expect(stdoutSink({ stream: failing }).write(makeEvents(1))).rejects.toThrow("EPIPE");
    const ended = new PassThrough();
    ended.end();
    await expect(stdoutSink({ stream: ended }).write(makeEvents(1))).rejects.toThrow(/closed/);
  });
});
