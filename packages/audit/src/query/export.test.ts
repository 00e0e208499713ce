import { createMemoryRecordStore } from "@gatehouse/core/store";
import { beforeAll, describe, expect, it } from "vitest";
import type { AuditEvent } from "../event.js";
import { buildChain, T0, writeEvents } from "../verify/test-chain.js";
import { verifyChain } from "../verify/verify-chain.js";
import { csvCell } from "./csv.js";
import { CSV_COLUMNS, exportEvents } from "./export.js";
import { createAuditQuery } from "./search.js";

/** A strict RFC 4180 parser, to read back what the export wrote. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else cell += c;
      i++;
      continue;
    }
    if (c === '"' && cell === "") quoted = true;
    else if (c === ",") {
      row.push(cell);
      cell = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
      i++;
    } else if (c === '"' || c === "\n" || c === "\r") {
      throw new Error(`stray ${JSON.stringify(c)} at ${i}`);
    } else cell += c;
    i++;
  }
  if (cell !== "" || row.length > 0) throw new Error("the last record is not CRLF-terminated");
  return rows;
}

const collect = async (chunks: AsyncIterable<string>) => {
  const out: string[] = [];
  for await (const chunk of chunks) out.push(chunk);
  return out;
};

const HOSTILE = [
  '=HYPERLINK("http://evil.example","x")',
  "+1+2",
  "-2+3",
  "@SUM(A1:A2)",
  "\t=1",
  "\r=1",
  'quote " and, comma',
  "line\r\nbreak",
  "naïve ☃ \u2028",
];

describe("exportEvents", () => {
  const records = createMemoryRecordStore();
  const query = createAuditQuery(records);
  const events = buildChain(23, "exp", (seq) => ({
    orgId: seq % 2 ? "org_a" : "org_b",
    actorId: HOSTILE[seq % HOSTILE.length]!,
    userAgent: HOSTILE[(seq + 3) % HOSTILE.length]!,
    metadata: seq === 4 ? -1 : { note: HOSTILE[seq % HOSTILE.length]! },
  }));
  beforeAll(() => writeEvents(records, events));

  it("writes CSV: a header, RFC 4180 records, newest first, page by page", async () => {
    const chunks = await collect(exportEvents(query, {}, "csv", { pageSize: 10 }));
    expect(chunks).toHaveLength(1 + 3);
    expect(chunks[0]).toBe(`${CSV_COLUMNS.join(",")}\r\n`);
    const [header, ...rows] = parseCsv(chunks.join(""));
    expect(header).toEqual([...CSV_COLUMNS]);
    expect(rows).toHaveLength(23);
    const newest = events.at(-1)!;
    const row = Object.fromEntries(header!.map((h, i) => [h, rows[0]![i]]));
    expect(row).toMatchObject({
      id: newest.id,
      time: new Date(newest.time).toISOString(),
      seq: "23",
      stream: "exp",
      erasedAt: "",
      requestId: "",
      hash: newest.hash,
    });
  });

  it("neutralises formulas: no cell a spreadsheet would run starts with = + - @ tab or CR", async () => {
    const text = (await collect(exportEvents(query, {}, "csv"))).join("");
    const cells = parseCsv(text).flat();
    for (const cell of cells) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    for (const hostile of HOSTILE.filter((h) => /^[=+\-@\t\r]/.test(h))) {
      expect(cells).toContain(`'${hostile}`);
    }
    expect(cells).toContain('quote " and, comma');
    expect(cells).toContain("line\r\nbreak");
    expect(cells).toContain("'-1"); // metadata that is a negative number
  });

  it.each([
    [null, ""],
    [42, "42"],
    ["plain", "plain"],
    ["=1+1", "'=1+1"],
    ["-", "'-"],
    ["a,b", '"a,b"'],
    ['"', '""""'],
    ["=a,b", `"'=a,b"`],
    ["\r\n", `"'\r\n"`],
  ])("csvCell(%j) is %j", (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });

  it("writes JSON Lines that verify offline", async () => {
    const text = (await collect(exportEvents(query, {}, "jsonl", { pageSize: 7 }))).join("");
    const lines = text.trimEnd().split("\n");
    expect(lines).toHaveLength(23);
    const parsed = lines.map((l) => JSON.parse(l) as AuditEvent);
    expect(parsed[0]).toEqual(events.at(-1));
    const result = await verifyChain(parsed.reverse());
    expect(result.ok).toBe(true);
  });

  it("exports with a filter and a scope, and nothing beyond them", async () => {
    const text = (
      await collect(exportEvents(query, { scope: { orgId: "org_b" }, from: T0 }, "jsonl"))
    ).join("");
    const parsed = text
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as AuditEvent);
    expect(parsed.length).toBe(11);
    expect(parsed.every((e) => e.orgId === "org_b")).toBe(true);
    expect(await collect(exportEvents(query, { actorId: "nobody" }, "csv"))).toEqual([
      `${CSV_COLUMNS.join(",")}\r\n`,
    ]);
  });

  it("refuses a bad filter, scope or format at once, before reading", () => {
    expect(() => exportEvents(query, { scope: { orgId: "org_a" }, orgId: "org_b" }, "csv")).toThrow(
      expect.objectContaining({ code: "forbidden" }),
    );
    expect(() => exportEvents(query, {}, "xlsx" as "csv")).toThrow(
      expect.objectContaining({ code: "input_invalid" }),
    );
    expect(() => exportEvents(query, { bogus: 1 } as object, "csv")).toThrow(
      expect.objectContaining({ code: "input_invalid" }),
    );
    expect(() => exportEvents(query, {}, "csv", { pageSize: 5000 })).toThrow(
      expect.objectContaining({ code: "input_invalid" }),
    );
  });
});
