import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPrisma } from "../src/lib/db.js";
import { createTestContext, startTestApp, type TestContext } from "./support/context.js";
import { createTestDatabase, type TestDatabase } from "./support/db.js";
import { fcRuns } from "./support/fc.js";
import { intakeClient, NOW } from "./intake-helpers.js";

/**
 * Property-based fuzzing of the real intake endpoint: generated calls, valid
 * and poisoned, alone and in batches, against the app and its database. Holds:
 * no 5xx; every 4xx and every rejected row names a field; every valid row is
 * accepted; every accepted row is stored exactly once, and no rejected one.
 * Bounded by a count, not by time, so a loaded machine runs the same cases:
 * RUNS bodies by default, more with FC_NUM_RUNS (.ci/run raises it).
 */
const RUNS = fcRuns(50);
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/;
const LONE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

let seq = 0;
const text = (max: number) => fc.string({ unit: "grapheme", maxLength: max });

/** An id intake must accept: unique per run, trimmed, printable. */
const identifier = text(40)
  .map((s) => `${++seq}-${s}`.trim())
  .filter((s) => !CONTROL.test(s) && s.length <= 200);

const validCall = fc
  .record({
    externalCallId: identifier,
    callerNumber: fc.option(
      fc.oneof(
        fc.constantFrom("anonymous", "", "Private", "070-12"),
        fc.integer({ min: 10, max: 99 }).map((n) => `070-174 06 ${n}`),
        fc.integer({ min: 10, max: 99 }).map((n) => `+467017406${n}`),
        fc.stringMatching(/^\+?[0-9 ()-]{0,20}$/),
      ),
      { nil: null },
    ),
    agent: fc.record({
      externalId: fc.constantFrom("a-1", "a-2", "agent ö"),
      name: fc.option(text(60), { nil: undefined }),
    }),
    group: fc.record({ key: fc.constantFrom("val-1", "val-2"), name: fc.option(text(60), { nil: undefined }) }),
    agoSeconds: fc.integer({ min: 10, max: 30 * 86_400 }),
    durationSeconds: fc.integer({ min: 0, max: 36_000 }),
    queueShare: fc.double({ min: 0, max: 1, noNaN: true }),
    language: fc.option(fc.constantFrom("sv", "en", "en-GB", "ar", "so", "fi", "SV"), { nil: undefined }),
  })
  .map(({ agoSeconds, durationSeconds, queueShare, ...c }) => {
    const end = NOW.getTime() - agoSeconds * 1000;
    return {
      ...c,
      startedAt: new Date(end - durationSeconds * 1000).toISOString(),
      endedAt: new Date(end).toISOString(),
      queueSeconds: Math.min(86_400, Math.floor(durationSeconds * queueShare)),
    };
  });

const POISON = [
  "\ud800",
  "a\udfffb",
  "x\u0000y",
  "\u0000",
  "",
  "   ",
  "x".repeat(300),
  2 ** 31,
  -1,
  1.5,
  1e308,
  null,
  true,
  {},
  [],
  [1, "2"],
  "0000-01-01T00:00:00Z",
  "1999-12-31T23:59:59Z",
  "2100-01-01T00:00:00Z",
  "9999-12-31T23:59:59.999Z",
  "2026-02-30T10:00:00Z",
  "2026-03-31T10:00:00",
  "-000001-01-01T00:00:00Z",
  "sv-\ud800",
  { externalId: "\ud800" },
  { key: "k\u0000" },
  { name: "\udc00" },
];
const FIELDS = [
  "externalCallId",
  "callerNumber",
  "agent",
  "agent.externalId",
  "agent.name",
  "group",
  "group.key",
  "group.name",
  "startedAt",
  "endedAt",
  "queueSeconds",
  "language",
];

function setPath(obj: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(obj);
  const keys = path.split(".");
  let o: Record<string, unknown> = copy;
  for (const k of keys.slice(0, -1)) {
    if (typeof o[k] !== "object" || o[k] === null) o[k] = {};
    o = o[k] as Record<string, unknown>;
  }
  o[keys[keys.length - 1]] = value;
  return copy;
}

/** A row, and whether intake must accept it. */
const row = fc.oneof(
  { weight: 5, arbitrary: validCall.map((c) => ({ body: c, valid: true })) },
  {
    weight: 4,
    arbitrary: fc
      .tuple(
        validCall,
        fc.array(fc.tuple(fc.constantFrom(...FIELDS), fc.constantFrom(...POISON)), { minLength: 1, maxLength: 3 }),
      )
      .map(([c, edits]) => ({
        body: edits.reduce((acc, [f, v]) => setPath(acc, f, v), c as Record<string, unknown>),
        valid: false,
      })),
  },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => ({ body: v, valid: false })) },
);

const request = fc.oneof(
  row.map((r) => ({ single: true, rows: [r] })),
  fc.array(row, { minLength: 10, maxLength: 100, size: "max" }).map((rows) => ({ single: false, rows })),
);

interface ErrorBody {
  error: { code: string; message: string; details?: { field?: string; message: string }[] };
}

describe("intake holds under generated input", () => {
  let db: TestDatabase;
  let ctx: TestContext;
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let api: Awaited<ReturnType<typeof intakeClient>>;

  beforeAll(async () => {
    db = await createTestDatabase();
    // See test/intake.test.ts: PGlite's socket server needs one connection per client.
    if (!process.env.TEST_DATABASE_URL) {
      const serial = createPrisma(db.url, 1);
      const close = db.close;
      db = { ...db, prisma: serial, close: () => serial.$disconnect().then(close) };
    }
    ctx = await createTestContext(db, { now: NOW });
    app = await startTestApp(ctx);
    api = await intakeClient(ctx, app.url);
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it(
    "no 5xx, every refusal names a field, every valid row stored exactly once",
    { timeout: 60_000 + RUNS * 500 },
    async () => {
      const accepted = new Set<string>();
      let bodies = 0;
      let rows = 0;
      await fc.assert(
        fc.asyncProperty(request, async ({ single, rows: generated }) => {
          bodies++;
          rows += generated.length;
          const res = await api.post(single ? generated[0].body : { calls: generated.map((r) => r.body) });
          expect(res.status).toBeLessThan(500);
          const body = (await res.json()) as Record<string, unknown>;
          if (res.status >= 400) {
            const { error } = body as unknown as ErrorBody;
            expect(error.details?.length).toBeGreaterThan(0);
            for (const d of error.details!) expect(d.field).toMatch(/\S/);
            // A single valid call is never refused.
            if (single) expect(generated[0].valid).toBe(false);
            return;
          }
          if (single) {
            expect(body.decision).toMatch(/^(scheduled|skipped)$/);
            accepted.add(body.externalCallId as string);
            return;
          }
          const results = body.results as {
            index: number;
            externalCallId?: string;
            decision?: string;
            error?: ErrorBody["error"];
          }[];
          expect(results).toHaveLength(generated.length);
          for (const r of results) {
            if (r.error) {
              expect(generated[r.index].valid).toBe(false);
              expect(r.error.details!.length).toBeGreaterThan(0);
              for (const d of r.error.details!) expect(d.field).toMatch(new RegExp(`^calls\\.${r.index}(\\.|$)`));
            } else {
              expect(r.decision).toMatch(/^(scheduled|skipped)$/);
              accepted.add(r.externalCallId!);
            }
          }
        }),
        { numRuns: RUNS },
      );
      expect(bodies).toBe(RUNS);
      const stored = await db.prisma.completedCall.groupBy({
        by: ["externalCallId"],
        where: { organizationId: ctx.organizationId },
        _count: true,
      });
      // Exactly the accepted rows, each once: nothing refused was stored, nothing accepted lost.
      expect(stored.filter((s) => s._count !== 1)).toEqual([]);
      expect(new Set(stored.map((s) => s.externalCallId))).toEqual(accepted);
      for (const id of accepted) expect(LONE.test(id) || id.includes("\u0000")).toBe(false);
      console.log(`intake fuzz: ${bodies} bodies, ${rows} generated rows, ${accepted.size} stored`);
    },
  );
});
