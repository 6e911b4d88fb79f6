import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, startTestApp, type TestContext } from "./support/context.js";
import { createTestDatabase, type TestDatabase } from "./support/db.js";
import { call, intakeClient, NOW } from "./intake-helpers.js";

/**
 * Requests an unauthenticated stranger can send that used to end in a 500 with
 * a stack in the log: each now gets a 4xx with the usual JSON error body.
 */
describe("malformed requests are the client's error, not the server's", () => {
  let db: TestDatabase;
  let ctx: TestContext;
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let api: Awaited<ReturnType<typeof intakeClient>>;

  beforeAll(async () => {
    db = await createTestDatabase();
    ctx = await createTestContext(db, { now: NOW });
    app = await startTestApp(ctx);
    api = await intakeClient(ctx, app.url);
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  const unhandled = () => ctx.logs.filter((l) => l.message === "unhandled error" || l.level === "error");

  it.each(["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf"])(
    "answers /queue/assets/%s with 404",
    async (name) => {
      const before = unhandled().length;
      const res = await fetch(`${app.url}/queue/assets/${name}`);
      expect(res.status).toBe(404);
      expect(unhandled()).toHaveLength(before);
    },
  );

  it("still serves the queue's own assets", async () => {
    const res = await fetch(`${app.url}/queue/assets/queue.css`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/css");
  });

  it.each(["gzip", "deflate", "br"])(
    "answers an intake body marked %s that is not compressed with 400 and the JSON error body",
    async (encoding) => {
      const before = unhandled().length;
      const res = await api.post(call(), { "content-encoding": encoding });
      expect(res.status).toBe(400);
      const body = await res.json();
      expect(body.error).toMatchObject({ code: "bad_request", message: expect.stringContaining("body") });
      expect(unhandled()).toHaveLength(before);
    },
  );

  it("answers an unknown content encoding with 415", async () => {
    const res = await api.post(call(), { "content-encoding": "x-zip" });
    expect(res.status).toBe(415);
    expect((await res.json()).error.code).toBe("unsupported_media_type");
  });

  it("still accepts a body that really is gzip-compressed", async () => {
    const res = await fetch(`${app.url}/api/v1/calls/completed`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "content-encoding": "gzip",
        authorization: `Bearer ${api.secret}`,
      },
      body: gzipSync(JSON.stringify(call())),
    });
    expect(res.status).toBe(200);
  });

  it.each(["gzip", "deflate", "br"])(
    "answers a Twilio callback marked %s that is not compressed with 400 before the signature check",
    async (encoding) => {
      const before = unhandled().length;
      const res = await fetch(`${app.url}/twilio/status?surveyId=00000000-0000-4000-8000-000000000000`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", "content-encoding": encoding },
        body: "CallSid=CA1&CallStatus=completed",
      });
      expect(res.status).toBe(400);
      expect((await res.json()).error.code).toBe("bad_request");
      expect(unhandled()).toHaveLength(before);
    },
  );

  it.each(["%ED%A0%80", "%E0", "%FF%FE"])("answers a path parameter that does not decode (%s) with 400", async (p) => {
    const before = unhandled().length;
    const raw = await fetch(`${app.url}/api/v1/calls/${p}`, { headers: { authorization: `Bearer ${api.secret}` } });
    expect(raw.status).toBe(400);
    expect((await raw.json()).error.code).toBe("bad_request");
    expect(unhandled()).toHaveLength(before);
  });
});
