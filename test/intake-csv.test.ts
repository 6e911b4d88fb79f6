import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { loadConfig } from "../src/lib/config.js";
import { createNumberCrypto } from "../src/lib/crypto.js";
import { createPrisma } from "../src/lib/db.js";
import { createLogger } from "../src/lib/logger.js";
import { apiKeyCommand, importCsvCommand } from "../src/intake/cli.js";
import { CsvFormatError, decodeCsvFile, importCallsCsv, parseCallsCsv } from "../src/intake/csv.js";
import { hashApiKey } from "../src/intake/api-keys.js";
import { createTestContext, type TestContext } from "./support/context.js";
import { createTestDatabase, type TestDatabase } from "./support/db.js";
import { NOW } from "./intake-helpers.js";

const HEADER =
  "externalCallId;callerNumber;agentId;agentName;groupKey;groupName;startedAt;endedAt;queueSeconds;language";

// One database for every test below that needs one: creating a PGlite database is the slow part.
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  // See test/intake.test.ts: PGlite's socket server needs one connection per client.
  if (!process.env.TEST_DATABASE_URL) {
    const serial = createPrisma(db.url, 1);
    const close = db.close;
    db = { ...db, prisma: serial, close: () => serial.$disconnect().then(close) };
  }
});
afterAll(async () => {
  await db?.close();
});

describe("reading call-log CSV files", () => {
  it("reads semicolons, a BOM and local wall-clock times in the organization's zone", () => {
    const text =
      `\uFEFF${HEADER}\n` +
      `c-1;070-174 06 05;a-1;Agent Ett;val-1;Val 1;2026-03-31 09:55:00;2026-03-31 09:59:30;45;sv\n`;
    expect(parseCallsCsv(text, "Europe/Stockholm").rows).toEqual([
      {
        line: 2,
        call: {
          externalCallId: "c-1",
          callerNumber: "070-174 06 05",
          agent: { externalId: "a-1", name: "Agent Ett" },
          group: { key: "val-1", name: "Val 1" },
          startedAt: "2026-03-31T07:55:00.000Z",
          endedAt: "2026-03-31T07:59:30.000Z",
          queueSeconds: 45,
          language: "sv",
        },
      },
    ]);
  });

  it("keeps ISO times with an offset as they are, and reads commas too", () => {
    const text =
      "externalCallId,callerNumber,agentId,groupKey,startedAt,endedAt,queueSeconds\nc-2,,a-1,val-1,2026-03-31T07:55:00Z,2026-03-31T07:59:00+00:00,0\n";
    const [row] = parseCallsCsv(text, "Europe/Stockholm").rows;
    expect(row.call).toMatchObject({
      callerNumber: "",
      startedAt: "2026-03-31T07:55:00Z",
      endedAt: "2026-03-31T07:59:00+00:00",
      agent: { name: undefined },
    });
  });

  it("names the missing columns", () => {
    expect(() => parseCallsCsv("externalCallId;callerNumber\nx;y\n", "Europe/Stockholm")).toThrow(CsvFormatError);
    expect(() => parseCallsCsv("externalCallId;callerNumber\nx;y\n", "Europe/Stockholm")).toThrow(
      /agentId, groupKey, startedAt, endedAt, queueSeconds/,
    );
  });
});

describe("importing a call log", () => {
  let ctx: TestContext;

  beforeAll(async () => {
    ctx = await createTestContext(db, { now: NOW });
  });

  const csv = [
    HEADER,
    "imp-1;070-174 06 30;a-1;Agent Ett;val-1;Val 1;2026-03-31 09:55:00;2026-03-31 09:59:30;45;sv",
    "imp-2;070-174 06 31;a-1;;val-1;;2026-03-31 09:55:00;2026-03-31 09:50:00;45;",
    "imp-3;anonymous;a-2;;val-2;;2026-03-31 09:50:00;2026-03-31 09:58:00;5;",
    "imp-4;070-174 06 32;;;val-2;;2026-03-31 09:50:00;2026-03-31 09:58:00;five;",
  ].join("\n");

  it("accepts the valid rows like the API and reports the rejected ones by line and column", async () => {
    const report = await importCallsCsv(ctx, ctx.organizationId, csv, "Europe/Stockholm");
    expect(report.accepted.map((a) => [a.line, a.result.decision, a.result.reason])).toEqual([
      [2, "scheduled", null],
      [4, "skipped", "hidden_number"],
    ]);
    expect(report.rejected).toEqual([
      { line: 3, details: [{ field: "endedAt", message: "is before startedAt" }] },
      {
        line: 5,
        details: expect.arrayContaining([
          expect.objectContaining({ field: "agentId" }),
          expect.objectContaining({ field: "queueSeconds" }),
        ]),
      },
    ]);
    const survey = await db.prisma.surveyCall.findFirstOrThrow({
      where: { completedCall: { externalCallId: "imp-1" } },
      include: { completedCall: true },
    });
    expect(survey).toMatchObject({ state: "scheduled", flowId: "nki-sv" });
    expect(ctx.numbers.decrypt(survey.completedCall.callerNumberEnc!)).toBe("+46701740630");
  });

  it("imports the same file again without a second survey", async () => {
    const report = await importCallsCsv(ctx, ctx.organizationId, csv, "Europe/Stockholm");
    expect(report.accepted.every((a) => a.result.duplicate)).toBe(true);
    expect(await db.prisma.surveyCall.count({ where: { completedCall: { externalCallId: "imp-1" } } })).toBe(1);
  });
});

describe("recognising what a file is before reading it as CSV", () => {
  const csvLine = `${HEADER}\nc-1;070-174 06 05;a-1;;val-1;;2026-03-31 09:55:00;2026-03-31 09:59:30;45;\n`;

  it("reads UTF-8 with and without a BOM, the BOM removed", () => {
    expect(decodeCsvFile(Buffer.from(csvLine, "utf8"))).toBe(csvLine);
    expect(decodeCsvFile(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(csvLine, "utf8")]))).toBe(csvLine);
    expect(decodeCsvFile(Buffer.from("åäö;Ö\n", "utf8"))).toBe("åäö;Ö\n");
  });

  it.each([
    ["UTF-16 LE with BOM", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(csvLine, "utf16le")]), /UTF-16/],
    [
      "UTF-16 BE with BOM",
      Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(csvLine, "utf16le").swap16()]),
      /UTF-16/,
    ],
    ["UTF-16 LE without BOM", Buffer.from(csvLine, "utf16le"), /UTF-16/],
    ["an .xlsx spreadsheet", Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 6, 0, 8, 0]), /spreadsheet/],
    ["a binary file", Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0, 0x3e, 0]), /binary/],
    ["Windows-1252 text", Buffer.from([0x6e, 0x61, 0x6d, 0x6e, 0x3b, 0xc5, 0x73, 0x61, 0x0a]), /not UTF-8/],
  ])("says clearly when the file is %s", (_what, bytes, message) => {
    expect(() => decodeCsvFile(bytes)).toThrow(CsvFormatError);
    expect(() => decodeCsvFile(bytes)).toThrow(message);
    expect(() => decodeCsvFile(bytes)).toThrow(/CSV UTF-8/);
  });
});

describe("importing a call log with poison lines", () => {
  let ctx: TestContext;

  beforeAll(async () => {
    ctx = await createTestContext(db, { now: NOW });
  });

  it("reports every bad line with its column and stores every good one, across chunks", async () => {
    const good = (i: number) => `ok-${i};anonymous;a-1;;val-1;;2026-03-31 09:50:00;2026-03-31 09:58:00;5;`;
    const lines = [HEADER];
    for (let i = 0; i < 1_100; i++) lines.push(good(i));
    // Line numbers are 1-based with the header on line 1.
    const poison: [number, string, string][] = [
      [3, "p-year0;anonymous;a-1;;val-1;;0000-01-01T00:00:00Z;2026-03-31 09:58:00;5;", "startedAt"],
      [50, "p-long;anonymous;a-1;;val-1;;2001-01-01T00:00:00Z;2070-01-01T00:00:00Z;5;", "endedAt"],
      [700, "p-nul;anonymous;a\u0000b;;val-1;;2026-03-31 09:50:00;2026-03-31 09:58:00;5;", "agentId"],
      [1_050, 'p-quote;anonymous;a-1;"Agent "Quoted" Name;val-1;;2026-03-31 09:50:00;2026-03-31 09:58:00;5;', "(line)"],
      [1_090, "p-queue;anonymous;a-1;;val-1;;2026-03-31 09:50:00;2026-03-31 09:58:00;99999999999;", "queueSeconds"],
    ];
    for (const [line, text] of poison) lines.splice(line - 1, 0, text);
    const report = await importCallsCsv(ctx, ctx.organizationId, lines.join("\n"), "Europe/Stockholm");
    expect(report.read).toBe(1_105);
    expect(report.accepted).toHaveLength(1_100);
    expect(report.rejected.map((r) => [r.line, r.details[0].field])).toEqual(poison.map(([l, , f]) => [l, f]));
    expect(
      await db.prisma.completedCall.count({
        where: { organizationId: ctx.organizationId, externalCallId: { startsWith: "ok-" } },
      }),
    ).toBe(1_100);
  });

  it("reports a chunk the database refuses line by line instead of crashing", async () => {
    const broken = {
      ...ctx,
      prisma: ctx.prisma,
      numbers: {
        ...ctx.numbers,
        hash: () => {
          throw new Error("database went away while calling 0701740605");
        },
      },
    };
    const text = `${HEADER}\nx-1;070-174 06 05;a-1;;val-1;;2026-03-31 09:50:00;2026-03-31 09:58:00;5;\n`;
    const report = await importCallsCsv(broken, ctx.organizationId, text, "Europe/Stockholm");
    expect(report.accepted).toEqual([]);
    expect(report.rejected).toEqual([
      { line: 2, details: [{ field: "(row)", message: expect.stringContaining("not stored") }] },
    ]);
    expect(JSON.stringify(report)).not.toContain("1740605");
  });
});

describe("intake commands, in process", () => {
  let dataDir: string;
  let env: { config: ReturnType<typeof loadConfig>; logger: ReturnType<typeof createLogger> };
  let out: string[];
  let err: string[];

  beforeAll(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), "nki-cli-"));
    env = {
      config: loadConfig({
        NODE_ENV: "test",
        DATABASE_URL: db.url,
        DATA_DIR: dataDir,
        NUMBER_KEY: randomBytes(32).toString("base64"),
        DEFAULT_ORG_SLUG: "cli-kommun",
      }),
      logger: createLogger("error", { silent: true }),
    };
  });
  const capture = () => {
    out = [];
    err = [];
    vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void out.push(a.join(" ")));
    vi.spyOn(console, "error").mockImplementation((...a: unknown[]) => void err.push(a.join(" ")));
  };
  afterEach(() => vi.restoreAllMocks());

  const file = (name: string, content: string | Buffer) => {
    const f = path.join(dataDir, name);
    writeFileSync(f, content);
    return f;
  };

  it("creates an API key stored only as a hash, lists and revokes it", async () => {
    capture();
    expect(await apiKeyCommand.run(["create", "--name", "trio"], env)).toBe(0);
    const secret = /nki_[\w-]+/.exec(out.join("\n"))?.[0];
    expect(secret).toBeDefined();
    const key = await db.prisma.apiKey.findUniqueOrThrow({
      where: { hash: hashApiKey(secret!) },
      include: { organization: true },
    });
    expect(key).toMatchObject({ name: "trio", organization: { slug: "cli-kommun" } });

    capture();
    expect(await apiKeyCommand.run(["list"], env)).toBe(0);
    expect(out.join("\n")).toContain(`${key.id}  ${secret!.slice(0, 8)}…  trio  (created `);
    expect(out.join("\n")).not.toContain(secret!);
    expect(await apiKeyCommand.run(["revoke", "not-an-id"], env)).toBe(2);
    capture();
    expect(await apiKeyCommand.run(["revoke", key.id], env)).toBe(0);
    expect(out.join("\n")).toContain("Revoked.");
    expect((await db.prisma.apiKey.findUniqueOrThrow({ where: { id: key.id } })).revokedAt).not.toBeNull();
    capture();
    await apiKeyCommand.run(["list"], env);
    expect(out.join("\n")).toMatch(new RegExp(`${key.id} .*revoked \\d{4}-`));
    expect(await apiKeyCommand.run(["revoke", key.id], env)).toBe(1);
  });

  it("exits non-zero and says so for an empty file, a header alone, UTF-16 and binary files", async () => {
    const cases: [string, string | Buffer, RegExp][] = [
      ["empty.csv", "", /No rows/],
      ["header.csv", `${HEADER}\n`, /No rows/],
      ["utf16.csv", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${HEADER}\n`, "utf16le")]), /UTF-16/],
      ["sheet.csv", Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0]), /spreadsheet/],
      ["binary.csv", Buffer.from([1, 2, 0, 0, 0, 7, 0, 9]), /binary/],
    ];
    for (const [name, content, message] of cases) {
      capture();
      expect(await importCsvCommand.run([file(name, content)], env)).toBe(1);
      expect(err.join("\n")).toMatch(message);
    }
  });

  it("reports each rejected line by number and column, never the number, and exits 1", async () => {
    const end = new Date(Date.now() - 60_000);
    const start = new Date(end.getTime() - 300_000);
    const f = file(
      "calls.csv",
      `\uFEFF${HEADER}\nin-1;+46701740641;a-1;;val-1;;${start.toISOString()};${end.toISOString()};30;\n` +
        `in-2;+46701740642;a-1;;val-1;;${end.toISOString()};${start.toISOString()};30;\n` +
        `in-3;+46701740643;a-1;;val-1;;0000-01-01T00:00:00Z;${start.toISOString()};30;\n`,
    );
    capture();
    expect(await importCsvCommand.run([f], env)).toBe(1);
    const text = out.join("\n");
    expect(text).toContain("Accepted 1 row(s), rejected 2.");
    expect(text).toContain("line 3: endedAt: is before startedAt");
    expect(text).toMatch(/line 4: startedAt: must be between 2000-01-01 and 2100-01-01/);
    expect(text).not.toMatch(/174064/);
  });
});

describe("the import-csv command as a process", () => {
  it("is wired to the CLI: imports a file, prints the report and exits 0", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "nki-cli-"));
    const env = { DATA_DIR: dataDir, NUMBER_KEY: randomBytes(32).toString("base64"), DEFAULT_ORG_SLUG: "cli-kommun" };
    const file = path.join(dataDir, "calls.csv");
    const end = new Date(Date.now() - 60_000);
    const start = new Date(end.getTime() - 300_000);
    writeFileSync(file, `${HEADER}\ncli-1;+46701740640;a-1;;val-1;;${start.toISOString()};${end.toISOString()};30;\n`);
    const result = await promisify(execFile)(process.execPath, ["--import", "tsx", "src/cli.ts", "import-csv", file], {
      env: { PATH: process.env.PATH!, NODE_ENV: "test", DATABASE_URL: db.url, ...env },
      timeout: 60_000,
    });
    expect(result.stdout).toContain("Accepted 1 row(s), rejected 0.");
    expect(result.stdout).not.toContain("46701740640");
    const stored = await db.prisma.completedCall.findFirstOrThrow({ where: { externalCallId: "cli-1" } });
    expect(createNumberCrypto(Buffer.from(env.NUMBER_KEY, "base64")).hash("+46701740640")).toBe(stored.callerHash);
  });
});
