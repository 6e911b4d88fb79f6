import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createPrisma } from "../src/lib/db.js";
import { API_KEY_CACHE_MS, hashApiKey, revokeApiKey } from "../src/intake/api-keys.js";
import { createTestContext, startTestApp, type TestContext } from "./support/context.js";
import { createTestDatabase, type TestDatabase } from "./support/db.js";
import { call, intakeClient, NOW } from "./intake-helpers.js";

describe("intake rejects bad input clearly and loses nothing valid", () => {
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
  beforeEach(() => ctx.setNow(NOW));

  const countCalls = () => db.prisma.completedCall.count({ where: { organizationId: ctx.organizationId } });

  it("answers malformed JSON with invalid_json", async () => {
    const res = await api.post('{"externalCallId": "x",');
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe("invalid_json");
  });

  it("refuses a body that is not JSON with 415", async () => {
    const res = await api.post(JSON.stringify(call()), { "content-type": "text/plain" });
    expect(res.status).toBe(415);
    expect((await res.json()).error.code).toBe("unsupported_media_type");
  });

  it("refuses a body over 1 MB with 413", async () => {
    const calls = Array.from({ length: 900 }, () => call({ agent: { externalId: "a", name: "x".repeat(1_200) } }));
    const before = await countCalls();
    const res = await api.post({ calls });
    expect(res.status).toBe(413);
    expect((await res.json()).error.code).toBe("payload_too_large");
    expect(await countCalls()).toBe(before);
  });

  it("refuses a missing, wrong or revoked API key", async () => {
    const missing = await api.post(call(), { authorization: "" });
    expect(missing.status).toBe(401);
    expect((await missing.json()).error.code).toBe("unauthorized");
    expect((await api.post(call(), { authorization: "Bearer nki_not-a-real-key-000000000000" })).status).toBe(401);
    expect((await api.get("x", { authorization: "Basic dXNlcjpwYXNz" })).status).toBe(401);
    const other = await intakeClient(ctx, app.url);
    await db.prisma.apiKey.updateMany({ where: { hash: hashApiKey(other.secret) }, data: { revokedAt: NOW } });
    expect((await other.post(call())).status).toBe(401);
  });

  it("refuses a key revoked here at once, and one revoked by another instance once its cache entry expires", async () => {
    const here = await intakeClient(ctx, app.url);
    expect((await here.post(call())).status).toBe(200);
    const { id } = await db.prisma.apiKey.findUniqueOrThrow({ where: { hash: hashApiKey(here.secret) } });
    expect(await revokeApiKey(db.prisma, ctx.organizationId, id, NOW)).toBe(true);
    expect((await here.post(call())).status).toBe(401);

    const elsewhere = await intakeClient(ctx, app.url);
    expect((await elsewhere.post(call())).status).toBe(200);
    // Another instance (or the CLI) revokes it: this instance still knows the key as valid for a moment.
    await db.prisma.apiKey.updateMany({ where: { hash: hashApiKey(elsewhere.secret) }, data: { revokedAt: NOW } });
    ctx.setNow(new Date(NOW.getTime() + API_KEY_CACHE_MS + 1));
    const refused = await elsewhere.post(call());
    expect(refused.status).toBe(401);
    expect((await refused.json()).error.message).toBe("Unknown or revoked API key");
  });

  it("refuses a batch over 1,000 calls, naming the field", async () => {
    const calls = Array.from({ length: 1001 }, () => ({ externalCallId: "x" }));
    const res = await api.post({ calls });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.code).toBe("validation_failed");
    expect(body.error.details[0]).toMatchObject({ field: "calls", message: expect.stringContaining("1000") });
  });

  it("keeps the valid rows of a batch and reports the invalid ones by index and field", async () => {
    const good = [call({ callerNumber: "070-174 06 21" }), call({ callerNumber: "anonymous" })];
    const res = await api.post({
      calls: [good[0], { ...call(), endedAt: "yesterday" }, good[1], { ...call(), agent: {} }],
    });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ accepted: 2, rejected: 2 });
    expect(body.results[0]).toMatchObject({ index: 0, decision: "scheduled" });
    expect(body.results[1]).toMatchObject({
      index: 1,
      error: { code: "validation_failed", details: [{ field: "calls.1.endedAt" }] },
    });
    expect(body.results[2]).toMatchObject({ index: 2, decision: "skipped", reason: "hidden_number" });
    expect(body.results[3].error.details[0].field).toBe("calls.3.agent.externalId");
    const stored = await db.prisma.completedCall.findMany({
      where: { externalCallId: { in: good.map((g) => g.externalCallId) } },
    });
    expect(stored).toHaveLength(2);
  });

  it.each([
    ["invalid_number", "070-12"],
    ["hidden_number", ""],
    ["hidden_number", "Private"],
    ["foreign_number", "+1 212 555 0100"],
  ])("skips with %s for the number %j", async (reason, callerNumber) => {
    const res = await api.post(call({ callerNumber }));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ decision: "skipped", reason });
  });

  it("refuses a call that ends before it starts", async () => {
    const res = await api.post(call({ startedAt: "2026-03-31T07:50:00Z", endedAt: "2026-03-31T07:40:00Z" }));
    expect(res.status).toBe(400);
    expect((await res.json()).error.details).toEqual([{ field: "endedAt", message: "is before startedAt" }]);
  });

  it("refuses timestamps in the future beyond a few minutes of clock skew", async () => {
    const res = await api.post(call({ startedAt: "2026-03-31T09:00:00Z", endedAt: "2026-03-31T09:10:00Z" }));
    expect(res.status).toBe(400);
    expect((await res.json()).error.details.map((d: { field: string }) => d.field)).toEqual(["startedAt", "endedAt"]);
    // Two minutes ahead is clock skew, not an error.
    const skewed = await api.post(call({ startedAt: "2026-03-31T07:58:00Z", endedAt: "2026-03-31T08:02:00Z" }));
    expect(skewed.status).toBe(200);
  });

  it("refuses times without a time zone", async () => {
    const res = await api.post(call({ startedAt: "2026-03-31 07:58:00" }));
    expect((await res.json()).error.details[0]).toMatchObject({
      field: "startedAt",
      message: expect.stringContaining("offset"),
    });
  });

  it("ignores unknown fields and accepts the call", async () => {
    const c = call({ callerNumber: "070-174 06 20", trunk: "sip-2", agent: { externalId: "agent-17", team: "A" } });
    const res = await api.post(c);
    expect(res.status).toBe(200);
    expect((await res.json()).decision).toBe("scheduled");
  });

  it("refuses overlong identifiers and names, naming the field", async () => {
    const res = await api.post(
      call({ externalCallId: "x".repeat(201), group: { key: "val-1", name: "y".repeat(500) } }),
    );
    expect(res.status).toBe(400);
    expect((await res.json()).error.details.map((d: { field: string }) => d.field).sort()).toEqual([
      "externalCallId",
      "group.name",
    ]);
  });

  it("strips control and bidi characters from names, and refuses them in identifiers", async () => {
    const res = await api.post(
      call({
        agent: { externalId: "agent-ctl", name: "  Kim\u0001 \u202eBerg\n\tsson " },
        group: { key: "val-2", name: "Val 2\u0007" },
      }),
    );
    expect(res.status).toBe(200);
    const agent = await db.prisma.agent.findFirstOrThrow({
      where: { organizationId: ctx.organizationId, externalId: "agent-ctl" },
    });
    expect(agent.name).toBe("Kim Berg sson");
    const group = await db.prisma.answerGroup.findFirstOrThrow({
      where: { organizationId: ctx.organizationId, key: "val-2" },
    });
    expect(group.name).toBe("Val 2");
    const bad = await api.post(call({ externalCallId: "abc\u0007def" }));
    expect((await bad.json()).error.details[0]).toEqual({
      field: "externalCallId",
      message: "must not contain control characters",
    });
  });

  it("refuses a body that is neither a call nor a batch", async () => {
    const res = await api.post([call()]);
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe("validation_failed");
  });

  // Values that are valid JSON but that PostgreSQL refuses (or overflows on): each must be a 400 for its row only.
  const POISON: [string, string, (c: ReturnType<typeof call>) => Record<string, unknown>][] = [
    ["a lone high surrogate in externalCallId", "externalCallId", (c) => ({ ...c, externalCallId: "x\ud800" })],
    ["a lone low surrogate in the agent id", "agent.externalId", (c) => ({ ...c, agent: { externalId: "\udc00a" } })],
    [
      "a lone surrogate in the agent name",
      "agent.name",
      (c) => ({ ...c, agent: { externalId: "a1", name: "A\ud83d" } }),
    ],
    ["a lone surrogate in the group key", "group.key", (c) => ({ ...c, group: { key: "\ud800" } })],
    ["a lone surrogate in the group name", "group.name", (c) => ({ ...c, group: { key: "g", name: "\udfff" } })],
    ["NUL in the agent name", "agent.name", (c) => ({ ...c, agent: { externalId: "a1", name: "Kim\u0000" } })],
    ["NUL in the group name", "group.name", (c) => ({ ...c, group: { key: "g", name: "\u0000" } })],
    ["NUL in externalCallId", "externalCallId", (c) => ({ ...c, externalCallId: "ab\u0000" })],
    ["a lone surrogate in the number", "callerNumber", (c) => ({ ...c, callerNumber: "070\ud800" })],
    ["NUL in the number", "callerNumber", (c) => ({ ...c, callerNumber: "070\u0000174" })],
    ["a start in year 0000", "startedAt", (c) => ({ ...c, startedAt: "0000-01-01T00:00:00Z" })],
    ["a start in 1999", "startedAt", (c) => ({ ...c, startedAt: "1999-12-31T23:59:59Z" })],
    ["an end in 2100", "endedAt", (c) => ({ ...c, endedAt: "2100-01-01T00:00:00Z" })],
    [
      "a call of 69 years",
      "endedAt",
      (c) => ({ ...c, startedAt: "2001-01-01T00:00:00Z", endedAt: "2070-01-01T00:00:00Z" }),
    ],
    ["a queue time past int4", "queueSeconds", (c) => ({ ...c, queueSeconds: 2 ** 31 })],
    ["a fractional queue time", "queueSeconds", (c) => ({ ...c, queueSeconds: 1.5 })],
    ["an overlong language tag", "language", (c) => ({ ...c, language: `sv${"-abcdefgh".repeat(10)}` })],
  ];

  it.each(POISON)("refuses %s with 400 naming %s", async (_what, field, poison) => {
    const res = await api.post(poison(call()));
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.code).toBe("validation_failed");
    expect(body.error.details.map((d: { field: string }) => d.field)).toContain(field);
  });

  it("stores every valid row of a batch around poison rows and names each bad row's index and field", async () => {
    const calls: Record<string, unknown>[] = [];
    const expected = new Map<number, string>();
    for (const [, field, poison] of POISON) {
      calls.push(call({ callerNumber: "anonymous" }));
      expected.set(calls.length, field);
      calls.push(poison(call()));
    }
    const before = await countCalls();
    const res = await api.post({ calls });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ accepted: POISON.length, rejected: POISON.length });
    for (const r of body.results as { index: number; error?: { details: { field: string }[] } }[]) {
      const field = expected.get(r.index);
      if (field === undefined) expect(r.error).toBeUndefined();
      else expect(r.error?.details.map((d) => d.field)).toContain(`calls.${r.index}.${field}`);
    }
    expect(await countCalls()).toBe(before + POISON.length);
  });

  it("names the row when a batch element is not an object", async () => {
    const res = await api.post({ calls: [call(), 7, null] });
    const body = await res.json();
    expect(body).toMatchObject({ accepted: 1, rejected: 2 });
    expect(body.results[1].error.details[0].field).toBe("calls.1");
    expect(body.results[2].error.details[0].field).toBe("calls.2");
  });

  it("answers 404, not 500, for a status request with an id that cannot be stored", async () => {
    expect((await api.get("ab\u0000c")).status).toBe(404);
    expect((await api.get("x".repeat(300))).status).toBe(404);
  });
});
