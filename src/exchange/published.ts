import { parse } from "csv-parse/sync";
import { z } from "zod";
import type { Db, Prisma } from "../lib/db.js";
import { AppError } from "../lib/errors.js";
import { parsePeriod, type Period } from "../results/periods.js";

/**
 * Figures published elsewhere, e.g. SKR's servicemätning of telephone
 * contacts (bemötande and enkelhet indices per municipality and year). They
 * come from another method (other questions, other scale, other sampling),
 * so they are shown as context lines with their source and method and never
 * pooled with this service's answers. An import is all or nothing: every row
 * is checked first, and any bad row rejects the file with its line, field and
 * reason; the good rows are then written in one transaction.
 */
export const PUBLISHED_COLUMNS = ["municipality", "period", "measure", "value", "n", "source", "method"] as const;

const text = (max: number) => z.string().trim().min(1, "required").max(max, `at most ${max} characters`);
const rowSchema = z.object({
  municipality: text(120),
  period: text(20).refine(
    (p) => {
      try {
        parsePeriod(p);
        return true;
      } catch {
        return false;
      }
    },
    { message: "expected a year (2025), tertial (2025-P2), month (2025-03) or week (2025-W14)" },
  ),
  measure: text(80),
  value: z.preprocess(decimal, z.number({ message: "expected a number" })),
  n: z.preprocess(
    (v) => (v === "" || v === null || v === undefined ? undefined : decimal(v)),
    z
      .number({ message: "expected a whole number" })
      .int("expected a whole number")
      .min(0, "must be 0 or more")
      .optional(),
  ),
  source: text(200),
  method: text(200),
});
export type PublishedRow = z.infer<typeof rowSchema>;

/** "78,5" as Swedish spreadsheets write it, or a plain number. */
function decimal(v: unknown): unknown {
  if (typeof v !== "string") return v;
  const t = v.trim().replace(/\s/g, "");
  if (!/^-?\d+([.,]\d+)?$/.test(t)) return v;
  return Number(t.replace(",", "."));
}

export interface RowError {
  line: number;
  field: string;
  reason: string;
}

function delimiterOf(csv: string): string {
  const header = csv.split(/\r?\n/, 1)[0] ?? "";
  return header.includes(";") ? ";" : header.includes("\t") ? "\t" : ",";
}

function readCsv(csv: string): { line: number; record: Record<string, unknown> }[] {
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parse(csv, {
      bom: true,
      // "year" is accepted for "period": SKR's tables are per year.
      columns: (h: string[]) => h.map((c) => (c.trim().toLowerCase() === "year" ? "period" : c.trim().toLowerCase())),
      // One delimiter, taken from the header: Swedish files use ";" so that "78,5" can keep its comma.
      delimiter: delimiterOf(csv),
      skip_empty_lines: true,
      info: true,
    });
  } catch (err) {
    throw new AppError("validation_failed", `Cannot read the CSV: ${(err as Error).message}`, [
      { field: "file", message: (err as Error).message },
    ]);
  }
  const header = records.length ? Object.keys(records[0].record) : [];
  const missing = PUBLISHED_COLUMNS.filter((c) => c !== "n" && !header.includes(c));
  if (records.length && missing.length)
    throw new AppError("validation_failed", `Missing column(s): ${missing.join(", ")}`, [
      { field: "file", message: `expected columns ${PUBLISHED_COLUMNS.join(", ")} (year may stand for period)` },
    ]);
  return records.map((r) => ({ line: r.info.lines, record: r.record }));
}

/** Validates every row; returns the rows or every error found (line = CSV line, or JSON array index + 1). */
export function validatePublished(input: { csv: string } | { rows: unknown }): {
  rows: PublishedRow[];
  errors: RowError[];
} {
  let records: { line: number; record: unknown }[];
  if ("csv" in input) records = readCsv(input.csv);
  else if (Array.isArray(input.rows))
    records = input.rows.map((r: unknown, i) => {
      const o = r && typeof r === "object" ? { ...(r as Record<string, unknown>) } : r;
      if (o && typeof o === "object" && !("period" in o) && "year" in o)
        (o as Record<string, unknown>).period = String((o as Record<string, unknown>).year);
      return { line: i + 1, record: o };
    });
  else throw new AppError("validation_failed", "Expected a JSON array of rows", [{ field: "body", message: "array" }]);
  const rows: PublishedRow[] = [];
  const errors: RowError[] = [];
  const seen = new Map<string, number>();
  for (const { line, record } of records) {
    const parsed = rowSchema.safeParse(record);
    if (!parsed.success) {
      for (const i of parsed.error.issues) errors.push({ line, field: i.path.join(".") || "(row)", reason: i.message });
      continue;
    }
    const r = parsed.data;
    r.period = parsePeriod(r.period).label;
    const key = [r.municipality, r.period, r.measure, r.source].join("\u0000");
    const first = seen.get(key);
    if (first !== undefined) {
      errors.push({
        line,
        field: "measure",
        reason: `the same municipality, period, measure and source as line ${first}`,
      });
      continue;
    }
    seen.set(key, line);
    rows.push(r);
  }
  return { rows, errors };
}

/** Imports the rows (new ones added, existing ones updated) or, on any bad row, nothing. */
export async function importPublishedFigures(
  prisma: Prisma,
  input: { csv: string } | { rows: unknown },
  now: Date,
): Promise<{ imported: number }> {
  const { rows, errors } = validatePublished(input);
  if (errors.length)
    throw new AppError(
      "validation_failed",
      `${errors.length} bad row(s); nothing was imported`,
      errors.slice(0, 200).map((e) => ({ field: `line ${e.line}: ${e.field}`, message: e.reason, line: e.line })),
    );
  if (rows.length === 0) throw new AppError("validation_failed", "No rows", [{ field: "file", message: "empty" }]);
  await prisma.$transaction(async (tx) => {
    for (const r of rows) {
      const data = { value: r.value, n: r.n ?? null, method: r.method, importedAt: now };
      await tx.publishedFigure.upsert({
        where: {
          municipality_period_measure_source: {
            municipality: r.municipality,
            period: r.period,
            measure: r.measure,
            source: r.source,
          },
        },
        create: { municipality: r.municipality, period: r.period, measure: r.measure, source: r.source, ...data },
        update: data,
      });
    }
  });
  return { imported: rows.length };
}

export interface ContextLine {
  municipality: string;
  period: string;
  measure: string;
  value: number;
  n: number | null;
  source: string;
  method: string;
  /** Always false: another method; shown beside the results, never pooled with them. */
  comparable: false;
}

/** Figures for the period itself, or for the calendar year it lies in. */
export async function contextLinesFor(db: Db, period: Period): Promise<ContextLine[]> {
  const labels = [period.label];
  if (period.from.slice(0, 4) === period.to.slice(0, 4)) labels.push(period.from.slice(0, 4));
  const rows = await db.publishedFigure.findMany({
    where: { period: { in: labels } },
    orderBy: [{ measure: "asc" }, { municipality: "asc" }],
    select: { municipality: true, period: true, measure: true, value: true, n: true, source: true, method: true },
  });
  return rows.map((r) => ({ ...r, comparable: false as const }));
}
