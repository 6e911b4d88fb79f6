import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "./support/db.js";
import { createTestContext, startTestApp, type TestContext } from "./support/context.js";
import { makeGroup, makeUser, TEST_PASSWORD, WebClient } from "./browser/web-client.js";
import { seedSurveys, storeAnswers } from "./browser/factories.js";

const NOW = new Date("2026-03-04T10:00:00Z"); // Wednesday of ISO week 10, tertial P1

/**
 * Reads Server-Sent Events from a fetch response one at a time: each `next()` waits for the
 * next event (the test's timeout bounds it), so nothing here depends on how loaded the machine is.
 */
function eventReader(res: Response) {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buf = "";
  return {
    async next(): Promise<{ event: string; data: any }> {
      for (;;) {
        let i;
        while ((i = buf.indexOf("\n\n")) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event && data) return { event, data: JSON.parse(data) };
        }
        const chunk = await reader.read();
        if (chunk.done) throw new Error("the event stream ended");
        buf += decoder.decode(chunk.value, { stream: true });
      }
    },
    close: () => reader.cancel(),
  };
}

describe("the web app's pages and access rules", () => {
  let db: TestDatabase;
  let ctx: TestContext;
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let agentA: Awaited<ReturnType<typeof makeUser>>;
  let agentB: Awaited<ReturnType<typeof makeUser>>;
  let manager: Awaited<ReturnType<typeof makeUser>>;
  let groupId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    ctx = await createTestContext(db, { now: NOW });
    app = await startTestApp(ctx);
    groupId = (await makeGroup(ctx, "val1", "Val 1 – Socialt stöd")).id;
    agentA = await makeUser(ctx, "agent", { name: "Agent Alfa" });
    agentB = await makeUser(ctx, "agent", { name: "Agent Beta" });
    manager = await makeUser(ctx, "manager");
    await makeUser(ctx, "admin");
    const base = { organizationId: ctx.organizationId, groupId };
    await seedSurveys(ctx, {
      ...base,
      agentId: agentA.agent!.id,
      from: new Date("2026-03-02T08:00:00Z"),
      n: 14,
      level: 4.2,
    });
    await seedSurveys(ctx, {
      ...base,
      agentId: agentB.agent!.id,
      from: new Date("2026-03-03T08:00:00Z"),
      n: 12,
      level: 3.4,
    });
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it("gives an anonymous visitor nothing but the sign-in page", async () => {
    const c = new WebClient(app.url);
    for (const path of ["/", "/me", "/overview", "/admin", "/admin/users", "/admin/audit"]) {
      const res = await c.get(path);
      expect(res.status, path).toBe(303);
      expect(res.headers.get("location"), path).toMatch(/^\/login/);
    }
    const api = await c.get("/api/v1/results/stream", { accept: "text/event-stream" });
    expect(api.status).toBe(401);
    expect((await api.json()).error.code).toBe("unauthorized");
    const login = await c.get("/login");
    expect(login.status).toBe(200);
    expect(await login.text()).toContain('name="password"');
  });

  it("gives the live page's script its texts in the viewer's language, rendered by the server (live.js has none)", async () => {
    const c = new WebClient(app.url);
    await c.signIn(agentA.user.email, TEST_PASSWORD);
    const attrs = (page: string) =>
      Object.fromEntries(
        [...page.matchAll(/data-(connected|label|new-mine|my-nki)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
      );
    const sv = attrs(await (await c.get("/me")).text());
    expect(sv).toMatchObject({ "new-mine": "Nytt svar om ditt samtal", "my-nki": expect.stringMatching(/^Mitt NKI/) });
    expect(sv.connected).toBeTruthy();
    await c.get("/lang/en?next=/me");
    const en = attrs(await (await c.get("/me")).text());
    expect(en).toMatchObject({
      "new-mine": "New answer about your call",
      "my-nki": "My NKI",
      label: "Last updated",
    });
    expect(en.connected).not.toBe(sv.connected);
    const script = readFileSync(path.resolve(import.meta.dirname, "../src/web/assets/live.js"), "utf8")
      .split("\n")
      .filter((l) => !l.trim().startsWith("//"))
      .join("\n");
    expect(script).not.toMatch(/[åäöÅÄÖ]|Nytt svar|New answer|Senast|Last updated/);
  });

  it("shows an agent their own results per question with n and intervals, against group and organization", async () => {
    const c = new WebClient(app.url);
    await c.signIn(agentA.user.email, TEST_PASSWORD);
    const res = await c.get("/me");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("Mina resultat");
    expect(html).toContain("Agent Alfa");
    // 14 surveys × 6 questions: n counts answers, and NKI totalt leaves question 7 (rekommendera) out by default
    expect(html).toMatch(/data-testid="n-week">84</);
    expect(html).toContain("Bemötande");
    expect(html).toContain("Val 1 – Socialt stöd"); // the group compared with
    expect(html).toMatch(/\(\d,\d\d–\d,\d\d\)/); // a confidence interval, Swedish decimals
    expect(html).not.toContain("Agent Beta");
  });

  it("lets an agent read their own results through the API with their session, never another agent's", async () => {
    const c = new WebClient(app.url);
    await c.signIn(agentA.user.email, TEST_PASSWORD);
    const own = await c.get(`/api/v1/results?period=2026-W10&agent=${agentA.agent!.id}`, {
      accept: "application/json",
    });
    expect(own.status).toBe(200);
    expect((await own.json()).rows[0].n).toBeGreaterThan(0);
    for (const q of [`agent=${agentB.agent!.id}`, `agent=${agentB.agent!.externalId}`, "by=agent"]) {
      const res = await c.get(`/api/v1/results?period=2026-W10&${q}`, { accept: "application/json" });
      expect(res.status, q).toBe(403);
    }
    const anonymous = await new WebClient(app.url).get("/api/v1/results?period=2026-W10", {
      accept: "application/json",
    });
    expect(anonymous.status).toBe(401);
  });

  it("keeps agents out of the manager's and admin's pages", async () => {
    const c = new WebClient(app.url);
    await c.signIn(agentA.user.email, TEST_PASSWORD);
    for (const path of ["/overview", "/admin", "/admin/audit"]) {
      const res = await c.get(path);
      expect(res.status, path).toBe(403);
      expect(await res.text()).toContain("Ingen behörighet");
    }
  });

  it("shows the manager every svarsgrupp and agent with targets", async () => {
    await db.prisma.target.create({
      data: {
        organizationId: ctx.organizationId,
        questionKey: "overall",
        metric: "mean",
        threshold: 3.9,
        validFrom: new Date("2026-01-01"),
      },
    });
    const c = new WebClient(app.url);
    await c.signIn(manager.user.email, TEST_PASSWORD);
    const html = await (await c.get("/overview")).text();
    expect(html).toContain("Val 1 – Socialt stöd");
    expect(html).toContain("Agent Alfa");
    expect(html).toContain("Agent Beta");
    expect(html).toMatch(/mål nått|under mål/);
    expect(html).toContain('href="/queue"');
    expect(html).toContain('href="/reports/weekly"');
    expect(html).toContain('data-testid="funnel"');
    expect(html).toContain("Coachningssignaler");
    expect((await c.get("/admin")).status).toBe(403);
  });

  // Pushed by the answer's event, not by polling: the update is the stream's next event after the store.
  it("streams an agent's updated results when a new answer is stored, and says it was theirs", async () => {
    const c = new WebClient(app.url);
    await c.signIn(agentA.user.email, TEST_PASSWORD);
    const res = await fetch(`${app.url}/api/v1/results/stream?p=week`, {
      headers: { cookie: c.cookieHeader(), accept: "text/event-stream" },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const stream = eventReader(res);
    // The first event is the snapshot, sent once the stream is subscribed to new answers.
    const events = [await stream.next()];
    await storeAnswers(ctx, {
      organizationId: ctx.organizationId,
      groupId,
      agentId: agentA.agent!.id,
      at: new Date("2026-03-04T09:59:00Z"),
      scores: { bemotande: 5, kunskap: 5 },
    });
    events.push(await stream.next());
    await stream.close();
    expect(events[0].data.answers).toBe(0);
    expect(events[0].data.results.html).toMatch(/data-testid="n-week">84</);
    expect(events[1].data).toMatchObject({ answers: 2, mine: true });
    expect(events[1].data.results.html).toMatch(/data-testid="n-week">86</);
  });

  it("never streams another agent's individual results to an agent", async () => {
    const c = new WebClient(app.url);
    await c.signIn(agentB.user.email, TEST_PASSWORD);
    const res = await fetch(`${app.url}/api/v1/results/stream?p=week`, { headers: { cookie: c.cookieHeader() } });
    const stream = eventReader(res);
    const events = [await stream.next()];
    await storeAnswers(ctx, {
      organizationId: ctx.organizationId,
      groupId,
      agentId: agentA.agent!.id,
      at: new Date("2026-03-04T09:59:30Z"),
      scores: { bemotande: 1 },
    });
    events.push(await stream.next());
    await stream.close();
    expect(events[1].data).toMatchObject({ answers: 1, mine: false });
    const html: string = events[1].data.results.html;
    expect(html).toMatch(/data-testid="n-week">72</); // still B's own count (12 surveys × 6 questions in NKI totalt)
    expect(html).not.toContain("Agent Alfa");
  });
});
