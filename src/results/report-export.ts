import { questionLabel } from "../web/questions.js";
import { csvCell } from "./csv.js";
import { funnelRows, questionKeys } from "./report-render.js";
import { classificationName, periodName, reportTitle } from "./report-text.js";
import type { ReportData } from "./reports.js";
import type { Change, Metrics } from "./stats.js";
import { overallPosition, type TargetCheck, type TargetPosition } from "./targets.js";
import { channelNames } from "../web/channel-switch.js";

/**
 * The tertial (or weekly) report as spreadsheet sections: one sheet per
 * section in XLSX, the same sections one after another in CSV. Headings are
 * Swedish, numbers stay numbers (a mean hidden by the minimum-n rule is an
 * empty cell, never a text), and CSV text cells get the formula guard of csv.ts.
 */
export type ExportCell = string | number | boolean | null;

export interface ExportSheet {
  /** Sheet name (≤ 31 characters, no []:*?/\). */
  name: string;
  /** What the table holds. */
  title: string;
  columns: string[];
  rows: ExportCell[][];
  /** Number formats per column index (XLSX), e.g. "0.00" for means, "0%" for shares. */
  formats?: Record<number, string>;
}

const L = "sv" as const;
const mean = (m: Metrics | null | undefined): number | null => (m && !m.tooFew && m.mean !== null ? m.mean : null);
const diff = (c: Change | undefined) => (c && !c.suppressed ? c.difference : null);
const MEAN = "0.00";
/** "telefon", "webb" or "telefon + webb": which answers a figure counts, in every file that has figures. */
const channelText = (channels: string | readonly string[]) =>
  channelNames(typeof channels === "string" ? channels.split("+") : channels, L);
/** The title line of a file: the report, the organization and the channels its NKI figures include. */
const fileTitle = (d: ReportData) =>
  `${reportTitle(d.period, L)} – ${d.organizationName} – NKI från ${channelText(d.channels)}`;

/** The position against the target band, as the pages' badges say it: one of three words, filterable. */
const POSITION_WORD: Record<TargetPosition, string> = { under: "under", within: "inom", above: "över" };
const position = (r: { targets?: readonly TargetCheck[] } | null | undefined): string | null => {
  const p = r?.targets ? overallPosition(r.targets) : null;
  return p ? POSITION_WORD[p] : null;
};

export function reportSheets(d: ReportData): ExportSheet[] {
  const keys = questionKeys(d);
  const questions: ExportSheet = {
    name: "Per fråga",
    title: "Medelbetyg (1–5) per fråga för hela kundcentret",
    columns: [
      "Fråga",
      "Medelbetyg",
      "Svarande",
      "Svar",
      "Andel nöjda (4–5)",
      "Samma period förra året",
      "Svarande förra året",
      "Förändring",
      "Förändring, 95 % lägre gräns",
      "Förändring, 95 % övre gräns",
      "Säker förändring",
      "Övriga kommuner",
      "Antal övriga kommuner",
      "Mål nått",
      "Mot målet (under/inom/över)",
      "Kanaler",
    ],
    rows: [d.total, ...d.totalQuestions].map((r) => [
      questionLabel(r.questionKey ?? "overall", L),
      mean(r),
      r.respondents,
      r.n,
      r.tooFew ? null : r.satisfiedShare,
      mean(r.previousYear),
      r.previousYear?.respondents ?? null,
      diff(r.change),
      r.change && !r.change.suppressed ? (r.change.ci95?.low ?? null) : null,
      r.change && !r.change.suppressed ? (r.change.ci95?.high ?? null) : null,
      r.change && !r.change.suppressed ? r.change.significant : null,
      r.benchmark?.mean ?? null,
      r.benchmark?.organizations ?? null,
      r.targetMet ?? null,
      position(r),
      channelText(r.channels),
    ]),
    formats: { 1: MEAN, 4: "0%", 5: MEAN, 7: MEAN, 8: MEAN, 9: MEAN, 11: MEAN },
  };
  const groups: ExportSheet = {
    name: "Per svarsgrupp",
    title: "Medelbetyg (1–5) per svarsgrupp och fråga",
    columns: [
      "Svarsgrupp",
      "NKI",
      "NKI förra året",
      ...keys.map((k) => questionLabel(k, L)),
      "Svarande",
      "Mål NKI nått",
      "NKI mot målet (under/inom/över)",
      "Kanaler",
    ],
    rows: d.groups.map((g) => [
      g.groupName,
      mean(g.overall),
      mean(g.overall.previousYear),
      ...keys.map((k) => mean(g.questions.find((q) => q.questionKey === k))),
      g.overall.respondents,
      g.overall.targetMet ?? null,
      position(g.overall),
      channelText(g.overall.channels),
    ]),
    formats: Object.fromEntries([1, 2, ...keys.map((_, i) => i + 3)].map((i) => [i, MEAN])),
  };
  const answerTime: ExportSheet = {
    name: "Svarstid",
    title: "Betyg på svarstiden, snittkötid och besvarade samtal per svarsgrupp",
    columns: ["Svarsgrupp", "Betyg svarstid (1–5)", "Svarande", "Snittkötid (sekunder)", "Besvarade samtal"],
    rows: d.groups.map((g) => [
      g.groupName,
      mean(g.answerTime),
      g.answerTime?.respondents ?? 0,
      g.meanQueueSeconds === null ? null : Math.round(g.meanQueueSeconds),
      g.calls,
    ]),
    formats: { 1: MEAN },
  };
  const funnel: ExportSheet = {
    name: "Undersökningen",
    title: "Från avslutat samtal till enkätsvar, och svarsfrekvensen",
    columns: ["Steg", "Antal"],
    rows: [
      ...funnelRows(d, L),
      ["Svarsfrekvens", d.funnel.responseRate],
      ["Svarsfrekvens telefon och webb (av utvalda)", d.funnel.responseRateAllChannels],
    ],
  };
  const r = d.reviews;
  const reviews: ExportSheet = {
    name: "Synpunkter per kategori",
    title: "Röstmeddelanden från lyssningskön per kategori",
    columns: ["Kategori", "Antal", "Registrerade", "Ej registrerade"],
    rows: [
      ...r.byCategory.map((c) => [
        classificationName(c.classification, L),
        c.total,
        c.needsRegistration ? c.registered : null,
        c.needsRegistration ? c.total - c.registered : null,
      ]),
      ["Ej granskade", r.unreviewed, null, null],
      ["Alla röstmeddelanden", r.total, r.registered, r.notRegistered],
    ],
  };
  const forvaltning: ExportSheet = {
    name: "Synpunkter per förvaltning",
    title: "Synpunkter (klagomål, beröm, förslag) per förvaltning",
    columns: ["Förvaltning", "Synpunkter", "Registrerade", "Ej registrerade"],
    rows: r.byForvaltning.map((f) => [f.forvaltning || "(ingen angiven)", f.total, f.registered, f.notRegistered]),
  };
  const notes: ExportSheet = {
    name: "Anteckningar",
    title: "Exempel ur enhetschefens anteckningar",
    columns: ["Datum", "Svarsgrupp", "Kategori", "Förvaltning", "Anteckning"],
    rows: r.examples.map((e) => [
      e.recordedAt.toISOString().slice(0, 10),
      e.groupName,
      e.classification ? classificationName(e.classification, L) : null,
      e.forvaltning,
      e.note,
    ]),
  };
  const trend: ExportSheet = {
    name: "Trend",
    title: `NKI per period med samma period förra året (${channelText(d.channels)})`,
    columns: ["Period", "NKI", "Svarande", "Samma period förra året", "Förändring", "Säker förändring"],
    rows: d.trend.map((p) => [
      periodName(p.period, L),
      mean(p),
      p.respondents,
      mean(p.previousYear),
      diff(p.change),
      p.change.suppressed ? null : p.change.significant,
    ]),
    formats: { 1: MEAN, 3: MEAN, 4: MEAN },
  };
  const coaching: ExportSheet = {
    name: "Coachning",
    title: `Kommunvägledare under sin grupp eller under målet (${d.coaching.window.from} – ${d.coaching.window.to})`,
    columns: ["Kommunvägledare", "Svarsgrupp", "Fråga", "Medelbetyg", "Svar", "Jämfört med", "Jämförelsevärde"],
    rows: d.coaching.flags.map((f) => [
      f.agentName ?? f.agentExternalId,
      f.groupName,
      questionLabel(f.questionKey, L),
      f.mean,
      f.n,
      f.reference.kind === "group" ? "gruppen" : "målet",
      f.reference.kind === "group" ? f.reference.mean : f.reference.threshold,
    ]),
    formats: { 3: MEAN },
  };
  return [questions, groups, answerTime, funnel, reviews, forvaltning, notes, trend, coaching];
}

/** A file name without spaces or Swedish letters: tertialrapport-2026-P3.xlsx; a chosen channel is named (…-P3-web.xlsx). */
export function exportFileName(d: ReportData, ext: "xlsx" | "csv"): string {
  const kind = d.period.kind === "tertial" ? "tertialrapport" : d.period.kind === "week" ? "veckorapport" : "rapport";
  const channel = d.channel ? `-${d.channel}` : "";
  return `${kind}-${d.period.label.replace(/[^0-9A-Za-z-]/g, "_")}${channel}.${ext}`;
}

export async function reportXlsx(d: ReportData): Promise<Buffer> {
  // Loaded when a workbook is asked for: exceljs takes over a second to import, paid by every start otherwise.
  const { default: ExcelJS } = await import("exceljs");
  const wb = new ExcelJS.Workbook();
  wb.creator = "NKI";
  wb.title = fileTitle(d);
  for (const s of reportSheets(d)) {
    const ws = wb.addWorksheet(s.name);
    ws.addRow([
      `${s.title} – ${d.organizationName}, ${reportTitle(d.period, L)}, NKI från ${channelText(d.channels)}`,
    ]).font = { bold: true };
    const head = ws.addRow(s.columns);
    head.font = { bold: true };
    for (const row of s.rows) ws.addRow(row.map((c) => (typeof c === "boolean" ? (c ? "ja" : "nej") : c)));
    for (const [i, fmt] of Object.entries(s.formats ?? {})) ws.getColumn(Number(i) + 1).numFmt = fmt;
    if (s.name === "Undersökningen") ws.getCell(ws.rowCount, 2).numFmt = "0%";
    ws.columns.forEach((c, i) => {
      c.width = Math.min(
        50,
        Math.max(10, ...[s.columns[i] ?? "", ...s.rows.map((r) => String(r[i] ?? ""))].map((x) => x.length + 2)),
      );
    });
    ws.views = [{ state: "frozen", ySplit: 2 }];
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** All sections in one CSV: a title line, the headings, the rows, a blank line between sections. */
export function reportCsv(d: ReportData): string {
  const lines: string[] = [csvCell(fileTitle(d)), ""];
  for (const s of reportSheets(d)) {
    lines.push(csvCell(s.title), s.columns.map(csvCell).join(","));
    for (const row of s.rows)
      lines.push(row.map((c) => csvCell(typeof c === "boolean" ? (c ? "ja" : "nej") : c)).join(","));
    lines.push("");
  }
  return `\uFEFF${lines.join("\r\n")}\r\n`;
}
