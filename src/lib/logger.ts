import winston from "winston";

/** +46701234567 -> +4670*****67: enough to tell calls apart in a log, never enough to call. */
export function maskPhone(number: string | null | undefined): string {
  if (!number) return "(none)";
  const s = number.replace(/\s+/g, "");
  if (s.length <= 6) return "*".repeat(s.length);
  return s.slice(0, 5) + "*".repeat(Math.max(1, s.length - 7)) + s.slice(-2);
}

// Anything shaped like a phone number (international +/00 form, or a national number
// starting with 0, the area code possibly in parentheses) that slips into a log
// message or field is masked. Dates and durations do not start with 0 or +, so they
// stay readable.
const PHONE_RE = /(?:\+|\b00|\(0|\b0)\d[\d\s()-]{6,}\d/g;
function scrub(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return value.replace(PHONE_RE, (m) => maskPhone(m));
  if (depth > 4 || value === null || typeof value !== "object") return value;
  if (value instanceof Error) return { name: value.name, message: scrub(value.message), stack: value.stack };
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrub(v, depth + 1)]));
}

const maskFormat = winston.format((info) => {
  for (const key of Object.keys(info)) {
    if (key === "level" || key === "timestamp" || key === "stack") continue;
    (info as Record<string, unknown>)[key] = scrub(info[key]);
  }
  return info;
});

export type Logger = winston.Logger;

export function createLogger(level = "info", opts: { silent?: boolean } = {}): Logger {
  return winston.createLogger({
    level,
    silent: opts.silent,
    format: winston.format.combine(
      winston.format.errors({ stack: true }),
      maskFormat(),
      winston.format.timestamp(),
      winston.format.json(),
    ),
    transports: [new winston.transports.Console()],
  });
}
