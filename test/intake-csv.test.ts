import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNumberCrypto } from "../src/lib/crypto.js";
import { createPrisma } from "../src/lib/db.js";
import { CsvFormatError, importCallsCsv, parseCallsCsv } from "../src/intake/csv.js";
import { hashApiKey } from "../src/intake/api-keys.js";
import { createTestContext, type TestContext } from "./support/context.js";
import { createTestDatabase, type TestDatabase } from "./support/db.js";
import { NOW } from "./intake-helpers.js";

const HEADER =
  "externalCallId;callerNumber;agentId;agentName;groupKey;groupName;startedAt;endedAt;queueSeconds;language";

describe("reading call-log CSV files", () => {
  it("reads semicolons, a BOM and local wall-clock times in the organization's zone", () => {
    const text =
      `\uFEFF${HEADER}\n` +
      `c-1;070-174 06 05;a-1;Agent Ett;val-1;Val 1;2026-03-31 09:55:00;2026-03-31 09:59:30;45;sv\n`;
    expect(parseCallsCsv(text, "Europe/Stockholm")).toEqual([
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
    const [row] = parseCallsCsv(text, "Europe/Stockholm");
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
  let db: TestDatabase;
  let ctx: TestContext;

  beforeAll(async () => {
    db = await createTestDatabase();
    if (!process.env.TEST_DATABASE_URL) {
      const serial = createPrisma(db.url, 1);
      const close = db.close;
      db = { ...db, prisma: serial, close: () => serial.$disconnect().then(close) };
    }
    ctx = await createTestContext(db, { now: NOW });
  });
  afterAll(async () => {
    await db?.close();
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

describe("intake commands", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.close();
  });

  const cli = (args: string[], env: Record<string, string>) =>
    promisify(execFile)(process.execPath, ["--import", "tsx", "src/cli.ts", ...args], {
      env: { PATH: process.env.PATH!, NODE_ENV: "test", DATABASE_URL: db.url, ...env },
      timeout: 60_000,
    }).catch((err: { stdout: string; stderr: string; code: number }) => err);

  it("creates an API key that is stored only as a hash, and imports a CSV reporting lines", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "nki-cli-"));
    const env = { DATA_DIR: dataDir, NUMBER_KEY: randomBytes(32).toString("base64"), DEFAULT_ORG_SLUG: "cli-kommun" };
    const created = await cli(["api-key", "create", "--name", "trio"], env);
    const secret = /nki_[\w-]+/.exec(created.stdout)?.[0];
    expect(secret).toBeDefined();
    const key = await db.prisma.apiKey.findUniqueOrThrow({
      where: { hash: hashApiKey(secret!) },
      include: { organization: true },
    });
    expect(key).toMatchObject({ name: "trio", organization: { slug: "cli-kommun" } });

    const file = path.join(dataDir, "calls.csv");
    const end = new Date(Date.now() - 60_000);
    const start = new Date(end.getTime() - 300_000);
    writeFileSync(
      file,
      `${HEADER}\ncli-1;+46701740640;a-1;;val-1;;${start.toISOString()};${end.toISOString()};30;\ncli-2;x;a-1;;val-1;;${end.toISOString()};${start.toISOString()};30;\n`,
    );
    const imported = await cli(["import-csv", file], env);
    expect(imported.stdout).toContain("Accepted 1 row(s), rejected 1.");
    expect(imported.stdout).toContain("line 3: endedAt: is before startedAt");
    expect(imported.stdout).not.toContain("46701740640");
    const stored = await db.prisma.completedCall.findFirstOrThrow({ where: { externalCallId: "cli-1" } });
    expect(createNumberCrypto(Buffer.from(env.NUMBER_KEY, "base64")).hash("+46701740640")).toBe(stored.callerHash);

    const listed = await cli(["api-key", "list"], env);
    expect(listed.stdout).toContain(`${key.id}  ${secret!.slice(0, 8)}…  trio  (created `);
    expect(listed.stdout).not.toContain(secret!);
    expect(((await cli(["api-key", "revoke", "not-an-id"], env)) as { code?: number }).code).toBe(2);
    const revoked = await cli(["api-key", "revoke", key.id], env);
    expect(revoked.stdout).toContain("Revoked.");
    expect((await db.prisma.apiKey.findUniqueOrThrow({ where: { id: key.id } })).revokedAt).not.toBeNull();
    expect((await cli(["api-key", "list"], env)).stdout).toMatch(new RegExp(`${key.id} .*revoked \\d{4}-`));
    expect(((await cli(["api-key", "revoke", key.id], env)) as { code?: number }).code).toBe(1);
  });
});
