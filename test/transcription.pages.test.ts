import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSession } from "../src/auth/sessions.js";
import { sessionCookieName } from "../src/auth/cookies.js";
import { sessionPolicy } from "../src/auth/middleware.js";
import type { Transcriber, TranscriptionResult } from "../src/transcription/transcriber.js";
import { transcribeNext } from "../src/transcription/worker.js";
import { enqueueStoredMessages } from "../src/transcription/repository.js";
import { PAGE_SIZE } from "../src/review/service.js";
import { createTestDatabase, type TestDatabase } from "./support/db.js";
import { createTestContext, startTestApp, type TestContext } from "./support/context.js";
import { createUser, createVoiceMessage, createVoiceMessageCopies, makeWav } from "./review.fixtures.js";

/**
 * The transcripts in the listening queue and the search page, over HTTP as a
 * browser without JavaScript uses them: plain form posts with the CSRF field.
 */
describe("transcript pages: queue panel, correction, re-transcription, search", () => {
  let db: TestDatabase;
  let ctx: TestContext;
  let app: Awaited<ReturnType<typeof startTestApp>>;
  /** What each recording says, by its bytes (a re-transcription gets the same text again). */
  const said = new Map<string, TranscriptionResult>();
  let tone = 300;
  const fake: Transcriber = {
    endpoint: "http://asr.test",
    model: "fake",
    transcribe: (req) =>
      Promise.resolve(said.get(req.audio.toString("base64")) ?? { text: "", language: "sv", segments: [] }),
  };
  const users: Record<string, { cookie: string; csrf: string; id: string; name: string }> = {};

  async function signIn(role: "manager" | "agent") {
    const u = await createUser(db.prisma, ctx.organizationId, role);
    const s = await createSession(db.prisma, { userId: u.id, now: ctx.now(), policy: sessionPolicy(ctx.config) });
    return { cookie: `${sessionCookieName(ctx.config)}=${s.id}`, csrf: s.session.data.csrf, id: u.id, name: u.name };
  }
  const get = (path: string, who = "manager") =>
    fetch(app.url + path, { redirect: "manual", headers: { cookie: users[who].cookie } });
  const post = (path: string, form: Record<string, string>, who = "manager") =>
    fetch(app.url + path, {
      method: "POST",
      redirect: "manual",
      headers: { cookie: users[who].cookie, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ _csrf: users[who].csrf, week: "2026-W48", ...form }).toString(),
    });

  /** A stored, transcribed message saying `text`; `unsure` words get probability 0.3. */
  async function transcribed(
    text: string,
    o: {
      unsure?: string[];
      groupKey?: string;
      scores?: Record<string, number>;
      review?: { classification?: string };
    } = {},
  ) {
    const words = text.split(/\s+/).map((word) => ({ word, probability: o.unsure?.includes(word) ? 0.3 : 0.95 }));
    const audio = makeWav(1, tone++);
    said.set(audio.toString("base64"), {
      text,
      language: "sv",
      segments: [{ start: 0, end: 5, text: ` ${text}`, words }],
    });
    const m = await createVoiceMessage(db.prisma, {
      organizationId: ctx.organizationId,
      recordedAt: "2026-11-24T08:30:00Z",
      storage: ctx.storage,
      audio,
      scores: o.scores ?? { bemotande: 3 },
      groupKey: o.groupKey,
      review: o.review,
    });
    await enqueueStoredMessages(db.prisma, ctx.now(), 100);
    // Until nothing is due: a message re-queued by an earlier test is transcribed again too.
    while ((await transcribeNext(ctx, fake)) !== "idle");
    const t = await db.prisma.transcript.findUniqueOrThrow({ where: { voiceMessageId: m.vm.id } });
    expect(t.status).toBe("done");
    return m.vm;
  }
  /** The card of one message in the queue page. */
  async function cardOf(id: string, queuePage = 1): Promise<string> {
    const page = await (await get(`/queue?week=2026-W48${queuePage > 1 ? `&page=${queuePage}` : ""}`)).text();
    const start = page.indexOf(`id="m-${id}"`);
    expect(start).toBeGreaterThan(-1);
    return page.slice(start, page.indexOf("</article>", start));
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    ctx = await createTestContext(db, { now: "2026-11-24T09:00:00Z" });
    ctx.transcriber = fake;
    app = await startTestApp(ctx);
    users.manager = await signIn("manager");
    users.agent = await signIn("agent");
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it("shows the automatic text under the player, labelled, with uncertain words marked and a suggestion with reasons that is not applied", async () => {
    const vm = await transcribed("Snöröjningen på gatan är dålig och otrevlig", {
      unsure: ["gatan"],
      scores: { bemotande: 1, kunskap: 2 },
    });
    const card = await cardOf(vm.id);
    expect(card).toContain("Automatisk text – kan innehålla fel");
    expect(card).toMatch(/<mark class="uncertain">gatan<span class="sr-only"> \(osäkert ord\)<\/span><\/mark>/);
    expect(card).toContain("Markerade ord är sådana som taligenkänningen var osäker på.");
    expect(card).not.toMatch(/<mark class="uncertain">Snöröjningen/);
    expect(card).toMatch(/Förslag:<\/strong> <span class="sugg-class">Klagomål<\/span>/);
    expect(card).toContain("”dålig” talar för klagomål");
    expect(card).toContain("medelbetyget 1,50 talar för klagomål");
    expect(card).toMatch(/data-classification="klagomal"[^>]*hidden>/);
    const stored = await db.prisma.voiceMessage.findUniqueOrThrow({ where: { id: vm.id } });
    expect(stored.classification).toBeNull();
    expect(stored.forvaltning).toBeNull();
  });

  it("corrects the text with a plain form post: masked, original kept, audited with who and when, shown as corrected", async () => {
    const vm = await transcribed("Hemtjänsten kom inte i går");
    const res = await post(`/queue/transcripts/${vm.id}/correction`, {
      text: "Hemtjänsten kom inte i går. Mitt personnummer är 19811218-9876, ring 070-174 06 05.",
    });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`/queue?week=2026-W48#m-${vm.id}`);
    const t = await db.prisma.transcript.findUniqueOrThrow({ where: { voiceMessageId: vm.id } });
    expect(t.text).toBe("Hemtjänsten kom inte i går");
    expect(t.correctedText).toBe(
      "Hemtjänsten kom inte i går. Mitt personnummer är [personnummer], ring [telefonnummer].",
    );
    expect(t.correctedById).toBe(users.manager.id);
    expect(t.correctedAt).toEqual(ctx.now());
    const events = await db.prisma.auditEvent.findMany({ where: { targetId: vm.id, action: "transcript.corrected" } });
    expect(events).toHaveLength(1);
    expect(events[0].actorUserId).toBe(users.manager.id);
    expect(JSON.stringify(events[0].detail)).not.toContain("Hemtjänsten");

    const card = await cardOf(vm.id);
    expect(card).toContain(`Rättad av ${users.manager.name} (24 nov. 2026 10:00)`);
    expect(card).toContain("Mitt personnummer är [personnummer], ring [telefonnummer].");
    expect(card).toMatch(
      /<summary>Automatisk originaltext<\/summary><p class="tr-text">Hemtjänsten kom inte i går<\/p>/,
    );
    expect(card).not.toContain("9876");
  });

  it("sends an empty correction back as a field error and removes a correction on request", async () => {
    const vm = await transcribed("Tack för hjälpen med bygglovet");
    const bad = await post(`/queue/transcripts/${vm.id}/correction`, { text: "   " });
    expect(bad.status).toBe(303);
    expect(bad.headers.get("location")).toBe(`/queue?week=2026-W48&terr=text&m=${vm.id}#m-${vm.id}`);
    const page = await (await get(`/queue?week=2026-W48&terr=text&m=${vm.id}`)).text();
    expect(page).toContain(`<p class="error" id="tre-${vm.id}" role="alert">Skriv den rättade texten`);
    expect(page).toMatch(new RegExp(`id="tc-${vm.id}"[^>]*aria-invalid="true"`));

    await post(`/queue/transcripts/${vm.id}/correction`, { text: "Tack för hjälpen med bygglovet!" });
    await post(`/queue/transcripts/${vm.id}/correction`, { remove: "1", text: "ignored" });
    const t = await db.prisma.transcript.findUniqueOrThrow({ where: { voiceMessageId: vm.id } });
    expect(t.correctedText).toBeNull();
    expect(t.text).toBe("Tack för hjälpen med bygglovet");
    expect(
      await db.prisma.auditEvent.count({ where: { targetId: vm.id, action: "transcript.correction-removed" } }),
    ).toBe(1);
  });

  it("refuses a correction without the CSRF token and from an agent", async () => {
    const vm = await transcribed("Jag undrar när sophämtningen kommer");
    const noToken = await fetch(`${app.url}/queue/transcripts/${vm.id}/correction`, {
      method: "POST",
      redirect: "manual",
      headers: { cookie: users.manager.cookie, "content-type": "application/x-www-form-urlencoded" },
      body: "text=hej",
    });
    expect(noToken.status).toBe(403);
    expect((await post(`/queue/transcripts/${vm.id}/correction`, { text: "hej" }, "agent")).status).toBe(403);
    const t = await db.prisma.transcript.findUniqueOrThrow({ where: { voiceMessageId: vm.id } });
    expect(t.correctedText).toBeNull();
  });

  it("re-transcribes on a manager's request (audited, correction kept) and says so when transcription is off", async () => {
    const vm = await transcribed("Väntetiden var lång");
    await post(`/queue/transcripts/${vm.id}/correction`, { text: "Väntetiden var mycket lång" });
    const res = await post(`/queue/transcripts/${vm.id}/retranscribe`, {});
    expect(res.status).toBe(303);
    const t = await db.prisma.transcript.findUniqueOrThrow({ where: { voiceMessageId: vm.id } });
    expect(t).toMatchObject({ status: "pending", attempts: 0, correctedText: "Väntetiden var mycket lång" });
    expect(await db.prisma.auditEvent.count({ where: { targetId: vm.id, action: "transcript.retranscribe" } })).toBe(1);
    expect(await cardOf(vm.id)).toContain("Texten är inte klar än (väntar på transkribering).");

    ctx.transcriber = null;
    try {
      const off = await post(`/queue/transcripts/${vm.id}/retranscribe`, {});
      expect(off.headers.get("location")).toContain("terr=retranscribe");
      expect(await cardOf(vm.id)).not.toContain("Transkribera igen");
    } finally {
      ctx.transcriber = fake;
    }
    expect(await cardOf(vm.id)).toContain("Transkribera igen");
  });

  it("states a failed transcription plainly with its reason", async () => {
    const vm = await transcribed("Det var inget mer");
    await db.prisma.transcript.update({
      where: { voiceMessageId: vm.id },
      data: { status: "failed", attempts: 6, lastError: "gave up after 6 attempts: HTTP 503" },
    });
    expect(await cardOf(vm.id)).toContain(
      "Transkriberingen misslyckades: gave up after 6 attempts: HTTP 503 (6 försök)",
    );
  });

  it("quotes corrected transcripts only, masked and short, in the tertial report's synpunkter section", async () => {
    const long = `Bygglovet tog för lång tid, ring 070-174 06 05. ${"Handläggningen drog ut på tiden igen. ".repeat(10)}`;
    const vm = await transcribed("Bygglovet tog lång tid");
    await post(`/queue/transcripts/${vm.id}/correction`, { text: long });
    const page = await (await get("/reports/period?period=2026-P3")).text();
    expect(page).toContain("Citat ur rättade röstmeddelanden");
    expect(page).toContain("<blockquote><p>Bygglovet tog för lång tid, ring [telefonnummer]. Handläggningen");
    expect(page).toMatch(/Handläggningen drog ut på tiden igen …<\/p><\/blockquote>/);
    expect(page).not.toContain("174 06 05");
    // Automatic text nobody corrected is never quoted.
    expect(page).not.toContain("Snöröjningen på gatan är dålig och otrevlig");
    expect(page).not.toContain("Bygglovet tog lång tid");
  });

  describe("search page", () => {
    let hostileId: string;
    let val2Id: string;
    beforeAll(async () => {
      // A page of older unreviewed messages first in the week's queue (too short to transcribe), so the hits are on page 2.
      const { vm } = await createVoiceMessage(db.prisma, {
        organizationId: ctx.organizationId,
        recordedAt: "2026-11-23T07:00:00Z",
        durationSeconds: 1,
        scores: {},
      });
      await createVoiceMessageCopies(db.prisma, vm, { count: PAGE_SIZE - 1, durationSeconds: 1 });
      hostileId = (await transcribed(`<img src=x onerror=alert(1)> klagomålet om snöröjningen "&"`)).id;
      val2Id = (
        await transcribed("Klagomål på förskolan och snöröjning vid skolan", {
          groupKey: "val2",
          review: { classification: "klagomal" },
        })
      ).id;
    });

    it("is linked from the navigation for managers and refused to agents", async () => {
      const page = await (await get("/search")).text();
      expect(page).toContain('<a href="/search" aria-current="page">Sök</a>');
      expect(page).toContain("”väntetiden” hittar inte ”vänta”");
      expect((await get("/search?q=snö", "agent")).status).toBe(403);
    });

    it("finds by stem and prefix, highlights with <mark> and escapes hostile text", async () => {
      const res = await get("/search?q=klagomål+snöröjning");
      expect(res.status).toBe(200);
      const page = await res.text();
      expect(page).toContain("2 träffar");
      expect(page).toContain("onerror=alert(1)&gt; <mark>klagomålet</mark> om <mark>snöröjningen</mark>");
      expect(page).not.toContain("<img");
      const card = await cardOf(hostileId, 2);
      expect(card).toContain("&lt;img src=x onerror=alert(1)&gt; klagomålet om snöröjningen &quot;&amp;&quot;");
      expect(card).not.toContain("<img");
      expect(page).toContain(`href="/queue?week=2026-W48&amp;page=2#m-${hostileId}"`);
      expect(page).toContain(`href="/queue?week=2026-W48&amp;page=2#m-${val2Id}"`);
      // The link opens the queue page that shows the message's card (above), not page 1.
      expect(await (await get(`/queue?week=2026-W48`)).text()).not.toContain(`id="m-${hostileId}"`);
    });

    it("narrows by group, category, week and förvaltning", async () => {
      const groups = await db.prisma.answerGroup.findMany({ where: { organizationId: ctx.organizationId } });
      const val2 = groups.find((g) => g.key === "val2")!;
      const byGroup = await (await get(`/search?q=snöröjning&groupId=${val2.id}`)).text();
      expect(byGroup).toContain("1 träffar");
      expect(byGroup).toContain(`#m-${val2Id}`);
      expect(byGroup).not.toContain(`#m-${hostileId}`);
      const byCategory = await (await get("/search?q=snöröjning&category=klagomal")).text();
      expect(byCategory).toContain(`#m-${val2Id}`);
      expect(byCategory).not.toContain(`#m-${hostileId}`);
      expect(await (await get("/search?q=snöröjning&week=2026-W47")).text()).toContain("0 träffar");
      expect(await (await get("/search?q=snöröjning&forvaltning=Kulturförvaltningen")).text()).toContain("0 träffar");
    });

    it("names a rejected filter and keeps what was typed", async () => {
      const res = await get("/search?q=snö&week=vecka48");
      expect(res.status).toBe(400);
      const page = await res.text();
      expect(page).toContain("Kontrollera fältet ”Vecka”");
      expect(page).toMatch(/id="s-week"[^>]*value="vecka48"[^>]*aria-invalid="true"/);
    });
  });
});
