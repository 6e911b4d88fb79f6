import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSession } from "../src/auth/sessions.js";
import { sessionCookieName } from "../src/auth/cookies.js";
import { sessionPolicy } from "../src/auth/middleware.js";
import { ensureOrganization } from "../src/organizations/service.js";
import { formatIsoWeek, parseIsoWeek, weekOf } from "../src/review/rules.js";
import { createTestDatabase, type TestDatabase } from "./support/db.js";
import { createTestContext, startTestApp, type TestContext } from "./support/context.js";
import { createUser, createVoiceMessage, makeWav } from "./review.fixtures.js";

interface Client {
  get(path: string, headers?: Record<string, string>): Promise<Response>;
  post(
    path: string,
    body: Record<string, unknown> | URLSearchParams,
    headers?: Record<string, string>,
  ): Promise<Response>;
  csrf: string;
  userId: string;
  cookie: string;
}

describe("listening queue over HTTP", () => {
  let db: TestDatabase;
  let ctx: TestContext;
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let manager: Client;
  let agent: Client;
  let stranger: Client;
  let anonymous: Client;
  let vmId: string;
  const wav = makeWav(1.5);

  async function signIn(organizationId: string | null, role: "admin" | "manager" | "agent"): Promise<Client> {
    let cookie = "";
    let csrf = "";
    let userId = "";
    if (organizationId) {
      const u = await createUser(db.prisma, organizationId, role);
      const s = await createSession(db.prisma, { userId: u.id, now: ctx.now(), policy: sessionPolicy(ctx.config) });
      cookie = `${sessionCookieName(ctx.config)}=${s.id}`;
      csrf = s.session.data.csrf;
      userId = u.id;
    }
    return {
      csrf,
      userId,
      cookie,
      get: (path, headers = {}) => fetch(app.url + path, { redirect: "manual", headers: { cookie, ...headers } }),
      post: (path, body, headers = {}) =>
        fetch(app.url + path, {
          method: "POST",
          redirect: "manual",
          headers: {
            cookie,
            "content-type": body instanceof URLSearchParams ? "application/x-www-form-urlencoded" : "application/json",
            accept: "application/json",
            ...headers,
          },
          body: body instanceof URLSearchParams ? body.toString() : JSON.stringify(body),
        }),
    };
  }

  const playAudits = () => db.prisma.auditEvent.count({ where: { action: "voice-message.play", targetId: vmId } });

  beforeAll(async () => {
    db = await createTestDatabase();
    ctx = await createTestContext(db, { now: "2025-04-02T10:00:00Z" });
    app = await startTestApp(ctx);
    const { vm } = await createVoiceMessage(db.prisma, {
      organizationId: ctx.organizationId,
      recordedAt: "2025-04-01T09:00:00Z",
      storage: ctx.storage,
      audio: wav,
    });
    vmId = vm.id;
    manager = await signIn(ctx.organizationId, "manager");
    agent = await signIn(ctx.organizationId, "agent");
    const other = await ensureOrganization(db.prisma, {
      slug: "grannkommun",
      name: "Grannkommun",
      timeZone: "Europe/Stockholm",
    });
    stranger = await signIn(other.id, "manager");
    anonymous = await signIn(null, "manager");
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  describe("who may listen", () => {
    it("sends an anonymous browser to the sign-in page and an anonymous script a 401", async () => {
      const page = await anonymous.get("/queue", { accept: "text/html" });
      expect(page.status).toBe(303);
      expect(page.headers.get("location")).toBe("/login?next=%2Fqueue");
      const audio = await anonymous.get(`/queue/audio/${vmId}`, { accept: "*/*" });
      expect(audio.status).toBe(401);
      expect((await audio.json()).error.code).toBe("unauthorized");
    });

    it("refuses an agent the page, the audio and the actions with 403, and writes nothing", async () => {
      expect((await agent.get("/queue", { accept: "text/html" })).status).toBe(403);
      const audio = await agent.get(`/queue/audio/${vmId}`);
      expect(audio.status).toBe(403);
      expect(audio.headers.get("content-type")).not.toContain("audio");
      const action = await agent.post(
        `/queue/messages/${vmId}`,
        { classification: "inget" },
        { "x-csrf-token": agent.csrf },
      );
      expect(action.status).toBe(403);
      expect(await db.prisma.auditEvent.count({ where: { targetId: vmId } })).toBe(0);
    });

    it("answers another organization's manager 404 for the audio and the actions", async () => {
      expect((await stranger.get(`/queue/audio/${vmId}`)).status).toBe(404);
      const action = await stranger.post(
        `/queue/messages/${vmId}`,
        { classification: "inget" },
        { "x-csrf-token": stranger.csrf },
      );
      expect(action.status).toBe(404);
      expect((await db.prisma.voiceMessage.findUniqueOrThrow({ where: { id: vmId } })).classification).toBeNull();
    });
  });

  describe("streaming the audio", () => {
    it("sends the whole WAV with its type, length and no-store", async () => {
      const res = await manager.get(`/queue/audio/${vmId}`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("audio/wav");
      expect(res.headers.get("content-length")).toBe(String(wav.length));
      expect(res.headers.get("cache-control")).toBe("no-store");
      expect(res.headers.get("accept-ranges")).toBe("bytes");
      expect(Buffer.from(await res.arrayBuffer()).equals(wav)).toBe(true);
    });

    it("answers a Range request with 206 and exactly those bytes", async () => {
      const res = await manager.get(`/queue/audio/${vmId}`, { range: "bytes=100-1099" });
      expect(res.status).toBe(206);
      expect(res.headers.get("content-range")).toBe(`bytes 100-1099/${wav.length}`);
      expect(res.headers.get("content-length")).toBe("1000");
      expect(Buffer.from(await res.arrayBuffer()).equals(wav.subarray(100, 1100))).toBe(true);

      const tail = await manager.get(`/queue/audio/${vmId}`, { range: "bytes=-44" });
      expect(tail.headers.get("content-range")).toBe(`bytes ${wav.length - 44}-${wav.length - 1}/${wav.length}`);
      expect(Buffer.from(await tail.arrayBuffer()).equals(wav.subarray(wav.length - 44))).toBe(true);
    });

    it("answers 416 with the size for a range past the end", async () => {
      const res = await manager.get(`/queue/audio/${vmId}`, { range: `bytes=${wav.length}-` });
      expect(res.status).toBe(416);
      expect(res.headers.get("content-range")).toBe(`bytes */${wav.length}`);
    });

    it("audits one playback per play: byte-0 requests count once per 30 s, seeks not at all", async () => {
      ctx.setNow("2025-04-02T10:20:00Z");
      const before = await playAudits();
      await (await manager.get(`/queue/audio/${vmId}`, { range: "bytes=0-" })).arrayBuffer();
      await (await manager.get(`/queue/audio/${vmId}`, { range: "bytes=0-" })).arrayBuffer();
      await (await manager.get(`/queue/audio/${vmId}`, { range: "bytes=2000-" })).arrayBuffer();
      expect(await playAudits()).toBe(before + 1);
      ctx.setNow("2025-04-02T10:20:31Z");
      await (await manager.get(`/queue/audio/${vmId}`, { range: "bytes=0-" })).arrayBuffer();
      expect(await playAudits()).toBe(before + 2);
      const last = await db.prisma.auditEvent.findFirstOrThrow({
        where: { action: "voice-message.play", targetId: vmId },
        orderBy: { id: "desc" },
      });
      expect(last).toMatchObject({
        actorUserId: manager.userId,
        organizationId: ctx.organizationId,
        targetType: "voice-message",
      });
      expect(last.ip).toBeTruthy();
    });

    it("answers 404 once the audio has been purged", async () => {
      const { vm } = await createVoiceMessage(db.prisma, {
        organizationId: ctx.organizationId,
        recordedAt: "2025-04-01T10:00:00Z",
      });
      await db.prisma.voiceMessage.update({
        where: { id: vm.id },
        data: { state: "purged", storageKey: null, audioPurgedAt: new Date() },
      });
      expect((await manager.get(`/queue/audio/${vm.id}`)).status).toBe(404);
    });
  });

  describe("the review actions", () => {
    it("refuses a post without the CSRF token", async () => {
      const res = await manager.post(`/queue/messages/${vmId}`, { classification: "inget" });
      expect(res.status).toBe(403);
      expect((await db.prisma.voiceMessage.findUniqueOrThrow({ where: { id: vmId } })).classification).toBeNull();
    });

    it("saves a JSON review and answers with the new state", async () => {
      const res = await manager.post(
        `/queue/messages/${vmId}`,
        { classification: "klagomal", caseReference: "FX-1001", registered: true },
        { "x-csrf-token": manager.csrf },
      );
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ reviewed: true, classification: "klagomal", caseReference: "FX-1001" });
    });

    it("answers a validation error naming the field", async () => {
      const res = await manager.post(
        `/queue/messages/${vmId}`,
        { classification: "spam" },
        { "x-csrf-token": manager.csrf },
      );
      expect(res.status).toBe(400);
      const body = await res.json();
      expect(body.error.code).toBe("validation_failed");
      expect(body.error.details[0].field).toBe("classification");
    });

    it("takes a plain form post and returns to the message; a missing case reference comes back as a field error", async () => {
      const form = new URLSearchParams([
        ["_csrf", manager.csrf],
        ["week", "2025-W14"],
        ["page", "1"],
        ["classification", "berom"],
        ["caseReference", ""],
        ["registered", "0"],
        ["registered", "1"],
        ["listened", "0"],
      ]);
      const bad = await manager.post(`/queue/messages/${vmId}`, form, { accept: "text/html" });
      expect(bad.status).toBe(303);
      expect(bad.headers.get("location")).toBe(`/queue?week=2025-W14&error=caseReference&m=${vmId}#m-${vmId}`);
      form.set("caseReference", "FX-1002");
      const ok = await manager.post(`/queue/messages/${vmId}`, form, { accept: "text/html" });
      expect(ok.headers.get("location")).toBe(`/queue?week=2025-W14#m-${vmId}`);
      const row = await db.prisma.voiceMessage.findUniqueOrThrow({ where: { id: vmId } });
      expect(row).toMatchObject({ classification: "berom", caseReference: "FX-1002" });
    });
  });

  describe("the page", () => {
    it("renders the week in Swedish with the message, its player and its form", async () => {
      const res = await manager.get("/queue?week=2025-W14", { accept: "text/html" });
      expect(res.status).toBe(200);
      const html = await res.text();
      expect(html).toContain("Lyssningskö: Vecka 14, 2025");
      expect(html).toContain(`<audio controls preload="none" src="/queue/audio/${vmId}"`);
      expect(html).toContain(`action="/queue/messages/${vmId}"`);
      expect(html).toContain('name="_csrf"');
      expect(html).toContain("Val 1 – Socialt stöd");
    });

    it("speaks English when the visitor chose it", async () => {
      const html = await (
        await manager.get("/queue?week=2025-W14", { accept: "text/html", cookie: `${manager.cookie}; nki_lang=en` })
      ).text();
      expect(html).toContain("Listening queue: Week 14, 2025");
      expect(html).toContain('<html lang="en"');
    });

    it("shows the field error after a form post without JavaScript", async () => {
      const html = await (
        await manager.get(`/queue?week=2025-W14&error=caseReference&m=${vmId}`, { accept: "text/html" })
      ).text();
      expect(html).toContain("Ange en ärendereferens");
      expect(html).toContain('aria-invalid="true"');
    });

    it("rejects a malformed week with 400", async () => {
      const res = await manager.get("/queue?week=2025-99", { accept: "application/json" });
      expect(res.status).toBe(400);
      expect((await res.json()).error.details[0].field).toBe("week");
    });
  });

  describe("the listening history", () => {
    it("shows the manager who played and handled which message that week, and no one else's unit", async () => {
      ctx.setNow("2025-04-02T11:00:00Z");
      await (await manager.get(`/queue/audio/${vmId}`, { range: "bytes=0-" })).arrayBuffer();
      const saved = await manager.post(`/queue/messages/${vmId}`, { listened: true }, { "x-csrf-token": manager.csrf });
      expect(saved.status).toBe(200);

      // The audit log keeps the database's time of each action, so the history's week is the real one.
      const week = formatIsoWeek(weekOf(new Date(), "Europe/Stockholm"));
      const w = parseIsoWeek(week)!;
      const res = await manager.get(`/queue/history?week=${week}`, { accept: "text/html" });
      expect(res.status).toBe(200);
      const page = await res.text();
      expect(page).toContain(`Lyssningshistorik: vecka ${w.week}, ${w.year}`);
      const row = (what: string) =>
        new RegExp(
          `<td>Test manager</td>\\s*<td>${what}</td>\\s*<td><a href="/queue\\?week=2025-W14#m-${vmId}">inspelat`,
        );
      expect(page).toMatch(row("Spelade upp"));
      expect(page).toMatch(row("Markerade som lyssnat"));

      // Another week holds none of it; another organization's manager sees none of it.
      expect(await (await manager.get("/queue/history?week=2025-W14", { accept: "text/html" })).text()).toContain(
        "Ingen har lyssnat",
      );
      const theirs = await (await stranger.get(`/queue/history?week=${week}`, { accept: "text/html" })).text();
      expect(theirs).not.toContain(vmId);
      expect(theirs).toContain("Ingen har lyssnat");

      // The admin sees the same history, and everything else besides in the audit log, which a manager may not open.
      const admin = await signIn(ctx.organizationId, "admin");
      const adminsView = await (await admin.get(`/queue/history?week=${week}`, { accept: "text/html" })).text();
      expect(adminsView).toMatch(row("Spelade upp"));
      const log = await admin.get("/admin/audit", { accept: "text/html" });
      expect(log.status).toBe(200);
      const logText = await log.text();
      expect(logText).toContain(vmId.slice(0, 8));
      expect(logText).toContain("Test manager");
      expect((await manager.get("/admin/audit", { accept: "text/html" })).status).toBe(403);
    });

    it("answers a JSON save with the week's figures and, for Spara och nästa, where the next message is", async () => {
      ctx.setNow("2025-04-02T11:00:00Z");
      const mk = (at: string) => createVoiceMessage(db.prisma, { organizationId: ctx.organizationId, recordedAt: at });
      const { vm: first } = await mk("2025-04-01T09:30:00Z");
      await mk("2025-04-01T10:00:00Z");
      const save = (id: string, body: Record<string, unknown>) =>
        manager.post(`/queue/messages/${id}`, { week: "2025-W14", ...body }, { "x-csrf-token": manager.csrf });
      // A save that changes nothing still answers with the figures: the baseline.
      const base = (await (await save(first.id, {})).json()).counts;
      const res = await save(first.id, { classification: "fraga", then: "next" });
      expect(res.status).toBe(200);
      const body = await res.json();
      expect(body.counts).toMatchObject({
        total: base.total,
        unreviewed: base.unreviewed - 1,
        byClassification: { fraga: (base.byClassification.fraga ?? 0) + 1 },
      });
      // The next is another message still to review, on page 1 of a small week.
      expect(body.next).toMatchObject({ page: 1 });
      expect(body.next.id).not.toBe(first.id);
      expect((await db.prisma.voiceMessage.findUniqueOrThrow({ where: { id: body.next.id } })).reviewedAt).toBeNull();
      // Without JavaScript the same choice is a redirect to that message.
      const form = await manager.post(
        `/queue/messages/${first.id}`,
        new URLSearchParams({ _csrf: manager.csrf, week: "2025-W14", page: "1", note: "", then: "next" }),
      );
      expect(form.status).toBe(303);
      expect(form.headers.get("location")).toBe(`/queue?week=2025-W14#m-${body.next.id}`);
    });

    it("is refused to an agent, and a malformed week is a 400 naming it", async () => {
      expect((await agent.get("/queue/history", { accept: "application/json" })).status).toBe(403);
      const bad = await manager.get("/queue/history?week=W14", { accept: "application/json" });
      expect(bad.status).toBe(400);
      expect((await bad.json()).error.details[0].field).toBe("week");
    });
  });
});
