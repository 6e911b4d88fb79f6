import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sessionCookieName } from "../src/auth/cookies.js";
import { sessionPolicy } from "../src/auth/middleware.js";
import { createSession } from "../src/auth/sessions.js";
import { createUser } from "../src/auth/users.js";
import { ensureAgent, ensureGroup, ensureOrganization } from "../src/organizations/service.js";
import { storeSurvey } from "./fixtures/golden-load.js";
import { createTestContext, startTestApp, type TestContext } from "./support/context.js";
import { createTestDatabase, type TestDatabase } from "./support/db.js";

/**
 * The Tertialrapport on an invented kundcenter: "now" is 20 Aug 2026, so the
 * current tertial is 2026-P2 (May–Aug). Every figure below is computed by hand.
 *
 * 2026-P2: val1 two citizens (all 5, all 4; queue 30 s and 90 s), val2 two
 * citizens (all 3, all 4; queue 120 s each) → every question 4.00, val1 4.50,
 * val2 3.50. 2025-P2 (last year): val1 two citizens all 3 → 3.00.
 * Three other municipalities with two citizens each (all 5, all 4, all 3) → 4.00.
 * Target: bemötande mean 4.2 → the kundcenter's 4.00 is below, val1's 4.50 meets it.
 * Voice messages on the four 2026-P2 surveys: klagomål registered (Socialförvaltningen),
 * klagomål not registered (Socialförvaltningen, a note that looks like a formula),
 * beröm registered (Utbildningsförvaltningen), one not yet classified.
 */
const QUESTIONS = ["svarstid", "bemotande", "engagemang", "kunskap", "fick_hjalp", "helhet", "rekommendera"];
const all = (score: number) => Object.fromEntries(QUESTIONS.map((q) => [q, score]));
const HOSTILE_NOTE = '=HYPERLINK("http://example.test","klicka")';

describe("Tertialrapport", () => {
  let db: TestDatabase;
  let ctx: TestContext;
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let manager: string;
  let agent: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    ctx = await createTestContext(db, {
      now: "2026-08-20T10:00:00Z",
      settings: {
        minAnswersForResult: 2,
        benchmarkMinRespondents: 2,
        nkiDefinition: { kind: "all-questions", exclude: [] },
      },
    });
    const p = db.prisma;
    const org = ctx.organizationId;
    const val1 = await ensureGroup(p, org, "val1", "Val 1 – Socialt stöd");
    const val2 = await ensureGroup(p, org, "val2", "Val 2 – Skola");
    const a1 = await ensureAgent(p, org, "kv-1", "Kommunvägledare Ett");
    const a2 = await ensureAgent(p, org, "kv-2", "Kommunvägledare Två");
    await p.target.create({
      data: {
        organizationId: org,
        questionKey: "bemotande",
        metric: "mean",
        threshold: 4.2,
        validFrom: new Date("2026-01-01T00:00:00Z"),
      },
    });
    // A band on NKI totalt's share of satisfied: 50–70 %.
    await p.target.create({
      data: {
        organizationId: org,
        questionKey: "overall",
        metric: "satisfiedShare",
        threshold: 0.5,
        upper: 0.7,
        validFrom: new Date("2026-01-01T00:00:00Z"),
      },
    });
    const store = (groupId: string, agentId: string, at: string, score: number, queueSeconds: number) =>
      storeSurvey(p, { organizationId: org, groupId, agentId, at: new Date(at), scores: all(score), queueSeconds });
    const s1 = await store(val1.id, a1.id, "2026-06-02T09:00:00Z", 5, 30);
    const s2 = await store(val1.id, a1.id, "2026-06-03T09:00:00Z", 4, 90);
    const s3 = await store(val2.id, a2.id, "2026-07-01T09:00:00Z", 3, 120);
    const s4 = await store(val2.id, a2.id, "2026-07-02T09:00:00Z", 4, 120);
    await store(val1.id, a1.id, "2025-06-02T09:00:00Z", 3, 60);
    await store(val1.id, a1.id, "2025-06-03T09:00:00Z", 3, 60);
    const vm = (
      surveyId: string,
      groupId: string,
      agentId: string,
      at: string,
      o: { classification?: string; forvaltning?: string; note?: string; registered?: boolean },
    ) =>
      p.voiceMessage.create({
        data: {
          surveyId,
          organizationId: org,
          groupId,
          agentId,
          recordingSid: `RE${surveyId.replaceAll("-", "")}`,
          state: "stored",
          storageKey: `${org}/${surveyId}.mp3`,
          contentType: "audio/mpeg",
          durationSeconds: 20,
          sizeBytes: 1000,
          recordedAt: new Date(at),
          classification: o.classification ?? null,
          forvaltning: o.forvaltning ?? null,
          note: o.note ?? null,
          registeredAt: o.registered ? new Date(at) : null,
          caseReference: o.registered ? "FX-1" : null,
          reviewedAt: o.registered || o.classification === "fraga" ? new Date(at) : null,
        },
      });
    await vm(s1, val1.id, a1.id, "2026-06-02T09:05:00Z", {
      classification: "klagomal",
      forvaltning: "Socialförvaltningen",
      note: "Väntade länge på återkoppling om färdtjänst.",
      registered: true,
    });
    await vm(s2, val1.id, a1.id, "2026-06-03T09:05:00Z", {
      classification: "klagomal",
      forvaltning: "Socialförvaltningen",
      note: HOSTILE_NOTE,
    });
    await vm(s3, val2.id, a2.id, "2026-07-01T09:05:00Z", {
      classification: "berom",
      forvaltning: "Utbildningsförvaltningen",
      registered: true,
    });
    await vm(s4, val2.id, a2.id, "2026-07-02T09:05:00Z", {});
    for (const [i, score] of [5, 4, 3].entries()) {
      const other = await ensureOrganization(p, {
        slug: `grannkommun-${i}-${org.slice(0, 8)}`,
        name: `Grannkommun ${i}`,
        timeZone: "Europe/Stockholm",
      });
      const g = await ensureGroup(p, other.id, "g", "Grupp");
      const a = await ensureAgent(p, other.id, "a", "Agent");
      for (const day of ["2026-06-10", "2026-06-11"])
        await storeSurvey(p, {
          organizationId: other.id,
          groupId: g.id,
          agentId: a.id,
          at: new Date(`${day}T09:00:00Z`),
          scores: all(score),
        });
    }
    app = await startTestApp(ctx);
    const cookie = async (role: "manager" | "agent", agentId: string | null) => {
      const user = await createUser(p, {
        organizationId: org,
        email: `${role}@example.test`,
        name: `Test ${role}`,
        role,
        agentId,
        password: "correct horse battery staple",
      });
      const { id } = await createSession(p, { userId: user.id, now: ctx.now(), policy: sessionPolicy(ctx.config) });
      return `${sessionCookieName(ctx.config)}=${id}`;
    };
    manager = await cookie("manager", null);
    agent = await cookie("agent", a1.id);
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  const get = (path: string, cookie = manager, accept = "text/html") =>
    fetch(`${app.url}${path}`, { headers: { cookie, accept } });
  /** The text of a table (by data-testid) as rows of cell texts. */
  const table = (page: string, testid: string): string[][] => {
    const m = new RegExp(`<table data-testid="${testid}">([\\s\\S]*?)</table>`).exec(page);
    expect(m, `table ${testid}`).not.toBeNull();
    return [...m![1].matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((r) =>
      [...r[1].matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((c) =>
        c[1]
          .replace(/<[^>]+>/g, "")
          .replace(/&amp;/g, "&")
          .replace(/\s+/g, " ")
          .trim(),
      ),
    );
  };

  it("has every section with the hand-computed figures", async () => {
    const res = await get("/reports/period");
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain("<title>Tertialrapport P2 2026");
    expect(page).toContain("<h1>Tertialrapport P2 2026</h1>");
    expect(page).toContain('href="/assets/report.css"');
    for (const id of ["questions", "groups", "answer-time", "funnel", "reviews", "trend", "coaching"])
      expect(page).toContain(`<section class="report-section" id="${id}"`);

    const q = table(page, "report-questions");
    expect(q[0]).toEqual([
      "Fråga",
      "P2 2026",
      "Svarande",
      "Samma period förra året (P2 2025)",
      "Förändring (95 % intervall)",
      "Övriga kommuner",
      "Mål",
    ]);
    expect(q).toHaveLength(1 + 1 + 7); // heading, NKI total, seven questions
    expect(q[1].slice(0, 4)).toEqual(["NKI totalt", "4,00", "4", "3,00"]);
    const bem = q.find((r) => r[0] === "Bemötande")!;
    expect(bem.slice(0, 4)).toEqual(["Bemötande", "4,00", "4", "3,00"]);
    expect(bem[5]).toBe("4,00 (3 kommuner)");
    expect(bem[6]).toContain("under mål");
    expect(q.map((r) => r[0]).slice(2)).toEqual([
      "Svarstid",
      "Bemötande",
      "Engagemang",
      "Kunskap",
      "Fick hjälp",
      "Helhetsintryck",
      "Rekommendera kommunen",
    ]);

    const g = table(page, "report-groups");
    expect(g[0]).toEqual([
      "Svarsgrupp",
      "NKI",
      "NKI förra året",
      "Svarstid",
      "Bemötande",
      "Engagemang",
      "Kunskap",
      "Fick hjälp",
      "Helhetsintryck",
      "Rekommendera kommunen",
      "Svarande",
      "Mål NKI",
    ]);
    const val1 = g.find((r) => r[0] === "Val 1 – Socialt stöd")!;
    expect(val1.slice(1, 3)).toEqual(["4,50", "3,00"]);
    expect(val1.slice(3, 10)).toEqual(Array(7).fill("4,50"));
    expect(val1[10]).toBe("2");
    const val2 = g.find((r) => r[0] === "Val 2 – Skola")!;
    expect(val2.slice(1, 3)).toEqual(["3,50", "–"]);
    expect(val2[4]).toBe("3,50 ✗"); // bemötande below the 4.2 target

    const at = table(page, "report-answer-time");
    expect(at).toContainEqual(["Val 1 – Socialt stöd", "4,50", "2", "1 min 00 s", "2"]);
    expect(at).toContainEqual(["Val 2 – Skola", "3,50", "2", "2 min 00 s", "2"]);
    expect(at).toContainEqual(["Hela kundcentret", "4,00", "4", "1 min 30 s", "4"]);

    const f = table(page, "report-funnel");
    // Each step with its share of the completed calls beside a bar drawn to that scale.
    expect(f).toContainEqual(["Avslutade samtal", "4", "100 %"]);
    expect(f).toContainEqual(["Röstmeddelanden", "4", "100 %"]);
    expect(page).toMatch(/data-testid="report-funnel"[\s\S]*?<rect width="100\.0" height="1"\/>/);
    expect(page).toMatch(/data-testid="response-rate">\d+\s%</);

    const cats = table(page, "report-reviews-category");
    expect(cats).toContainEqual(["Klagomål", "2", "1", "1"]);
    expect(cats).toContainEqual(["Beröm", "1", "1", "0"]);
    expect(cats).toContainEqual(["Ej granskade", "2", "–", "–"]);
    const forv = table(page, "report-reviews-forvaltning");
    expect(forv.slice(1)).toEqual([
      ["Socialförvaltningen", "2", "1", "1"],
      ["Utbildningsförvaltningen", "1", "1", "0"],
    ]);
    expect(page).toContain("Väntade länge på återkoppling om färdtjänst.");
    expect(page).toContain("=HYPERLINK(&quot;http://example.test&quot;,&quot;klicka&quot;)");

    const trend = table(page, "report-trend");
    expect(trend.slice(1).map((r) => r[0])).toEqual(["P3 2024", "P1 2025", "P2 2025", "P3 2025", "P1 2026", "P2 2026"]);
    expect(trend[3].slice(0, 3)).toEqual(["P2 2025", "3,00", "2"]);
    expect(trend[6].slice(0, 4)).toEqual(["P2 2026", "4,00", "4", "3,00"]);

    expect(page).toMatch(/Inga signaler/);
    expect(page).toContain("2026-05-01 – 2026-08-20; 0 kommunvägledare prövade, 2 med för få svar.");
    // n said plainly: citizens and answers apart.
    expect(page).toContain("4 svarande · 28 svar");
  });

  it("opens any tertial: previous/next across New Year, the picker, and export links for the period shown", async () => {
    const current = await (await get("/reports/period")).text();
    expect(current).toContain('rel="prev" href="/reports/period?period=2026-P1"');
    expect(current).toContain('<form method="get" action="/reports/period" class="period-picker">');
    const p1 = await (await get("/reports/period?period=2026-P1")).text();
    expect(p1).toContain("<h1>Tertialrapport P1 2026</h1>");
    expect(p1).toContain('rel="prev" href="/reports/period?period=2025-P3"');
    expect(p1).toContain('rel="next" href="/reports/period?period=2026-P2"');
    const p3 = await (await get("/reports/period?period=2025-P3")).text();
    expect(p3).toContain('rel="next" href="/reports/period?period=2026-P1"');
    expect(p3).toContain('rel="prev" href="/reports/period?period=2025-P2"');
    expect(p3).toContain('href="/reports/period.xlsx?period=2025-P3"');
    expect(p3).toContain('href="/reports/period.csv?period=2025-P3"');
    const picked = await (await get("/reports/period?kind=tertial&year=2025&number=3")).text();
    expect(picked).toContain("<h1>Tertialrapport P3 2025</h1>");
    const weekly = await (await get("/reports/weekly?week=2026-W01")).text();
    expect(weekly).toContain("<h1>Veckorapport vecka 1, 2026</h1>");
    expect(weekly).toContain('rel="prev" href="/reports/weekly?period=2025-W52"');
    expect(weekly).toContain('rel="next" href="/reports/weekly?period=2026-W02"');
    expect(weekly).toContain('href="/reports/weekly.xlsx?period=2026-W01"');
    const bad = await get("/reports/period?period=2026-P4");
    expect(bad.status).toBe(400);
    expect(bad.headers.get("content-type")).toContain("text/html");
    expect(await bad.text()).toMatch(/<h1>[^<]+<\/h1>/);
    const json = await get("/reports/period?period=2026-P4", manager, "application/json");
    expect((await json.json()).error.details).toEqual([{ field: "period", message: expect.any(String) }]);
    expect((await get("/reports/period.xlsx?period=2026-P4", manager, "*/*")).status).toBe(400);
  });

  it("exports XLSX with one sheet per section, Swedish headings and numbers as numbers", async () => {
    const res = await get("/reports/period.xlsx?period=2026-P2");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("spreadsheetml");
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="tertialrapport-2026-P2.xlsx"');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await res.arrayBuffer()) as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual([
      "Per fråga",
      "Per svarsgrupp",
      "Svarstid",
      "Undersökningen",
      "Synpunkter per kategori",
      "Synpunkter per förvaltning",
      "Anteckningar",
      "Trend",
      "Coachning",
    ]);
    const q = wb.getWorksheet("Per fråga")!;
    expect(String(q.getCell("A1").value)).toContain("Tertialrapport P2 2026");
    expect(q.getRow(2).values).toEqual(
      expect.arrayContaining(["Fråga", "Medelbetyg", "Svarande", "Samma period förra året", "Övriga kommuner"]),
    );
    const bem = q.getRows(3, q.rowCount - 2)!.find((r) => r.getCell(1).value === "Bemötande")!;
    expect(bem.getCell(2).value).toBe(4); // medelbetyg, a number
    expect(bem.getCell(3).value).toBe(4); // svarande
    expect(bem.getCell(6).value).toBe(3); // förra året
    expect(bem.getCell(12).value).toBe(4); // övriga kommuner
    expect(bem.getCell(13).value).toBe(3);
    expect(bem.getCell(14).value).toBe("nej"); // mål nått
    expect(bem.getCell(15).value).toBe("under"); // mot målet, as the page's badge
    expect(q.getRow(3).getCell(1).value).toBe("NKI totalt");
    expect(q.getRow(3).getCell(15).value).toBe("över"); // 75 % satisfied, above the 50–70 % band
    expect(q.getColumn(2).numFmt).toBe("0.00");
    const g = wb.getWorksheet("Per svarsgrupp")!;
    expect(g.getRow(2).cellCount).toBe(14);
    expect(g.getRow(2).getCell(14).value).toBe("Kanaler");
    const val1 = g.getRow(3).getCell(1).value === "Val 1 – Socialt stöd" ? g.getRow(3) : g.getRow(4);
    const val2 = val1 === g.getRow(3) ? g.getRow(4) : g.getRow(3);
    expect(val1.getCell(2).value).toBe(4.5);
    expect(val1.getCell(3).value).toBe(3);
    // NKI against the band: all satisfied is above it, half satisfied is within (the lower bound counts).
    expect([val1.getCell(13).value, val2.getCell(13).value]).toEqual(["över", "inom"]);
    const t = wb.getWorksheet("Svarstid")!;
    expect(t.getRow(2).values).toEqual([
      undefined,
      "Svarsgrupp",
      "Betyg svarstid (1–5)",
      "Svarande",
      "Snittkötid (sekunder)",
      "Besvarade samtal",
    ]);
    const times = [t.getRow(3), t.getRow(4)].map((r) => [r.getCell(4).value, r.getCell(5).value]);
    expect(times).toEqual(
      expect.arrayContaining([
        [60, 2],
        [120, 2],
      ]),
    );
    const notes = wb.getWorksheet("Anteckningar")!;
    // A note stays a text in XLSX (never a formula).
    const noteCells = notes.getColumn(5).values.filter((v) => v !== undefined && v !== null);
    expect(noteCells).toContain(HOSTILE_NOTE);
    for (const row of notes.getRows(3, notes.rowCount - 2) ?? [])
      expect(row.getCell(5).type).not.toBe(ExcelJS.ValueType.Formula);
    const trend = wb.getWorksheet("Trend")!;
    expect(trend.rowCount).toBe(2 + 6);
    expect(trend.getRow(8).getCell(2).value).toBe(4);
  });

  it("exports CSV with every section and guards text that a spreadsheet would run", async () => {
    const res = await get("/reports/period.csv?period=2026-P2");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/csv");
    const csv = await res.text();
    const lines = csv.replace(/^\uFEFF/, "").split("\r\n");
    expect(lines[0]).toBe("Tertialrapport P2 2026 – Testkommun – NKI från telefon");
    expect(lines).toContain("Medelbetyg (1–5) per fråga för hela kundcentret");
    expect(lines).toContain('"Synpunkter (klagomål, beröm, förslag) per förvaltning"');
    // Fråga, medelbetyg, svarande, svar, andel nöjda (3 of 4), förra året, svarande förra året, förändring, interval, säker, övriga kommuner, antal, mål nått, mot målet, kanaler
    expect(lines.find((l) => l.startsWith("Bemötande,"))).toBe(
      "Bemötande,4,4,4,0.75,3,2,1,-0.3,2.3,nej,4,3,nej,under,telefon",
    );
    expect(csv).toContain(`"'=HYPERLINK(""http://example.test"",""klicka"")"`);
    expect(csv).not.toMatch(/(^|,)"?=HYPERLINK/m);
    expect(lines).toContain("Socialförvaltningen,2,1,1");
  });

  it("an agent gets the app's 403 page, for the report and its exports", async () => {
    const page = await get("/reports/period", agent);
    expect(page.status).toBe(403);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(await page.text()).toContain("<h1>Ingen behörighet</h1>");
    expect((await get("/reports/period.xlsx", agent)).status).toBe(403);
    expect((await get("/reports/weekly.csv", agent)).status).toBe(403);
  });
});
