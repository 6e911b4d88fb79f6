import express from "express";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SessionUser } from "../src/auth/middleware.js";
import { realtimeRouter } from "../src/realtime/routes.js";
import { createTestContext, type TestContext } from "./support/context.js";
import { createTestDatabase, type TestDatabase } from "./support/db.js";

describe("the live results stream", () => {
  let db: TestDatabase;
  let ctx: TestContext;
  beforeAll(async () => {
    db = await createTestDatabase();
    ctx = await createTestContext(db);
  });
  afterAll(async () => db?.close());

  it("ends the response when its first snapshot fails, so the browser reconnects instead of waiting on nothing", async () => {
    const user: SessionUser = {
      id: "u1",
      organizationId: ctx.organizationId,
      email: "chef@kommun.example",
      name: "Chef",
      role: "admin",
      agentId: null,
    };
    const app = express();
    app.use((req, _res, next) => {
      req.user = user;
      next();
    });
    app.use(
      realtimeRouter(ctx, () => {
        return Promise.reject(new Error("results query failed"));
      }),
    );
    const server = await new Promise<ReturnType<typeof app.listen>>((r) => {
      const s = app.listen(0, "127.0.0.1", () => r(s));
    });
    try {
      const { port } = server.address() as AddressInfo;
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/results/stream`, {
        signal: AbortSignal.timeout(10_000),
      });
      expect(res.status).toBe(200);
      // Resolves only when the server ends the response (the abort signal fails the test otherwise).
      const body = await res.text();
      expect(body).toBe("retry: 3000\n\n");
      expect(ctx.logs.some((l) => String(l.message).startsWith("results stream: first snapshot failed"))).toBe(true);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
