/**
 * Rows as CSV (RFC 4180): nested objects become dotted columns
 * (ci95.mean.low, previousYear.mean), the column set is the union over all
 * rows in first-seen order, and text cells that a spreadsheet would run as a
 * formula are prefixed with an apostrophe (group names come from outside).
 */
type Flat = Record<string, string | number | boolean | null>;

function flatten(value: unknown, prefix: string, out: Flat): void {
  if (value === null || value === undefined) {
    if (prefix) out[prefix] = null;
  } else if (Array.isArray(value)) {
    out[prefix] = JSON.stringify(value);
  } else if (typeof value === "object") {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else {
    out[prefix] = value as string | number | boolean;
  }
}

export function csvCell(v: string | number | boolean | null | undefined): string {
  if (v === null || v === undefined) return "";
  let s = String(v);
  if (typeof v === "string" && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function toCsv(rows: readonly object[], opts: { omit?: string[] } = {}): string {
  const flat = rows.map((r) => {
    const f: Flat = {};
    flatten(r, "", f);
    for (const o of opts.omit ?? []) delete f[o];
    return f;
  });
  const columns: string[] = [];
  const seen = new Set<string>();
  for (const f of flat)
    for (const k of Object.keys(f))
      if (!seen.has(k)) {
        seen.add(k);
        columns.push(k);
      }
  const lines = [columns.map(csvCell).join(","), ...flat.map((f) => columns.map((c) => csvCell(f[c])).join(","))];
  return `${lines.join("\r\n")}\r\n`;
}
