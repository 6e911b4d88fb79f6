import { describe, expect, it } from "vitest";
import { renderQueueBody } from "../src/review/queue-page.js";
import type { WeekQueue } from "../src/review/service.js";
import { msg } from "../src/i18n/index.js";
import { cellHtml } from "../src/web/components.js";

// Issue 11: numbers on pages in Swedish, through src/i18n/format.ts: U+202F between thousands, a
// decimal comma. A figure interpolated raw (`${n}`, String(n), toFixed) shows "1234" or "4.2".
const THIN = "\u202f";

function weekQueue(total: number): WeekQueue {
  return {
    week: "2026-W48",
    isCurrentWeek: false,
    timeZone: "Europe/Stockholm",
    start: new Date("2026-11-22T23:00:00Z"),
    end: new Date("2026-11-29T23:00:00Z"),
    previousWeek: "2026-W47",
    nextWeek: "2026-W49",
    currentWeek: "2026-W49",
    counts: { total, unreviewed: 1500, listened: total - 1500, byClassification: { klagomal: 1001 }, carriedOver: 0 },
    recentWeeks: [{ week: "2026-W48", total, unreviewed: 1500 }],
    page: 1,
    pageSize: 20,
    totalItems: total,
    pageCount: Math.ceil(total / 20),
    items: [],
    forvaltningar: [],
  };
}

describe("numbers on pages follow the language's format", () => {
  it("the listening queue's counts: 2 345 in Swedish, 2,345 in English", () => {
    const sv = String(renderQueueBody({ q: weekQueue(2345), lang: "sv", csrfToken: "x" }));
    expect(sv).toContain(`data-count="total">2${THIN}345<`);
    expect(sv).toContain(`data-count="unreviewed">1${THIN}500<`);
    expect(sv).toContain(`data-count="class-klagomal">1${THIN}001<`);
    expect(sv).toContain(`(2${THIN}345)`);
    expect(sv).not.toMatch(/>2345</);
    const en = String(renderQueueBody({ q: weekQueue(2345), lang: "en", csrfToken: "x" }));
    expect(en).toContain('data-count="total">2,345<');
  });

  it("a result cell: decimal comma, grouped respondents and answers", () => {
    const ok = String(cellHtml({ mean: 4.2, n: 12345, respondents: 1800, satisfiedShare: 0.8 }, "sv"));
    expect(ok).toContain("4,20");
    expect(ok).not.toContain("4.2");
    const few = String(cellHtml({ mean: null, n: 12345, respondents: 1800, satisfiedShare: null, tooFew: true }, "sv"));
    expect(few).toContain(`1${THIN}800 svarande`);
    expect(few).toContain(`12${THIN}345 svar`);
  });

  it("catalogue texts with a number format it", () => {
    expect(msg("sv").transcripts.searchPage.results(1234)).toBe(`1${THIN}234 träffar`);
    expect(msg("en").transcripts.searchPage.results(1234)).toBe("1,234 results");
    expect(msg("sv").queue.historyPage.truncated(5000)).toBe(`Visar de 5${THIN}000 senaste händelserna.`);
    expect(msg("sv").websurvey.refused.commentMax(2000)).toBe(`högst 2${THIN}000 tecken`);
  });
});
