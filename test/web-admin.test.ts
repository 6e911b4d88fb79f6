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
    privacyInfo: "testkommun.se/personuppgifter",
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
      privacyInfo: "testkommun.se/personuppgifter",
      nkiDefinition: { kind: "all-questions", exclude: ["rekommendera"] },
    });
    const ev = await db.prisma.auditEvent.findFirstOrThrow({
      where: { organizationId: ctx.organizationId, action: "settings.update" },
    });
    expect(ev.actorUserId).toBe(admin.user.id);
    expect(ev.detail).toMatchObject({ sampleRate: { from: 1, to: 0.25 }, callingHours: { to: "mon-fri 09:00-18:00" } });
    // The audit log page shows it.
    expect(await (await c.get("/admin/audit")).text()).toContain("Inställningar ändrade");
  });

  it("refuses unreadable calling hours with the reason in Swedish, and changes nothing", async () => {
    const before = (await db.prisma.organization.findUniqueOrThrow({ where: { id: ctx.organizationId } })).settings;
    const csrf = await c.csrfFrom("/admin");
    const res = await c.post("/admin/settings", {
      ...settingsForm({ callingHours: "weekdays 9-5", samplePercent: "mycket" }),
      _csrf: csrf,
    });
    expect(res.status).toBe(400);
    const page = await res.text();
    expect(page).toContain("Tider som text: kan inte läsa &quot;weekdays 9-5&quot;");
    expect(page).toContain("Andel av samtalen som får en enkät: skriv ett tal mellan 0 och 100");
    expect(page).not.toMatch(/Invalid settings|cannot read/);
    expect((await db.prisma.organization.findUniqueOrThrow({ where: { id: ctx.organizationId } })).settings).toEqual(
      before,
    );
  });

  it("saves calling hours from weekday boxes and times, and previews the next windows", async () => {
    const form = new URLSearchParams({ ...settingsForm({ callingHours: "" }), _csrf: await c.csrfFrom("/admin") });
    for (const d of ["mon", "tue", "wed", "thu", "sat"]) form.append("callingDays", d);
    form.set("callingFrom", "09:00");
    form.set("callingTo", "17:30");
    const res = await c.post("/admin/settings", form);
    expect(res.status).toBe(303);
    const org = await db.prisma.organization.findUniqueOrThrow({ where: { id: ctx.organizationId } });
    expect(orgSettingsSchema.parse(org.settings).callingHours).toBe("mon-thu,sat 09:00-17:30");
    const page = await (await c.get("/admin")).text();
    expect(page).toMatch(/id="day-sat" name="callingDays" value="sat" checked/);
    expect(page).not.toMatch(/id="day-fri" name="callingDays" value="fri" checked/);
    expect(page).toMatch(/<ul class="preview" id="calling-preview">(<li>[^<]+ 09:00–17:30<\/li>){5}<\/ul>/);

    const empty = new URLSearchParams({ ...settingsForm({ callingHours: "" }), _csrf: await c.csrfFrom("/admin") });
    const refused = await c.post("/admin/settings", empty);
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain("Ringdagar: välj minst en dag.");
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

  it("gives a svarsgrupp its own calling hours in the organization's editor, stored as text, and back", async () => {
    const g = await makeGroup(ctx, "val4", "Val 4 – Kvällar");
    const form = new URLSearchParams({
      name: "Val 4 – Kvällar",
      samplePercent: "",
      callingMode: "own",
      callingFrom: "12:00",
      callingTo: "00:00",
      callingHours: "",
      skipPublicHolidays: "on",
      _csrf: await c.csrfFrom("/admin"),
    });
    for (const d of ["mon", "tue", "wed", "sat"]) form.append("callingDays", d);
    expect((await c.post(`/admin/groups/${g.id}`, form)).status).toBe(303);
    let row = await db.prisma.answerGroup.findUniqueOrThrow({ where: { id: g.id } });
    // The format calling-window.ts reads, as the organization's: midnight is 24:00.
    expect(row.settings).toEqual({ callingHours: "mon-wed,sat 12:00-24:00", skipPublicHolidays: true });
    const page = await (await c.get("/admin")).text();
    const p = `g-${g.id}-`;
    expect(page).toMatch(new RegExp(`id="${p}day-sat" name="callingDays" value="sat" checked`));
    expect(page).not.toMatch(new RegExp(`id="${p}day-fri" name="callingDays" value="fri" checked`));
    expect(page).toMatch(
      new RegExp(`<ul class="preview" id="${p}calling-preview">(<li>[^<]+ 12:00–24:00</li>){3}</ul>`),
    );
    expect(page).toMatch(/name="callingMode" value="own" checked/);

    // A time that cannot be read is refused in Swedish, naming the field; nothing changes.
    const bad = new URLSearchParams(form);
    bad.set("callingFrom", "25:00");
    bad.set("_csrf", await c.csrfFrom("/admin"));
    const refused = await c.post(`/admin/groups/${g.id}`, bad);
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain("Ring från klockan: skriv en tid som 08:00.");

    const back = new URLSearchParams({ name: "Val 4 – Kvällar", samplePercent: "", callingMode: "org" });
    back.set("_csrf", await c.csrfFrom("/admin"));
    expect((await c.post(`/admin/groups/${g.id}`, back)).status).toBe(303);
    row = await db.prisma.answerGroup.findUniqueOrThrow({ where: { id: g.id } });
    expect(row.settings).toEqual({});
  });

  it("adds a band target in percent for shares and refuses a mean outside 1–5 in Swedish", async () => {
    let csrf = await c.csrfFrom("/admin/targets");
    await c.post("/admin/targets", {
      questionKey: "overall",
      metric: "satisfiedShare",
      lower: "75",
      upper: "80 %",
      validFrom: "2026-01-01",
      _csrf: csrf,
    });
    const t = await db.prisma.target.findFirstOrThrow({
      where: { organizationId: ctx.organizationId, metric: "satisfiedShare" },
    });
    expect([t.threshold, t.upper]).toEqual([0.75, 0.8]);
    expect(await (await c.get("/admin/targets")).text()).toContain("75–80 %");
    csrf = await c.csrfFrom("/admin/targets");
    const bad = await c.post("/admin/targets", {
      questionKey: "bemotande",
      metric: "mean",
      lower: "43",
      validFrom: "2026-01-01",
      _csrf: csrf,
    });
    expect(bad.status).toBe(400);
    const page = await bad.text();
    expect(page).toContain("Lägsta värde: 43 ligger utanför skalan 1–5 för ett medelvärde. Menade du 4,3?");
    expect(page).not.toContain("Invalid target");
    expect(await db.prisma.target.count({ where: { organizationId: ctx.organizationId, metric: "mean" } })).toBe(0);
    expect(await db.prisma.auditEvent.count({ where: { action: "target.set", targetId: t.id } })).toBe(1);
  });

  it('saves "4,2" as 4.2, keeps the earlier target as history, and shows which one is in force', async () => {
    for (const [lower, validFrom] of [
      ["4,0", "2025-01-01"],
      ["4,2", "2026-01-01"],
    ]) {
      const csrf = await c.csrfFrom("/admin/targets");
      const res = await c.post("/admin/targets", {
        questionKey: "kunskap",
        metric: "mean",
        lower,
        validFrom,
        _csrf: csrf,
      });
      expect(res.status).toBe(303);
    }
    const rows = await db.prisma.target.findMany({
      where: { organizationId: ctx.organizationId, questionKey: "kunskap" },
      orderBy: { validFrom: "asc" },
    });
    expect(rows.map((r) => r.threshold)).toEqual([4.0, 4.2]);
    const page = await (await c.get("/admin/targets")).text();
    expect(page).toMatch(/≥ 4,20<\/td><td>2026-01-01<\/td><td><span class="badge ok">Gäller nu/);
    expect(page).toMatch(/≥ 4,00<\/td><td>2025-01-01<\/td><td><span class="muted">Tidigare/);
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
