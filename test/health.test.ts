import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "./support/db.js";
import { createTestContext, startTestApp, type TestContext } from "./support/context.js";
import { markDispatcherTick, stopDispatcher } from "../src/dispatch/dispatcher.js";

describe("health and readiness", () => {
  let db: TestDatabase;
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let ctx: TestContext;
  beforeAll(async () => {
    db = await createTestDatabase();
    ctx = await createTestContext(db);
    app = await startTestApp(ctx);
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it("reports alive, and ready when the database answers with every migration applied", async () => {
    expect(await (await fetch(`${app.url}/healthz`)).json()).toEqual({ status: "ok" });
    const ready = await fetch(`${app.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: "ready",
      checks: { database: "ok", migrations: "ok", storage: "ok", dispatcher: "not-running" },
    });
  });

  it("is not ready when the storage fails its probe, the dispatcher's tick is stale, or it is stopping", async () => {
    // Each on its own context and app: the storage probe's result is cached per app.
    const broken = await createTestContext(db);
    broken.storage = {
      ...broken.storage,
      probe: () => Promise.reject(new Error("disk full")),
    };
    const a = await startTestApp(broken);
    try {
      const res = await fetch(`${a.url}/readyz`);
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ status: "storage-unavailable", checks: { storage: "failed" } });
    } finally {
      await a.close();
    }

    const t0 = new Date("2026-03-02T10:00:00Z");
    ctx.setNow(t0);
    markDispatcherTick(ctx);
    ctx.setNow(new Date(t0.getTime() + 10_000));
    expect((await fetch(`${app.url}/readyz`)).status).toBe(200);
    ctx.setNow(new Date(t0.getTime() + 31_000));
    const stale = await fetch(`${app.url}/readyz`);
    expect(stale.status).toBe(503);
    expect(await stale.json()).toMatchObject({ status: "dispatcher-unavailable" });

    stopDispatcher(ctx);
    const stopping = await fetch(`${app.url}/readyz`);
    expect(stopping.status).toBe(503);
    expect(await stopping.json()).toEqual({ status: "stopping" });
  });

  it("serves an OpenAPI 3.1 document", async () => {
    const doc = await (await fetch(`${app.url}/api/openapi.json`)).json();
    expect(doc.openapi).toBe("3.1.0");
  });

  it("answers unknown API paths with the error body", async () => {
    const res = await fetch(`${app.url}/api/v1/nope`);
    expect(res.status).toBe(404);
    expect((await res.json()).error.code).toBe("not_found");
  });
});
