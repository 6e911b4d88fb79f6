/**
 * HTTP Range for audio (RFC 9110 §14): one byte range, inclusive bounds.
 * Several ranges are answered with the whole body (allowed: a server may
 * ignore Range), which is what <audio> never asks for anyway.
 */
export type RangeResult =
  { kind: "full" } | { kind: "partial"; start: number; end: number } | { kind: "unsatisfiable" };

export function parseRange(header: string | undefined, size: number): RangeResult {
  if (!header) return { kind: "full" };
  const m = /^bytes=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header.trim());
  if (!m) {
    // Other units or several ranges: ignore Range; a malformed bytes= is unsatisfiable.
    return /^bytes=/i.test(header.trim()) && !header.includes(",") ? { kind: "unsatisfiable" } : { kind: "full" };
  }
  const [, a, b] = m;
  if (a === "" && b === "") return { kind: "unsatisfiable" };
  if (a === "") {
    // Suffix range: the last N bytes.
    const n = Number(b);
    if (n === 0 || size === 0) return { kind: "unsatisfiable" };
    return { kind: "partial", start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(a);
  const end = b === "" ? size - 1 : Math.min(Number(b), size - 1);
  if (start >= size || (b !== "" && Number(b) < start)) return { kind: "unsatisfiable" };
  return { kind: "partial", start, end };
}
