import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "./support/db.js";
import { createTestContext, startTestApp, type TestContext } from "./support/context.js";
import { makeGroup, makeUser, TEST_PASSWORD, WebClient } from "./browser/web-client.js";
import { orgSettingsSchema } from "../src/organizations/settings.js";
import { hashSessionId } from "../src/auth/sessions.js";

describe("admin pages: configuration that is validated, CSRF-protected and audited", () => {
  let db: TestDatabase;
  let ctx: TestContext;
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let admin: Awaited<ReturnType<typeof makeUser>>;
  let c: WebClient;

  beforeAll(async () => {
    db = await createTestDatabase();
    ctx = await createTestContext(db);
    app = await startTestApp(ctx);
    admin = await makeUser(ctx, "admin");
    c = new WebClient(app.url);
    await c.signIn(admin.user.email, TEST_PASSWORD);
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  const settingsForm = (over: Record<string, string> = {}) => ({
    samplePercent: "25",
    callingHours: "mon-fri 09:00-18:00",
    skipPublicHolidays: "on",
    surveyDelaySeconds: "90",
    minAnswersForResult: "12",
    audioRetentionDaysAfterReview: "60",
    nkiQuestion: "all-questions",
    ...over,
  });

  it("saves organization settings and records who changed what", async () => {
    const csrf = await c.csrfFrom("/admin");
    const res = await c.post("/admin/settings", { ...settingsForm(), _csrf: csrf });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/admin?saved=1");
    const org = await db.prisma.organization.findUniqueOrThrow({ where: { id: ctx.organizationId } });
    const s = orgSettingsSchema.parse(org.settings);
    expect(s).toMatchObject({
      sampleRate: 0.25,
      callingHours: "mon-fri 09:00-18:00",
      surveyDelaySeconds: 90,
      minAnswersForResult: 12,
      audioRetentionDaysAfterReview: 60,
    });
    const ev = await db.prisma.auditEvent.findFirstOrThrow({
      where: { organizationId: ctx.organizationId, action: "settings.update" },
    });
    expect(ev.actorUserId).toBe(admin.user.id);
    expect(ev.detail).toMatchObject({ sampleRate: { from: 1, to: 0.25 }, callingHours: { to: "mon-fri 09:00-18:00" } });
    // The audit log page shows it.
    expect(await (await c.get("/admin/audit")).text()).toContain("Inställningar ändrade");
  });

  it("refuses unreadable calling hours with the reason, and changes nothing", async () => {
    const before = (await db.prisma.organization.findUniqueOrThrow({ where: { id: ctx.organizationId } })).settings;
    const csrf = await c.csrfFrom("/admin");
    const res = await c.post("/admin/settings", { ...settingsForm({ callingHours: "weekdays 9-5" }), _csrf: csrf });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/callingHours/);
    expect((await db.prisma.organization.findUniqueOrThrow({ where: { id: ctx.organizationId } })).settings).toEqual(
      before,
    );
  });

  it("refuses a change without the session's CSRF token", async () => {
    const res = await c.post("/admin/settings", { ...settingsForm({ samplePercent: "99" }), _csrf: "x".repeat(43) });
    expect(res.status).toBe(403);
    const cross = await c.post(
      "/admin/settings",
      { ...settingsForm({ samplePercent: "99" }), _csrf: await c.csrfFrom("/admin") },
      { origin: "https://evil.example" },
    );
    expect(cross.status).toBe(403);
    const s = orgSettingsSchema.parse(
      (await db.prisma.organization.findUniqueOrThrow({ where: { id: ctx.organizationId } })).settings,
    );
    expect(s.sampleRate).not.toBe(0.99);
  });

  it("overrides sampling for one svarsgrupp and clears it again", async () => {
    const g = await makeGroup(ctx, "val2", "Val 2");
    let csrf = await c.csrfFrom("/admin");
    await c.post(`/admin/groups/${g.id}`, {
      name: "Val 2 – Skola",
      samplePercent: "50",
      callingHours: "",
      _csrf: csrf,
    });
    let row = await db.prisma.answerGroup.findUniqueOrThrow({ where: { id: g.id } });
    expect(row.name).toBe("Val 2 – Skola");
    expect(row.settings).toEqual({ sampleRate: 0.5 });
    csrf = await c.csrfFrom("/admin");
    await c.post(`/admin/groups/${g.id}`, { name: "Val 2 – Skola", samplePercent: "", callingHours: "", _csrf: csrf });
    row = await db.prisma.answerGroup.findUniqueOrThrow({ where: { id: g.id } });
    expect(row.settings).toEqual({});
    expect(await db.prisma.auditEvent.count({ where: { action: "group.update", targetId: g.id } })).toBe(2);
  });

  it("adds a target in percent for shares and refuses a mean outside 1–5", async () => {
    let csrf = await c.csrfFrom("/admin/targets");
    await c.post("/admin/targets", {
      questionKey: "overall",
      metric: "satisfiedShare",
      threshold: "75",
      validFrom: "2026-01-01",
      _csrf: csrf,
    });
    const t = await db.prisma.target.findFirstOrThrow({
      where: { organizationId: ctx.organizationId, metric: "satisfiedShare" },
    });
    expect(t.threshold).toBe(0.75);
    csrf = await c.csrfFrom("/admin/targets");
    const bad = await c.post("/admin/targets", {
      questionKey: "bemotande",
      metric: "mean",
      threshold: "43",
      validFrom: "2026-01-01",
      _csrf: csrf,
    });
    expect(bad.status).toBe(400);
    expect(await db.prisma.target.count({ where: { organizationId: ctx.organizationId, metric: "mean" } })).toBe(0);
    expect(await db.prisma.auditEvent.count({ where: { action: "target.set", targetId: t.id } })).toBe(1);
  });

  it("creates an agent account linked to an agent, and disabling a user ends their sessions", async () => {
    const { agent } = await makeUser(ctx, "agent");
    let csrf = await c.csrfFrom("/admin/users");
    const res = await c.post("/admin/users", {
      name: "Ny Agent",
      email: "ny.agent@kommun.example",
      role: "agent",
      agentId: agent!.id,
      password: "a long enough password",
      _csrf: csrf,
    });
    expect(res.status).toBe(303);
    const user = await db.prisma.user.findUniqueOrThrow({ where: { email: "ny.agent@kommun.example" } });
    expect(user.agentId).toBe(agent!.id);
    expect(user.passwordHash).toMatch(/^\$argon2id\$/);

    const other = new WebClient(app.url);
    await other.signIn("ny.agent@kommun.example", "a long enough password");
    const sid = [...other.cookies.values()].find((v) => v.length > 40)!;
    csrf = await c.csrfFrom("/admin/users");
    await c.post(`/admin/users/${user.id}/disable`, { _csrf: csrf });
    expect(await db.prisma.session.findUnique({ where: { id: hashSessionId(sid) } })).toBeNull();
    expect((await other.get("/me")).status).toBe(303);
    expect(
      await db.prisma.auditEvent.count({
        where: { action: { in: ["user.create", "user.disable"] }, targetId: user.id },
      }),
    ).toBe(2);
  });

  it("refuses an agent account without an agent", async () => {
    const csrf = await c.csrfFrom("/admin/users");
    const res = await c.post("/admin/users", {
      name: "Utan",
      email: "utan@kommun.example",
      role: "agent",
      agentId: "",
      password: "a long enough password",
      _csrf: csrf,
    });
    expect(res.status).toBe(400);
    expect(await db.prisma.user.findUnique({ where: { email: "utan@kommun.example" } })).toBeNull();
  });
});
