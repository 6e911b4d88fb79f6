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

/** Ids a log entry about one survey call, SMS or voice message carries. */
const PER_CALL_KEYS = ["surveyId", "callSid", "smsId", "voiceMessageId"] as const;

/** Drops info and lower entries about a single call (LOG_PER_CALL=false); warnings and errors always pass. */
const perCallFilter = winston.format((info) => {
  if (info.level === "error" || info.level === "warn") return info;
  return PER_CALL_KEYS.some((k) => info[k] !== undefined) ? false : info;
});

export type Logger = winston.Logger;
export type LogFormat = "pretty" | "json";

/** Pretty on a terminal (a person reads it), JSON otherwise (a collector parses it). */
export function resolveLogFormat(format: LogFormat | undefined, isTty = Boolean(process.stdout.isTTY)): LogFormat {
  return format ?? (isTty ? "pretty" : "json");
}

const BARE_KEYS = new Set(["level", "message", "timestamp", "stack"]);

function prettyValue(v: unknown): string {
  if (typeof v === "string") return /[\s"=]/.test(v) ? JSON.stringify(v) : v;
  if (v && typeof v === "object" && "message" in v && "stack" in v) return JSON.stringify((v as Error).message);
  return JSON.stringify(v);
}

/** One line a person can read: time, level, message, then key=value (numbers already masked). */
export function prettyLine(info: Record<string, unknown>): string {
  const time = typeof info.timestamp === "string" ? info.timestamp.slice(11, 19) : "";
  const fields = Object.entries(info)
    .filter(([k]) => !BARE_KEYS.has(k))
    .map(([k, v]) => `${k}=${prettyValue(v)}`)
    .join(" ");
  const err = info.err as { stack?: string } | undefined;
  const stack = typeof info.stack === "string" ? info.stack : err?.stack;
  return `${time} ${String(info.level)} ${String(info.message)}${fields ? `  ${fields}` : ""}${stack ? `\n${stack}` : ""}`;
}

export function createLogger(
  level = "info",
  opts: { silent?: boolean; format?: LogFormat; colors?: boolean; perCall?: boolean } = {},
): Logger {
  const format = resolveLogFormat(opts.format);
  const last =
    format === "json"
      ? [winston.format.json()]
      : [
          ...((opts.colors ?? Boolean(process.stdout.isTTY)) ? [winston.format.colorize({ level: true })] : []),
          winston.format.printf((info) => prettyLine(info)),
        ];
  const logger = winston.createLogger({
    level,
    silent: opts.silent,
    format: winston.format.combine(
      ...(opts.perCall === false ? [perCallFilter()] : []),
      winston.format.errors({ stack: true }),
      maskFormat(),
      winston.format.timestamp(),
      ...last,
    ),
    transports: [new winston.transports.Console()],
  });
  // Winston runs every entry through its stream and the whole format pipeline (masking, timestamp,
  // JSON) before the transports drop the levels they do not log: each webhook's filtered "http"
  // request line cost that. Entries no transport takes are dropped here instead (children write
  // through this logger, transports added later count, as does a level or silent set later).
  const write = logger.write.bind(logger);
  logger.write = ((info: winston.LogEntry) =>
    logger.silent || !logger.isLevelEnabled(info.level) ? true : write(info)) as typeof logger.write;
  return logger;
}
