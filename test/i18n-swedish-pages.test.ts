import express from "express";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPasswordReset } from "../src/auth/password-reset.js";
import { en } from "../src/i18n/en/index.js";
import { sv } from "../src/i18n/sv/index.js";
import { errorHandler } from "../src/lib/errors.js";
import { createLogger } from "../src/lib/logger.js";
import { renderErrorPage, wantsErrorPage } from "../src/web/error-page.js";
import { issueLinkToken } from "../src/websurvey/token.js";
import { createTestDatabase, type TestDatabase } from "./support/db.js";
import { createTestContext, startTestApp, type TestContext } from "./support/context.js";
import { createSurveyCall } from "./support/survey-calls.js";
import { createVoiceMessage } from "./review.fixtures.js";
import { makeGroup, makeUser, TEST_PASSWORD, WebClient } from "./browser/web-client.js";
import { seedSurveys } from "./browser/factories.js";

// Walks every page in Swedish as admin, enhetschef, agent and a citizen, and fails on any
// English word of the English catalogue that the Swedish one does not also use, and on raw
// codes (snake_case identifiers, JSON). The word list comes from src/i18n/en, so a new English
// text is checked without touching this file.

const NOW = new Date("2026-03-04T10:00:00Z");

/**
 * English words that may stand on a Swedish page, each for a reason:
 * the language toggle names its language in that language ("English"; and "Svenska" is a
 * Swedish word the English catalogue has for the toggle back); NKI, CSV, XLSX, API, OIDC,
 * PDF, SMS and URL are names of things, the same in Swedish; "id" is Swedish usage
 * (agent-id); "e" is the e of "e-post"; "service" is a Swedish word too ("vår service" in the
 * Swedish flow); "sv" and "us" are parts of language codes shown beside a voice (sv-SE, en-US).
 */
const ALLOWED = new Set([
  "english",
  "us",
  "svenska",
  "service",
  "sv",
  "nki",
  "csv",
  "xlsx",
  "api",
  "oidc",
  "pdf",
  "sms",
  "url",
  "id",
  "e",
]);

/** Every string a catalogue holds; a message function is called with placeholder arguments. */
function strings(o: unknown): string[] {
  if (typeof o === "string") return [o];
  if (typeof o === "function") return [String((o as (...a: unknown[]) => unknown)(...Array(o.length).fill("7")))];
  if (Array.isArray(o)) return o.flatMap(strings);
  if (o && typeof o === "object") return Object.values(o).flatMap(strings);
  return [];
}
const wordsOf = (s: string) => s.toLowerCase().match(/\p{L}+/gu) ?? [];

const SWEDISH = new Set(strings(sv).flatMap(wordsOf));
/** Words only the English catalogue uses. */
export const ENGLISH_ONLY = new Set(
  strings(en)
    .flatMap(wordsOf)
    .filter((w) => !SWEDISH.has(w) && !ALLOWED.has(w)),
);

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'", "#x27": "'", nbsp: " " };
const decode = (s: string) => s.replace(/&(#?\w+);/g, (m, e: string) => ENTITIES[e] ?? m);

/** What a person reads or hears of a page: its text and its aria-label, title, placeholder and alt values. */
export function visibleText(page: string): string {
  // Data, not the app's texts: the test and demo users' e-mail addresses (reserved domains
  // .test/.invalid/.example only), and content marked as another language (the English survey
  // flow's prompts on the flows page carry lang="en").
  page = page
    .replace(/<(\w+)\b[^>]*\slang="en[^"]*"[^>]*>[\s\S]*?<\/\1>/g, " ")
    .replace(/[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.(?:test|invalid|example)\b/g, " ")
    // Hex ids and content hashes in <code> (the audit log's object ids, flow versions): random
    // letters such as "a" would read as English words. Any other <code> is checked.
    .replace(/<code\b[^>]*>[0-9a-f-]+…?<\/code>/g, " ");
  const attrs = [...page.matchAll(/\s(?:aria-label|title|placeholder|alt)="([^"]*)"/g)].map((m) => m[1]);
  const body = page
    .replace(/<script[\s\S]*?<\/script>/g, " ")
    .replace(/<style[\s\S]*?<\/style>/g, " ")
    .replace(/<title>[\s\S]*?<\/title>/g, (t) => ` ${t} `)
    .replace(/<[^>]+>/g, " ");
  return decode([body, ...attrs].join(" ")).replace(/\s+/g, " ");
}

/** The English words and raw codes in a page's visible text. */
export function problems(page: string): string[] {
  const text = visibleText(page);
  const found = new Set<string>();
  for (const w of wordsOf(text)) if (ENGLISH_ONLY.has(w)) found.add(`English: ${w}`);
  for (const m of text.matchAll(/\b[a-z]+(?:_[a-z0-9]+)+\b/g)) found.add(`code: ${m[0]}`);
  for (const m of text.matchAll(/\{\s*"\w+"\s*:/g)) found.add(`JSON: ${m[0]}`);
  return [...found];
}

describe("every page in Swedish", () => {
  let db: TestDatabase;
  let ctx: TestContext;
  let app: Awaited<ReturnType<typeof startTestApp>>;
  const as: Record<"admin" | "manager" | "agent" | "anonymous", WebClient> = {} as never;
  let userId = "";
  let resetToken = "";
  let surveyPath = "";

  beforeAll(async () => {
    db = await createTestDatabase();
    ctx = await createTestContext(db, { now: NOW });
    app = await startTestApp(ctx);
    const g = await makeGroup(ctx, "val1", "Val 1 – Socialt stöd");
    const agent = await makeUser(ctx, "agent", { name: "Kim Provsson", agentExternalId: "kim-07" });
    const manager = await makeUser(ctx, "manager", { name: "Chef Provsson" });
    const admin = await makeUser(ctx, "admin", { name: "Admin Provsson" });
    userId = agent.user.id;
    for (const [from, level] of [
      ["2026-03-02T08:00:00Z", 4.2],
      ["2026-02-16T08:00:00Z", 3.6],
    ] as const)
      await seedSurveys(ctx, {
        organizationId: ctx.organizationId,
        groupId: g.id,
        agentId: agent.agent!.id,
        from: new Date(from),
        n: 6,
        level,
      });
    await createVoiceMessage(db.prisma, {
      organizationId: ctx.organizationId,
      recordedAt: "2026-03-03T09:00:00Z",
      agentExternalId: "kim-07",
      scores: { bemotande: 5, kunskap: 4 },
    });
    resetToken = (await createPasswordReset(db.prisma, manager.user.id, NOW)).token;
    const s = await createSurveyCall(ctx, { state: "no_answer" });
    surveyPath = `/s/${issueLinkToken(ctx.numbers, s.survey.id, ctx.now())}`;
    for (const [role, u] of [
      ["admin", admin],
      ["manager", manager],
      ["agent", agent],
    ] as const) {
      as[role] = new WebClient(app.url);
      await as[role].signIn(u.user.email, TEST_PASSWORD);
    }
    as.anonymous = new WebClient(app.url);
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  const PAGES: [keyof typeof as, string, number][] = [
    ["anonymous", "/login", 200],
    ["anonymous", "/no/such/page", 404],
    ["agent", "/me", 200],
    ["agent", "/me?p=period", 200],
    ["agent", "/me?period=2026-W08", 200],
    ["agent", "/queue", 403],
    ["agent", "/reports/weekly", 403],
    ["manager", "/overview", 200],
    ["manager", "/overview?p=tertial", 200],
    ["manager", "/overview?period=2026-W08", 200],
    ["manager", "/overview?period=inte-en-period", 400],
    ["manager", "/reports/weekly", 200],
    ["manager", "/reports/period", 200],
    ["manager", "/reports/period?period=2025-T3", 200],
    ["manager", "/queue", 200],
    ["manager", "/queue/history", 200],
    ["manager", "/search", 200],
    ["manager", "/search?q=hj%C3%A4lp", 200],
    ["manager", "/admin", 403],
    ["admin", "/admin", 200],
    ["admin", "/admin/targets", 200],
    ["admin", "/admin/audit", 200],
    ["admin", "/admin/users", 200],
    ["admin", "/admin/groups", 200],
    ["admin", "/admin/flows", 200],
    ["admin", "/admin/api-keys", 200],
  ];

  it.each(PAGES)("as %s, %s (status %i) has no English and no raw codes", async (role, path, status) => {
    const res = await as[role].get(path.replace(":id", userId));
    expect(res.status).toBe(status);
    const page = await res.text();
    expect(page).toContain('<html lang="sv">');
    expect(problems(page)).toEqual([]);
  });

  it("the user page, the reset-password page and its expired-link page", async () => {
    for (const [c, path] of [
      [as.admin, `/admin/users/${userId}`],
      [as.anonymous, `/reset-password?token=${resetToken}`],
      [as.anonymous, "/reset-password?token=finns-inte"],
    ] as const) {
      const page = await (await c.get(path)).text();
      expect(problems(page), path).toEqual([]);
    }
  });

  it("the web survey, every step to its thanks page", async () => {
    let page = await (await as.anonymous.get(surveyPath)).text();
    let rounds = 0;
    while (!page.includes('data-survey-state="done"')) {
      expect(problems(page)).toEqual([]);
      expect(++rounds).toBeLessThanOrEqual(10);
      const form: Record<string, string> = {};
      for (const m of page.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)) form[m[1]] = m[2]!;
      for (const m of page.matchAll(/name="(q_[a-z0-9_]+)"/g)) form[m[1]] = "4";
      if (page.includes('name="comment"')) form.comment = "Bra bemötande.";
      const r = await as.anonymous.post(surveyPath, form);
      page = await (await as.anonymous.get(r.headers.get("location") ?? surveyPath)).text();
    }
    expect(problems(page)).toEqual([]);
  });

  it("the 500 page", async () => {
    const app = express();
    app.get("/boom", () => {
      throw new Error("database exploded");
    });
    app.use(errorHandler(createLogger("error", { silent: true }), { wants: wantsErrorPage, render: renderErrorPage }));
    const server = await new Promise<ReturnType<typeof app.listen>>((r) => {
      const s = app.listen(0, "127.0.0.1", () => r(s));
    });
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/boom`, {
        headers: { accept: "text/html" },
      });
      expect(res.status).toBe(500);
      expect(problems(await res.text())).toEqual([]);
    } finally {
      server.close();
    }
  });

  it("notices English and raw codes on a Swedish page", () => {
    expect(problems('<html lang="sv"><p>Sparat. Signed in as <b>Kim</b></p></html>')).toEqual(
      expect.arrayContaining(["English: signed"]),
    );
    expect(problems('<p title="Skip reason: short_call">x</p>')).toContain("code: short_call");
    expect(problems("<li><code>opted_out</code>: 40</li>")).toContain("code: opted_out");
    expect(problems('<td><code class="muted">a1b2c3d4</code></td>')).toEqual([]);
    expect(problems("<p>Skriv till info@kommun.se</p>")).toEqual([]);
    expect(problems("<p>agent01@demo.invalid</p>")).toEqual([]);
    expect(problems('<pre>{"error":{"code":"forbidden"}}</pre>')).toContain('JSON: {"error":');
    expect(problems("<p>Inloggad som Kim. English</p>")).toEqual([]);
  });
});
