import { parse } from "csv-parse/sync";
import type { ErrorDetail } from "../lib/errors.js";
import { wallClockToInstant } from "./calling-window.js";
import { MAX_BATCH } from "./schema.js";
import { ingestCalls, type IntakeDeps, type IntakeResult } from "./service.js";

/**
 * Call logs exported by telephony systems that cannot post to the API. One
 * header row, comma or semicolon separated (Swedish Excel writes semicolons),
 * UTF-8 with or without BOM. Columns, in any order:
 *   externalCallId, callerNumber, agentId, agentName?, groupKey, groupName?,
 *   startedAt, endedAt, queueSeconds, language?
 * Times are ISO 8601 with an offset, or local wall-clock times
 * ("2026-03-31 10:15:00") read in the organization's time zone.
 * Each row goes through the same intake as the API.
 */
export const CSV_COLUMNS = [
  "externalCallId",
  "callerNumber",
  "agentId",
  "agentName",
  "groupKey",
  "groupName",
  "startedAt",
  "endedAt",
  "queueSeconds",
  "language",
] as const;
const REQUIRED = ["externalCallId", "callerNumber", "agentId", "groupKey", "startedAt", "endedAt", "queueSeconds"];

/** API field paths back to the CSV column a user can fix. */
const COLUMN_OF: Record<string, string> = {
  "agent.externalId": "agentId",
  "agent.name": "agentName",
  "group.key": "groupKey",
  "group.name": "groupName",
};

export interface CsvRow {
  line: number;
  call: Record<string, unknown>;
}

export class CsvFormatError extends Error {}

function toInstant(value: string, timeZone: string): string {
  return wallClockToInstant(value, timeZone)?.toISOString() ?? value;
}

const blankToUndefined = (v: string | undefined) => (v === undefined || v.trim() === "" ? undefined : v);

export function parseCallsCsv(text: string, timeZone: string): CsvRow[] {
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parse(text, {
      bom: true,
      columns: (h: string[]) => h.map((c) => c.trim()),
      delimiter: [",", ";"],
      skip_empty_lines: true,
      trim: true,
      info: true,
      relax_column_count: true,
    });
  } catch (err) {
    throw new CsvFormatError(`Cannot read the CSV file: ${(err as Error).message}`);
  }
  const header = records.length > 0 ? Object.keys(records[0].record) : [];
  const missing = REQUIRED.filter((c) => !header.includes(c));
  if (records.length > 0 && missing.length > 0)
    throw new CsvFormatError(`Missing column(s): ${missing.join(", ")}. Expected: ${CSV_COLUMNS.join(", ")}`);
  return records.map(({ record: r, info }) => {
    const queue = blankToUndefined(r.queueSeconds);
    return {
      line: info.lines,
      call: {
        externalCallId: r.externalCallId,
        callerNumber: r.callerNumber ?? null,
        agent: { externalId: r.agentId, name: blankToUndefined(r.agentName) },
        group: { key: r.groupKey, name: blankToUndefined(r.groupName) },
        startedAt: r.startedAt === undefined ? undefined : toInstant(r.startedAt, timeZone),
        endedAt: r.endedAt === undefined ? undefined : toInstant(r.endedAt, timeZone),
        queueSeconds: queue === undefined ? undefined : /^\d+$/.test(queue) ? Number(queue) : queue,
        language: blankToUndefined(r.language),
      },
    };
  });
}

export interface CsvImportReport {
  accepted: { line: number; result: Extract<IntakeResult, { ok: true }> }[];
  rejected: { line: number; details: ErrorDetail[] }[];
}

export async function importCallsCsv(
  deps: IntakeDeps,
  organizationId: string,
  text: string,
  timeZone: string,
): Promise<CsvImportReport> {
  const rows = parseCallsCsv(text, timeZone);
  const report: CsvImportReport = { accepted: [], rejected: [] };
  for (let start = 0; start < rows.length; start += MAX_BATCH) {
    const chunk = rows.slice(start, start + MAX_BATCH);
    const results = await ingestCalls(
      deps,
      organizationId,
      chunk.map((r) => r.call),
    );
    for (const r of results) {
      const line = chunk[r.index].line;
      if (r.ok) report.accepted.push({ line, result: r });
      else
        report.rejected.push({
          line,
          details: r.details.map((d) => ({ ...d, field: d.field && (COLUMN_OF[d.field] ?? d.field) })),
        });
    }
  }
  return report;
}
