import winston from "winston";

import { maskPhone, scrubPhoneNumbers } from "./scrub.js";

// Re-exported: features mask the numbers they log with it.
export { maskPhone };

// Anything shaped like a phone number that slips into a log message, a field or
// a stack trace is masked with the same matcher that scrubs stored texts
// (src/lib/scrub.ts); dates, times, UUIDs and ids stay readable.
function scrub(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return scrubPhoneNumbers(value);
  if (depth > 4 || value === null || typeof value !== "object") return value;
  if (value instanceof Error)
    return { name: value.name, message: scrubPhoneNumbers(value.message), stack: scrubPhoneNumbers(value.stack) };
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrub(v, depth + 1)]));
}

const maskFormat = winston.format((info) => {
  for (const key of Object.keys(info)) {
    if (key === "level" || key === "timestamp") continue;
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
