import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "./support/db.js";
import { createTestContext, startTestApp } from "./support/context.js";

describe("health and readiness", () => {
  let db: TestDatabase;
  let app: Awaited<ReturnType<typeof startTestApp>>;
  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(await createTestContext(db));
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it("reports alive, and ready when the database answers with every migration applied", async () => {
    expect(await (await fetch(`${app.url}/healthz`)).json()).toEqual({ status: "ok" });
    const ready = await fetch(`${app.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ready" });
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
