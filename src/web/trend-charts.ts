import type { SeriesPoint, SeriesResponse } from "../results/series.js";
import type { Metrics } from "../results/stats.js";
import type { Period } from "../results/periods.js";
import { COLORS, lineChart, type Series } from "./components.js";
import { html, type Html } from "./html.js";
import { msg, type Lang } from "./i18n.js";
import type { Trends } from "./data/trends.js";

/**
 * The "Utveckling" section of the overview and the agent page: three
 * server-drawn SVG line charts (weeks, tertials, months of the year), each
 * with a title, a description and its numbers as a table. A point below the
 * minimum citizens is a gap, never a number.
 */

export function shortLabel(p: Period, L: Lang): string {
  if (p.kind === "week") return `v${Number(p.label.slice(6))}`;
  if (p.kind === "tertial") return `P${p.label.slice(6)} ${p.label.slice(0, 4)}`;
  if (p.kind === "month") return msg(L).terms.monthsShort[Number(p.label.slice(5, 7)) - 1];
  return p.label;
}

export const meanOf = (m: Metrics | null | undefined): number | null =>
  m && !m.tooFew && m.mean !== null && m.n > 0 ? m.mean : null;

const values = (s: SeriesResponse, pick: (p: SeriesPoint) => Metrics = (p) => p) =>
  s.points.map((p) => meanOf(pick(p)));

export interface TrendLines {
  /** The main line's name: "Jag" on the agent page, "Hela kundcenter" on the overview. */
  mainName: string;
  /** Extra weekly lines (the overview's svarsgrupper). */
  weekExtras?: Series[];
}

export function trendSection(t: Trends, L: Lang, o: TrendLines): Html {
  const agent = t.org !== undefined;
  const groupName = t.weeks.group?.find((g) => g.groupName)?.groupName ?? msg(L).common.mySvarsgrupp;
  const lastYear = msg(L).common.samePeriodLastYear;
  const groupLine = (s: SeriesResponse): Series[] =>
    s.group
      ? [{ name: groupName, values: s.group.map((g) => meanOf(g.metrics)), color: COLORS.group, dash: "6 4" }]
      : [];
  const orgLine = (s: SeriesResponse | undefined): Series[] =>
    s ? [{ name: msg(L).common.wholeCentre, values: values(s), color: COLORS.org, dash: "2 3" }] : [];
  const main = (s: SeriesResponse): Series => ({
    name: o.mainName,
    values: values(s),
    color: agent ? COLORS.me : "#1b1f24",
  });
  const previous = (s: SeriesResponse): Series => ({
    name: lastYear,
    values: values(s, (p) => p.previousYear),
    color: COLORS.bench,
    dash: "3 3",
  });
  const desc = (what: string) => msg(L).common.meanScore15(what);
  const weeksTitle = msg(L).common.nkiPerWeekLast(t.weeks.points.length);
  const tertialsTitle = msg(L).common.nkiPerTertialLast(t.tertials.points.length);
  const year = t.months.points[0]?.period.label.slice(0, 4) ?? "";
  const monthsTitle = msg(L).common.nkiPerMonthIn(year);
  return html`<div class="trends" data-testid="trends">
<h3>${msg(L).common.weeks}</h3>
${lineChart({
  labels: t.weeks.points.map((p) => shortLabel(p.period, L)),
  series: [main(t.weeks), ...groupLine(t.weeks), ...orgLine(t.org?.weeks), ...(o.weekExtras ?? [])],
  title: weeksTitle,
  desc: desc(weeksTitle),
  lang: L,
})}
<h3>${msg(L).common.tertials}</h3>
${lineChart({
  labels: t.tertials.points.map((p) => shortLabel(p.period, L)),
  series: [main(t.tertials), ...groupLine(t.tertials), ...orgLine(t.org?.tertials), previous(t.tertials)],
  title: tertialsTitle,
  desc: desc(tertialsTitle),
  lang: L,
})}
<h3>${msg(L).common.monthsOfYear}</h3>
${lineChart({
  labels: t.months.points.map((p) => shortLabel(p.period, L)),
  series: [main(t.months), ...groupLine(t.months), previous(t.months)],
  title: monthsTitle,
  desc: desc(monthsTitle),
  lang: L,
})}
</div>`;
}
