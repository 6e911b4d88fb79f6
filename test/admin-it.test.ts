import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "./support/db.js";
import { createTestContext, startTestApp, type TestContext } from "./support/context.js";
import { makeGroup, makeUser, TEST_PASSWORD, WebClient } from "./browser/web-client.js";
import { storeAnswers } from "./browser/factories.js";
import { call, NOW } from "./intake-helpers.js";
import { hashApiKey } from "../src/intake/api-keys.js";
import { flushAnswerInbox } from "../src/results/rollup.js";
import { queryResults } from "../src/results/service.js";
import { AUDIT_ACTIONS } from "../src/audit/event-names.js";
import { RESET_LINK_HOURS } from "../src/auth/password-reset.js";

const csrfOf = (page: string) => /name="_csrf" value="([^"]+)"/.exec(page)![1];

describe("IT administration: API keys, svarsgrupper, users, flows", () => {
  let db: TestDatabase;
  let ctx: TestContext;
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let admin: Awaited<ReturnType<typeof makeUser>>;
  let c: WebClient;

  beforeAll(async () => {
    db = await createTestDatabase();
    ctx = await createTestContext(db, { now: NOW });
    app = await startTestApp(ctx);
    admin = await makeUser(ctx, "admin", { name: "Admin Testsson" });
    c = new WebClient(app.url);
    await c.signIn(admin.user.email, TEST_PASSWORD);
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  const intake = (secret: string, body: unknown) =>
    fetch(`${app.url}/api/v1/calls/completed`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${secret}` },
      body: JSON.stringify(body),
    });
  const audited = (action: string, targetId?: string) =>
    db.prisma.auditEvent.count({
      where: { organizationId: ctx.organizationId, action, ...(targetId ? { targetId } : {}) },
    });

  describe("API keys", () => {
    it("shows a new key's secret once, keeps only its hash, records last use, and a revoked key is refused at intake", async () => {
      const page = await (await c.get("/admin/api-keys")).text();
      const res = await c.post("/admin/api-keys", { name: "Telefonisystemet", _csrf: csrfOf(page) });
      expect(res.status).toBe(200);
      expect(res.headers.get("cache-control")).toContain("no-store");
      const secret = /id="k-secret" readonly value="(nki_[^"]+)"/.exec(await res.text())![1];
      const key = await db.prisma.apiKey.findFirstOrThrow({ where: { name: "Telefonisystemet" } });
      expect(key.hash).toBe(hashApiKey(secret));
      expect(key.lastUsedAt).toBeNull();
      // The list shows the prefix, never the secret again.
      const list = await (await c.get("/admin/api-keys")).text();
      expect(list).toContain(`${secret.slice(0, 8)}…`);
      expect(list).not.toContain(secret);

      expect((await intake(secret, call())).status).toBe(200);
      const used = await db.prisma.apiKey.findUniqueOrThrow({ where: { id: key.id } });
      expect(used.lastUsedAt?.toISOString()).toBe(NOW.toISOString());
      expect(await (await c.get("/admin/api-keys")).text()).not.toContain("aldrig");

      const r2 = await c.post(`/admin/api-keys/${key.id}/revoke`, { _csrf: csrfOf(list) });
      expect(r2.status).toBe(303);
      // Revoked on this instance: refused at once, cache or not.
      expect((await intake(secret, call())).status).toBe(401);
      expect(await audited("api-key.create", key.id)).toBe(1);
      expect(await audited("api-key.revoke", key.id)).toBe(1);
      expect(await (await c.get("/admin/audit")).text()).toContain("API-nyckel återkallad");
    });

    it("refuses a key without a name, naming the field in Swedish", async () => {
      const page = await (await c.get("/admin/api-keys")).text();
      const res = await c.post("/admin/api-keys", { name: "  ", _csrf: csrfOf(page) });
      expect(res.status).toBe(400);
      expect(await res.text()).toContain("Namn: måste fyllas i.");
    });
  });

  describe("svarsgrupper", () => {
    it("creates, renames (the telephony system's name no longer replaces it) and refuses a taken key", async () => {
      const page = await (await c.get("/admin/groups")).text();
      expect(
        (await c.post("/admin/groups", { key: "foretag", name: "Företagslotsen", _csrf: csrfOf(page) })).status,
      ).toBe(303);
      const g = await db.prisma.answerGroup.findFirstOrThrow({ where: { key: "foretag" } });
      const dup = await c.post("/admin/groups", { key: "foretag", name: "Igen", _csrf: csrfOf(page) });
      expect(dup.status).toBe(409);
      expect(await dup.text()).toContain("Nyckel: det finns redan en svarsgrupp med nyckeln foretag.");

      expect(
        (await c.post(`/admin/groups/${g.id}/rename`, { name: "Företagslotsen (nytt)", _csrf: csrfOf(page) })).status,
      ).toBe(303);
      const { secret } = await import("../src/intake/api-keys.js").then((m) =>
        m.createApiKey(ctx.prisma, ctx.organizationId, "t"),
      );
      expect((await intake(secret, call({ group: { key: "foretag", name: "Företag" } }))).status).toBe(200);
      expect((await db.prisma.answerGroup.findUniqueOrThrow({ where: { id: g.id } })).name).toBe(
        "Företagslotsen (nytt)",
      );
      expect(await audited("group.rename", g.id)).toBe(1);
    });

    it("merges two groups in one go: answers, surveys, calls and rollups move, sums add on colliding keys, the old key lands in the survivor", async () => {
      const a = await makeGroup(ctx, "merge-a", "Val A");
      const b = await makeGroup(ctx, "merge-b", "Val B");
      const agent = (await makeUser(ctx, "agent", { agentExternalId: "merge-agent" })).agent!;
      const at = new Date("2026-03-30T09:00:00Z");
      const o = { organizationId: ctx.organizationId, agentId: agent.id, at, publish: false };
      // Same day, agent and question in both groups: the rollups' primary keys collide after the move.
      await storeAnswers(ctx, { ...o, groupId: a.id, scores: { bemotande: 5, kunskap: 4 } });
      await storeAnswers(ctx, { ...o, groupId: b.id, scores: { bemotande: 3, kunskap: 2 } });
      await flushAnswerInbox(ctx.prisma);
      // One more in A still in the inbox at merge time.
      await storeAnswers(ctx, { ...o, groupId: a.id, scores: { bemotande: 4 } });

      const page = await (await c.get("/admin/groups")).text();
      // The first press only asks; nothing moves yet.
      const ask = await c.post(`/admin/groups/${a.id}/merge`, { intoId: b.id, _csrf: csrfOf(page) });
      expect(ask.status).toBe(200);
      expect(await ask.text()).toContain("Det går inte att ångra.");
      expect(await db.prisma.answer.count({ where: { groupId: a.id } })).toBe(3);
      const res = await c.post(`/admin/groups/${a.id}/merge`, { intoId: b.id, confirm: "yes", _csrf: csrfOf(page) });
      expect(res.status).toBe(303);
      await flushAnswerInbox(ctx.prisma);

      for (const table of ["answer", "surveyCall", "completedCall"] as const) {
        const delegate = db.prisma[table] as unknown as { count(a: unknown): Promise<number> };
        expect(await delegate.count({ where: { groupId: a.id } })).toBe(0);
      }
      expect(await db.prisma.answer.count({ where: { groupId: b.id } })).toBe(5);
      expect(await db.prisma.answerDaily.count({ where: { groupId: a.id } })).toBe(0);
      expect(await db.prisma.answerMonthly.count({ where: { groupId: a.id } })).toBe(0);
      const bem = await db.prisma.answerDaily.findFirstOrThrow({ where: { groupId: b.id, questionKey: "bemotande" } });
      expect(bem).toMatchObject({ n: 3, sum: 12, sumSq: 50, c3: 1, c4: 1, c5: 1 });
      const month = await db.prisma.answerMonthly.findFirstOrThrow({
        where: { groupId: b.id, questionKey: "kunskap" },
      });
      expect(month).toMatchObject({ n: 2, c2: 1, c4: 1 });

      const viewer = { kind: "system" as const, organizationId: ctx.organizationId };
      const r = await queryResults(ctx, viewer, {
        organizationId: ctx.organizationId,
        from: "2026-03-30",
        to: "2026-03-30",
        by: ["group"],
        exact: true,
      });
      const byKey = Object.fromEntries(r.rows.map((x) => [x.groupKey, x]));
      expect(byKey["merge-a"]).toBeUndefined();
      expect(byKey["merge-b"].n).toBe(5);
      expect(byKey["merge-b"].mean).toBeCloseTo(18 / 5, 10);

      // The telephony system still sends the old key: the call counts for the survivor.
      const { createApiKey } = await import("../src/intake/api-keys.js");
      const { secret } = await createApiKey(ctx.prisma, ctx.organizationId, "t2");
      const ext = call({ group: { key: "merge-a", name: "Val A" } });
      expect((await intake(secret, ext)).status).toBe(200);
      const stored = await db.prisma.completedCall.findFirstOrThrow({ where: { externalCallId: ext.externalCallId } });
      expect(stored.groupId).toBe(b.id);
      const alias = await db.prisma.answerGroup.findUniqueOrThrow({ where: { id: a.id } });
      expect(alias.mergedIntoId).toBe(b.id);
      expect(alias.hiddenAt).not.toBeNull();
      const ev = await db.prisma.auditEvent.findFirstOrThrow({ where: { action: "group.merge", targetId: b.id } });
      expect(ev.detail).toMatchObject({ from: { key: "merge-a" }, moved: { surveys: 2, calls: 2 } });
    });

    it("refuses to merge a group into itself, and changes nothing", async () => {
      const g = await makeGroup(ctx, "self", "Själv");
      const page = await (await c.get("/admin/groups")).text();
      const res = await c.post(`/admin/groups/${g.id}/merge`, { intoId: g.id, _csrf: csrfOf(page) });
      expect(res.status).toBe(400);
      expect(await res.text()).toContain("Slå ihop med:");
      expect((await db.prisma.answerGroup.findUniqueOrThrow({ where: { id: g.id } })).mergedIntoId).toBeNull();
    });

    it("a hidden group leaves per-group comparisons but still counts in the kundcenter total", async () => {
      const h = await makeGroup(ctx, "hidden-g", "Gömd");
      const agent = (await makeUser(ctx, "agent", { agentExternalId: "hidden-agent" })).agent!;
      const at = new Date("2026-02-10T09:00:00Z");
      await storeAnswers(ctx, {
        organizationId: ctx.organizationId,
        groupId: h.id,
        agentId: agent.id,
        at,
        scores: { helhet: 5 },
        publish: false,
      });
      const page = await (await c.get("/admin/groups")).text();
      expect((await c.post(`/admin/groups/${h.id}/hide`, { _csrf: csrfOf(page) })).status).toBe(303);
      const viewer = { kind: "system" as const, organizationId: ctx.organizationId };
      const q = { organizationId: ctx.organizationId, from: "2026-02-10", to: "2026-02-10", exact: true };
      const byGroup = await queryResults(ctx, viewer, { ...q, by: ["group"] });
      expect(byGroup.rows.map((r) => r.groupKey)).not.toContain("hidden-g");
      const total = await queryResults(ctx, viewer, q);
      expect(total.rows[0].n).toBe(1);
      // Named explicitly, its history is still there.
      const own = await queryResults(ctx, viewer, { ...q, group: "hidden-g" });
      expect(own.rows[0].n).toBe(1);
      expect(await audited("group.hide", h.id)).toBe(1);
      expect(await (await c.get("/admin/groups")).text()).toContain("Dold");
    });
  });

  describe("users", () => {
    it("edits name and role; a role change ends the user's sessions", async () => {
      const m = await makeUser(ctx, "manager", { name: "Chef Ett" });
      const other = new WebClient(app.url);
      await other.signIn(m.user.email, TEST_PASSWORD);
      const page = await (await c.get(`/admin/users/${m.user.id}`)).text();
      const res = await c.post(`/admin/users/${m.user.id}`, {
        name: "Chef Två",
        role: "admin",
        agentId: "",
        _csrf: csrfOf(page),
      });
      expect(res.status).toBe(303);
      const u = await db.prisma.user.findUniqueOrThrow({ where: { id: m.user.id } });
      expect(u).toMatchObject({ name: "Chef Två", role: "admin" });
      expect(await db.prisma.session.count({ where: { userId: m.user.id } })).toBe(0);
      const ev = await db.prisma.auditEvent.findFirstOrThrow({ where: { action: "user.update", targetId: m.user.id } });
      expect(ev.detail).toMatchObject({
        name: { from: "Chef Ett", to: "Chef Två" },
        role: { from: "manager", to: "admin" },
      });
    });

    it("refuses an agent role without an agent id, naming the field in Swedish", async () => {
      const m = await makeUser(ctx, "manager");
      const page = await (await c.get(`/admin/users/${m.user.id}`)).text();
      const res = await c.post(`/admin/users/${m.user.id}`, {
        name: "X",
        role: "agent",
        agentId: "",
        _csrf: csrfOf(page),
      });
      expect(res.status).toBe(400);
      expect(await res.text()).toContain(
        "Agent-id i telefonisystemet: en kommunvägledare måste kopplas till sitt agent-id.",
      );
      expect((await db.prisma.user.findUniqueOrThrow({ where: { id: m.user.id } })).role).toBe("manager");
    });

    it("the last active administrator cannot demote or disable themselves", async () => {
      // A fresh organization with exactly one admin.
      const org = await db.prisma.organization.create({ data: { slug: "ensam", name: "Ensam kommun" } });
      const { createUser } = await import("../src/auth/users.js");
      const solo = await createUser(ctx.prisma, {
        organizationId: org.id,
        email: "ensam.admin@kommun.example",
        name: "Ensam Admin",
        role: "admin",
        password: TEST_PASSWORD,
      });
      const s = new WebClient(app.url);
      await s.signIn(solo.email, TEST_PASSWORD);
      const page = await (await s.get(`/admin/users/${solo.id}`)).text();
      const res = await s.post(`/admin/users/${solo.id}`, {
        name: "Ensam Admin",
        role: "manager",
        agentId: "",
        _csrf: csrfOf(page),
      });
      expect(res.status).toBe(409);
      expect(await res.text()).toContain("Det måste finnas minst en aktiv administratör");
      expect((await db.prisma.user.findUniqueOrThrow({ where: { id: solo.id } })).role).toBe("admin");
      const { changeUser } = await import("../src/auth/user-admin.js");
      await expect(changeUser(ctx.prisma, org.id, solo.id, { disabled: true })).rejects.toMatchObject({
        code: "conflict",
      });
      expect((await db.prisma.user.findUniqueOrThrow({ where: { id: solo.id } })).disabledAt).toBeNull();
      // With a second admin the demotion goes through.
      await createUser(ctx.prisma, {
        organizationId: org.id,
        email: "andra.admin@kommun.example",
        name: "Andra",
        role: "admin",
      });
      const again = await s.post(`/admin/users/${solo.id}`, {
        name: "Ensam Admin",
        role: "manager",
        agentId: "",
        _csrf: csrfOf(page),
      });
      expect(again.status).toBe(303);
    });

    it("signs a user out everywhere", async () => {
      const m = await makeUser(ctx, "manager");
      const d1 = new WebClient(app.url);
      const d2 = new WebClient(app.url);
      await d1.signIn(m.user.email, TEST_PASSWORD);
      await d2.signIn(m.user.email, TEST_PASSWORD);
      expect(await db.prisma.session.count({ where: { userId: m.user.id } })).toBe(2);
      const page = await (await c.get(`/admin/users/${m.user.id}`)).text();
      expect(page).toContain("Inloggad på 2 enheter");
      expect((await c.post(`/admin/users/${m.user.id}/sign-out`, { _csrf: csrfOf(page) })).status).toBe(303);
      expect(await db.prisma.session.count({ where: { userId: m.user.id } })).toBe(0);
      expect((await d1.get("/overview")).status).toBe(303);
      const ev = await db.prisma.auditEvent.findFirstOrThrow({
        where: { action: "user.sign-out-everywhere", targetId: m.user.id },
      });
      expect(ev.detail).toEqual({ sessions: 2 });
    });

    it("a reset link sets a new password once; used twice or expired it is refused", async () => {
      const m = await makeUser(ctx, "manager");
      const page = await (await c.get(`/admin/users/${m.user.id}`)).text();
      const res = await c.post(`/admin/users/${m.user.id}/reset-link`, { _csrf: csrfOf(page) });
      expect(res.status).toBe(200);
      const link = /id="reset-link" readonly value="([^"]+)"/.exec(await res.text())![1];
      const token = new URL(link.replace(/&amp;/g, "&")).searchParams.get("token")!;
      expect(await db.prisma.passwordReset.count({ where: { tokenHash: token } })).toBe(0);

      const u = new WebClient(app.url);
      const form = await (await u.get(`/reset-password?token=${token}`)).text();
      const newPw = "ett helt nytt lösenord";
      const set = await u.post("/reset-password", { token, password: newPw, password2: newPw, _csrf: csrfOf(form) });
      expect(set.status).toBe(303);
      expect(set.headers.get("location")).toBe("/login?reset=1");
      expect((await new WebClient(app.url).signIn(m.user.email, newPw)).status).toBe(303);

      // Second use: refused, the password stays.
      const twice = await u.post("/reset-password", {
        token,
        password: "ett tredje lösenord!!",
        password2: "ett tredje lösenord!!",
        _csrf: csrfOf(form),
      });
      expect(twice.status).toBe(400);
      expect(await twice.text()).toContain("Länken har redan använts eller gått ut");
      expect((await new WebClient(app.url).signIn(m.user.email, newPw)).status).toBe(303);
      expect((await u.get(`/reset-password?token=${token}`)).status).toBe(400);

      // An expired link.
      const p2 = await (await c.get(`/admin/users/${m.user.id}`)).text();
      const r2 = await c.post(`/admin/users/${m.user.id}/reset-link`, { _csrf: csrfOf(p2) });
      const t2 = new URL(/id="reset-link" readonly value="([^"]+)"/.exec(await r2.text())![1]).searchParams.get(
        "token",
      )!;
      ctx.setNow(new Date(NOW.getTime() + (RESET_LINK_HOURS + 1) * 3_600_000));
      try {
        expect((await u.get(`/reset-password?token=${t2}`)).status).toBe(400);
      } finally {
        ctx.setNow(NOW);
      }
      expect(await audited("user.password-reset-link", m.user.id)).toBe(2);
      expect(await audited("user.password-reset", m.user.id)).toBe(1);
    });
  });

  describe("flows and the audit page", () => {
    it("shows each flow as its questions and prompts", async () => {
      const res = await c.get("/admin/flows");
      expect(res.status).toBe(200);
      const page = await res.text();
      const flow = ctx.flows.getFlow("nki-sv");
      expect(page).toContain(flow.version);
      expect(page).toContain(flow.questions[0].key);
    });

    it("every audit action the code writes has a Swedish name on the audit page", () => {
      const files: string[] = [];
      const walk = (d: string) => {
        for (const f of readdirSync(d)) {
          const p = path.join(d, f);
          if (statSync(p).isDirectory()) {
            if (f !== "generated") walk(p);
          } else if (p.endsWith(".ts")) files.push(p);
        }
      };
      walk(path.resolve("src"));
      const actions = new Set<string>();
      for (const f of files) {
        const text = readFileSync(f, "utf8");
        for (const m of text.matchAll(/action: "([a-z-]+\.[a-z_.-]+)"/g)) actions.add(m[1]);
      }
      expect(actions.size).toBeGreaterThan(20);
      const missing = [...actions].filter((a) => !AUDIT_ACTIONS.includes(a));
      expect(missing).toEqual([]);
    });
  });
});
