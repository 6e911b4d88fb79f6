import { parse, type CsvError } from "csv-parse/sync";
import type { ErrorDetail } from "../lib/errors.js";
import { scrubPhoneNumbers } from "../lib/scrub.js";
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

/**
 * The file's bytes as text, or a CsvFormatError that says what the file is:
 * UTF-8 with or without BOM is read; UTF-16 (Excel's "Unicode text"), a
 * spreadsheet or other binary file, or another 8-bit encoding is refused with
 * what to do instead.
 */
export function decodeCsvFile(bytes: Uint8Array): string {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const saveAs = 'Save it from the spreadsheet program as "CSV UTF-8" and import that file.';
  if ((b[0] === 0xff && b[1] === 0xfe) || (b[0] === 0xfe && b[1] === 0xff))
    throw new CsvFormatError(`The file is UTF-16 text, not UTF-8. ${saveAs}`);
  if (b.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04])))
    throw new CsvFormatError(`The file is a spreadsheet or zip archive (e.g. .xlsx), not a CSV file. ${saveAs}`);
  const head = b.subarray(0, 4096);
  const nuls = head.filter((x) => x === 0).length;
  if (nuls > 0) {
    // Every other byte NUL: UTF-16 without a byte order mark.
    const oddNuls = head.filter((x, i) => x === 0 && i % 2 === 1).length;
    const evenNuls = nuls - oddNuls;
    if (nuls >= head.length / 4 && (oddNuls === 0 || evenNuls === 0))
      throw new CsvFormatError(`The file looks like UTF-16 text, not UTF-8. ${saveAs}`);
    throw new CsvFormatError(`The file is binary, not a CSV text file. ${saveAs}`);
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(b);
  } catch {
    throw new CsvFormatError(
      `The file is not UTF-8 text (perhaps Windows-1252, "CSV (semikolonavgränsad)"). ${saveAs}`,
    );
  }
  return text.replace(/^\uFEFF/, "");
}

function toInstant(value: string, timeZone: string): string {
  return wallClockToInstant(value, timeZone)?.toISOString() ?? value;
}

const blankToUndefined = (v: string | undefined) => (v === undefined || v.trim() === "" ? undefined : v);

export interface CsvRejection {
  line: number;
  details: ErrorDetail[];
}

/** One line's fields; throws the reader's error for a line it cannot take. */
const fieldsOf = (line: string): string[] =>
  parse(line, { delimiter: [",", ";"], trim: true, relax_column_count: true })[0] ?? [];

/**
 * Reads the rows line by line, so a line the CSV reader cannot take (a stray
 * quote) is reported with its number and cannot swallow the lines after it.
 * Call logs have no line breaks inside fields. Throws CsvFormatError only for
 * the file as a whole (missing columns).
 */
export function parseCallsCsv(text: string, timeZone: string): { rows: CsvRow[]; rejected: CsvRejection[] } {
  const lines = text.replace(/^\uFEFF/, "").split(/\r\n|\n|\r/);
  const rejected: CsvRejection[] = [];
  const rows: CsvRow[] = [];
  let header: string[] | null = null;
  lines.forEach((raw, i) => {
    if (raw.trim() === "") return;
    const line = i + 1;
    let fields: string[];
    try {
      fields = fieldsOf(raw);
    } catch (err) {
      if (!header)
        throw new CsvFormatError(`Cannot read the header line: ${scrubPhoneNumbers((err as Error).message)}`);
      // The reader quotes the line's content in some messages: never a number in a report.
      rejected.push({ line, details: [{ field: "(line)", message: scrubPhoneNumbers((err as CsvError).message) }] });
      return;
    }
    if (!header) {
      header = fields.map((c) => c.trim());
      const missing = REQUIRED.filter((c) => !header!.includes(c));
      if (missing.length > 0)
        throw new CsvFormatError(`Missing column(s): ${missing.join(", ")}. Expected: ${CSV_COLUMNS.join(", ")}`);
      return;
    }
    const r: Record<string, string | undefined> = {};
    header.forEach((name, k) => (r[name] = fields[k]));
    rows.push({ line, call: toCall(r, timeZone) });
  });
  return { rows, rejected };
}

function toCall(r: Record<string, string | undefined>, timeZone: string): Record<string, unknown> {
  const queue = blankToUndefined(r.queueSeconds);
  return {
    externalCallId: r.externalCallId,
    callerNumber: r.callerNumber ?? null,
    agent: { externalId: r.agentId, name: blankToUndefined(r.agentName) },
    group: { key: r.groupKey, name: blankToUndefined(r.groupName) },
    startedAt: r.startedAt === undefined ? undefined : toInstant(r.startedAt, timeZone),
    endedAt: r.endedAt === undefined ? undefined : toInstant(r.endedAt, timeZone),
    queueSeconds: queue === undefined ? undefined : /^\d+$/.test(queue) ? Number(queue) : queue,
    language: blankToUndefined(r.language),
  };
}

export interface CsvImportReport {
  /** Data rows read (accepted + rejected). */
  read: number;
  accepted: { line: number; result: Extract<IntakeResult, { ok: true }> }[];
  rejected: CsvRejection[];
}

/**
 * Imports in chunks through the API's intake, row by row: a bad line is
 * reported and the others are stored. A chunk that fails as a whole (the
 * database went away) is reported line by line and the import goes on, so the
 * report always says which lines were stored.
 */
export async function importCallsCsv(
  deps: IntakeDeps,
  organizationId: string,
  text: string,
  timeZone: string,
): Promise<CsvImportReport> {
  const { rows, rejected } = parseCallsCsv(text, timeZone);
  const report: CsvImportReport = { read: rows.length + rejected.length, accepted: [], rejected: [...rejected] };
  for (let start = 0; start < rows.length; start += MAX_BATCH) {
    const chunk = rows.slice(start, start + MAX_BATCH);
    let results: IntakeResult[];
    try {
      results = await ingestCalls(
        deps,
        organizationId,
        chunk.map((r) => r.call),
      );
    } catch (err) {
      deps.logger.error("CSV import: a chunk could not be stored", { firstLine: chunk[0].line, err });
      const message = `not stored: ${scrubPhoneNumbers((err as Error).message ?? String(err)).slice(0, 200)}`;
      for (const r of chunk) report.rejected.push({ line: r.line, details: [{ field: "(row)", message }] });
      continue;
    }
    for (const r of results) {
      const line = chunk[r.index].line;
      if (r.ok) report.accepted.push({ line, result: r });
      else
        report.rejected.push({
          line,
          details: r.details.map((d) => ({
            field: d.field && (COLUMN_OF[d.field] ?? d.field),
            message: scrubPhoneNumbers(d.message),
          })),
        });
    }
  }
  report.rejected.sort((a, b) => a.line - b.line);
  return report;
}
