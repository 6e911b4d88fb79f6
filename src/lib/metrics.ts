import { timingSafeEqual } from "node:crypto";
import { Router, type RequestHandler } from "express";
import client from "prom-client";
import type { AppContext } from "../context.js";
import { z } from "zod";
import { poolStats, sqlRows } from "./db.js";

// Row schemas built once: zod compiles each schema on its first parse (about 0.1 ms of CPU), so one
// built inside a function cost that on every call.
const backlogRow = z.strictObject({ due: z.number(), oldest: z.date().nullable(), inbox: z.number() });

/**
 * Every Prometheus metric of the service (names nki_*), in one Registry, and
 * the small functions features call at the place something happens. With
 * METRICS_ENABLED=false every call is a no-op and nothing is collected
 * (bench/twiml.ts measures the difference). Counters live per process: a
 * Prometheus server scrapes each instance and sums.
 */
export const registry = new client.Registry();

let enabled = true;
/** The switch: off, the recording functions return at once. */
export function setMetricsEnabled(on: boolean): void {
  enabled = on;
}

const callsReceived = new client.Counter({
  name: "nki_calls_received_total",
  help: "Completed calls received at intake, by decision and skip reason.",
  labelNames: ["decision", "reason"] as const,
  registers: [registry],
});
const surveyTransitions = new client.Counter({
  name: "nki_survey_transitions_total",
  help: "Survey state changes, by the state entered.",
  labelNames: ["state"] as const,
  registers: [registry],
});
const callsPlaced = new client.Counter({
  name: "nki_calls_placed_total",
  help: "Survey calls Twilio accepted (compare rate() with nki_dispatch_calls_per_second_limit).",
  registers: [registry],
});
const callsPerSecondLimit = new client.Gauge({
  name: "nki_dispatch_calls_per_second_limit",
  help: "DISPATCH_CALLS_PER_SECOND: the shared limit on calls placed per second.",
  registers: [registry],
});
const twilioErrors = new client.Counter({
  name: "nki_twilio_api_errors_total",
  help: "Failed Twilio REST requests, by Twilio error code (or HTTP status, or network error code).",
  labelNames: ["code"] as const,
  registers: [registry],
});
const webhookSeconds = new client.Histogram({
  name: "nki_webhook_duration_seconds",
  help: "Twilio webhook response time, by route.",
  labelNames: ["route", "status"] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15],
  registers: [registry],
});
const recordingDownloads = new client.Counter({
  name: "nki_recording_downloads_total",
  help: "Voice-message downloads from Twilio, by result (stored, failed).",
  labelNames: ["result"] as const,
  registers: [registry],
});
const foldRuns = new client.Counter({
  name: "nki_answer_fold_rows_total",
  help: "Answer-inbox rows folded into the rollups by this process.",
  registers: [registry],
});

/** Scrape-time figures: one query, cached for a few seconds so many scrapers cost one round trip. */
const CACHE_MS = 5_000;
interface Backlog {
  due: number;
  oldestDueSeconds: number;
  inbox: number;
}
let source: AppContext | null = null;
let cached: { at: number; value: Promise<Backlog | null> } | null = null;
let lastFoldAt = Date.now();

async function readBacklog(ctx: AppContext): Promise<Backlog | null> {
  const now = ctx.now();
  try {
    // By the (state, nextAttemptAt) index; the inbox is small between folds.
    const [row] = await sqlRows(
      ctx.prisma,
      backlogRow,
      `SELECT (SELECT count(*)::int FROM "SurveyCall" WHERE state = 'scheduled' AND "nextAttemptAt" <= $1::timestamptz) AS due,
              (SELECT min("nextAttemptAt") FROM "SurveyCall" WHERE state = 'scheduled' AND "nextAttemptAt" <= $1::timestamptz) AS oldest,
              (SELECT count(*)::int FROM "AnswerInbox") AS inbox`,
      [now.toISOString()],
    );
    return {
      due: row.due,
      oldestDueSeconds: row.oldest ? Math.max(0, (now.getTime() - new Date(row.oldest).getTime()) / 1000) : 0,
      inbox: row.inbox,
    };
  } catch (err) {
    ctx.logger.warn("metrics: backlog query failed", { err: (err as Error).message });
    return null;
  }
}

function backlog(): Promise<Backlog | null> {
  if (!source) return Promise.resolve(null);
  if (!cached || Date.now() - cached.at > CACHE_MS) cached = { at: Date.now(), value: readBacklog(source) };
  return cached.value;
}

const scraped = (name: string, help: string, pick: (b: Backlog) => number) =>
  new client.Gauge({
    name,
    help,
    registers: [registry],
    async collect() {
      const b = await backlog();
      if (b) this.set(pick(b));
    },
  });
scraped("nki_dispatch_backlog", "Scheduled surveys due now and not yet claimed.", (b) => b.due);
scraped("nki_dispatch_oldest_due_age_seconds", "How long the oldest due survey has waited.", (b) => b.oldestDueSeconds);
scraped("nki_answer_inbox_backlog", "Answers waiting in AnswerInbox to be folded into the rollups.", (b) => b.inbox);
scraped(
  "nki_answer_fold_lag_seconds",
  "Seconds since this process last folded, while answers wait (0 when empty).",
  (b) => (b.inbox > 0 ? (Date.now() - lastFoldAt) / 1000 : 0),
);
new client.Gauge({
  name: "nki_db_pool_waiting",
  help: "Queries waiting for a free database connection.",
  registers: [registry],
  collect() {
    const p = source && poolStats(source.prisma);
    if (p) this.set(p.waiting);
  },
});
new client.Gauge({
  name: "nki_db_pool_connections",
  help: "Open database connections in the pool, by use.",
  labelNames: ["use"] as const,
  registers: [registry],
  collect() {
    const p = source && poolStats(source.prisma);
    if (!p) return;
    this.set({ use: "idle" }, p.idle);
    this.set({ use: "busy" }, p.total - p.idle);
  },
});

let defaultsStarted = false;
/** Process metrics (CPU, memory, GC, event-loop lag as nki_nodejs_eventloop_lag_*), started once. */
function startDefaultMetrics() {
  if (defaultsStarted) return;
  defaultsStarted = true;
  client.collectDefaultMetrics({ register: registry, prefix: "nki_" });
}

// --- what features call (one line at the call site) ---

export function callReceived(decision: string, reason: string | null | undefined): void {
  if (enabled) callsReceived.inc({ decision, reason: reason ?? "" });
}
export function surveyEntered(state: string, n = 1): void {
  if (enabled && n > 0) surveyTransitions.inc({ state }, n);
}
export function callPlaced(): void {
  if (enabled) callsPlaced.inc();
}
export function twilioApiError(code: string | number | null | undefined): void {
  if (enabled) twilioErrors.inc({ code: String(code ?? "unknown").slice(0, 40) });
}
export function recordingDownload(result: "stored" | "failed"): void {
  if (enabled) recordingDownloads.inc({ result });
}
export function answersFolded(rows: number): void {
  if (!enabled) return;
  lastFoldAt = Date.now();
  foldRuns.inc(rows);
}

/** Express middleware timing each Twilio webhook; the route label is the matched route path. */
export function webhookTimer(): RequestHandler {
  return (req, res, next) => {
    if (!enabled) return next();
    const end = webhookSeconds.startTimer();
    res.on("finish", () => {
      const route = (req.route as { path?: string } | undefined)?.path ?? "unmatched";
      end({ route: typeof route === "string" ? route : "unmatched", status: String(res.statusCode) });
    });
    next();
  };
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(/^Bearer (.+)$/i.exec(header ?? "")?.[1] ?? "");
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

/**
 * GET /metrics. `requireToken`: only with "Authorization: Bearer METRICS_TOKEN".
 * Also points the scrape-time gauges at this context's database.
 */
export function metricsRouter(ctx: AppContext, opts: { token?: string }): Router {
  source = ctx;
  cached = null;
  startDefaultMetrics();
  callsPerSecondLimit.set(ctx.config.DISPATCH_CALLS_PER_SECOND);
  const r = Router();
  r.get("/metrics", async (req, res) => {
    if (opts.token && !tokenMatches(req.get("authorization"), opts.token)) {
      res.status(401).set("WWW-Authenticate", 'Bearer realm="metrics"').type("text/plain").send("unauthorized\n");
      return;
    }
    res.type(registry.contentType).send(await registry.metrics());
  });
  return r;
}

/**
 * Where /metrics is served, from the config: on METRICS_PORT (a separate
 * listener, service.ts), or on the main port with METRICS_TOKEN, or on the main
 * port unauthenticated outside production only. Never unauthenticated on the
 * main port in production.
 */
export function metricsPlacement(config: AppContext["config"]): "off" | "separate" | "main" {
  if (!config.METRICS_ENABLED) return "off";
  if (config.METRICS_PORT !== undefined) return "separate";
  if (config.METRICS_TOKEN || config.NODE_ENV !== "production") return "main";
  return "off";
}
