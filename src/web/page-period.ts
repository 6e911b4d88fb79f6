import { z } from "zod";
import { parseOrThrow } from "../lib/errors.js";
import { localTime } from "../lib/calendar.js";
import { parsePeriod, periodContaining, periodFromPicker, type Period } from "../results/periods.js";

/**
 * The period a signed-in page shows, read from its URL: `?period=2026-W48`
 * (any week, month, tertial or year, the parser of results/periods.ts), the
 * picker's plain GET form (`kind`, `year`, `number`), or a shortcut tab
 * (`?p=week`, …) that means "the current one". A bad value is an AppError
 * naming the parameter, which the app's error page shows in Swedish (400).
 */
const text = z.string().max(30).optional();
export const pagePeriodQuery = z.object({
  p: text,
  period: text,
  kind: z.string().max(10).optional(),
  year: z.string().max(10).optional(),
  number: z.string().max(10).optional(),
});

/** The named period in the URL, or undefined when the page should use its default (a tab or nothing). */
export function periodInQuery(query: unknown): { period?: Period; tab?: string } {
  const q = parseOrThrow(pagePeriodQuery, query, "query");
  if (q.kind !== undefined) return { period: periodFromPicker(q.kind, q.year ?? "", q.number) };
  if (q.period !== undefined && q.period !== "") return { period: parsePeriod(q.period, "period") };
  return { tab: q.p };
}

/** Whether a period contains today in the organization's time zone: only then do live updates change it. */
export function isCurrentPeriod(p: Period, now: Date, timeZone: string): boolean {
  const today = localTime(now, timeZone).day;
  return p.from <= today && today <= p.to;
}

/**
 * The last period of `kind` a trend ending at `p` should show: the one that
 * contains p's last day, or today's when p runs into the future.
 */
export function trendEnd(kind: "week" | "month" | "tertial", p: Period, now: Date, timeZone: string): Period {
  const today = localTime(now, timeZone).day;
  const last = p.to < today ? p.to : today;
  return periodContaining(kind, new Date(`${last}T12:00:00Z`), "UTC");
}
