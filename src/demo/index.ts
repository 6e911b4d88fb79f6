import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { AppContext } from "../context.js";
import { ensureApiKey } from "../intake/api-keys.js";
import { applySettingsOverrides, getOrganization } from "../organizations/service.js";
import type { RunningSimulator } from "../telephony/simulator/index.js";
import { startDemoTraffic, type DemoTraffic, type DemoTrafficOptions } from "./traffic.js";
import { backfillHistory } from "./history.js";
import { startNeighbours, type RunningNeighbours } from "./neighbours.js";

export { DEMO_AGENTS, DEMO_GROUPS } from "./roster.js";

/**
 * Starts the embedded demo: an intake key of its own, the organization set up
 * for a small reused number range, and the traffic generator posting calls to
 * the service's own intake API. Only ever called with the simulator
 * (config.demoTraffic is false with real Twilio credentials).
 */
export async function startDemo(
  ctx: AppContext,
  opts: {
    organizationId: string;
    serviceUrl: string;
    dataDir: string;
    simulator?: Pick<RunningSimulator, "registerCitizen" | "onCallEnded">;
    /** Tests shorten the timings. */
    tuning?: Pick<DemoTrafficOptions, "seed" | "firstCallAfterMs" | "summaryEveryMs" | "readBackAfterMs">;
  },
): Promise<DemoTraffic & { apiKey: string }> {
  const log = ctx.logger.child({ component: "demo-traffic" });
  const secret = demoApiKey(opts.dataDir);
  await ensureApiKey(ctx.prisma, opts.organizationId, secret, "demo traffic");

  // The demo's few hundred fiction numbers call again and again; the
  // once-per-30-days rule would soon skip them all.
  const settings = (await getOrganization(ctx.prisma, opts.organizationId)).settings;
  const previous = settings.repeatWindowDays;
  if (previous !== 0) {
    await applySettingsOverrides(ctx.prisma, opts.organizationId, { repeatWindowDays: 0 });
    log.info(
      "demo traffic: repeatWindowDays set to 0 for the default organization (the demo reuses a small range of fiction numbers); restored on shutdown",
      { previous },
    );
  }
  // The SMS fallback (src/sms) on, so the funnel shows SMS sent, STOPP replies and web answers:
  // the simulator delivers the messages and its citizens react (src/telephony/simulator/messages.ts).
  const smsWasOn = settings.smsFallback;
  if (!smsWasOn) {
    await applySettingsOverrides(ctx.prisma, opts.organizationId, { smsFallback: true });
    log.info("demo traffic: SMS fallback switched on for the default organization; restored on shutdown");
  }
  if (settings.callingHours !== "always") {
    log.info(
      `demo traffic: surveys keep the organization's calling hours (${settings.callingHours}); calls outside them are skipped. CALLING_HOURS=always opens them.`,
    );
  }
  if (!opts.simulator) log.warn("demo traffic without the embedded simulator: citizens behave by their number only");

  // History and neighbours first: live traffic starts on top of a year of data, never beside a half-filled one.
  let neighbours: RunningNeighbours | undefined;
  if (ctx.config.embeddedDatabase && (ctx.config.DEMO_HISTORY ?? true)) {
    const org = await getOrganization(ctx.prisma, opts.organizationId);
    const flow = ctx.flows.getFlow(org.settings.flows.default ?? "nki-sv");
    const history = await backfillHistory(ctx.prisma, {
      organizationId: org.id,
      timeZone: org.timeZone,
      now: ctx.now(),
      flowId: flow.id,
      flowVersion: flow.version,
    });
    log.info(
      history.added
        ? `demo history: ${history.calls} answered calls, ${history.surveys} surveys, ${history.answers} answers (${history.webAnswers} on the web after ${history.sms} SMS) from ${history.range.from} to ${history.range.to}`
        : "demo history already in place",
      { ms: Math.round(history.ms) },
    );
    neighbours = await startNeighbours(
      { ...ctx, pullTimeoutMs: ctx.config.EXCHANGE_PULL_TIMEOUT_SECONDS * 1000 },
      { dataDir: opts.dataDir, fromMonth: history.range.from },
    );
    log.info("demo neighbours publish through the benchmark exchange; pulled", {
      peers: neighbours.pulled.map((p) => `${p.peer}: ${p.ok ? `${p.figures} figures` : p.error}`),
    });
  }

  const traffic = startDemoTraffic({
    serviceUrl: opts.serviceUrl,
    apiKey: secret,
    callsPerMinute: ctx.config.DEMO_CALLS_PER_MINUTE,
    logger: ctx.logger,
    simulator: opts.simulator,
    ...opts.tuning,
  });
  return {
    apiKey: secret,
    stats: traffic.stats,
    async stop() {
      await traffic.stop();
      await neighbours?.stop();
      if (previous !== 0) await applySettingsOverrides(ctx.prisma, opts.organizationId, { repeatWindowDays: previous });
      if (!smsWasOn) await applySettingsOverrides(ctx.prisma, opts.organizationId, { smsFallback: false });
    },
  };
}

/** A stable key across restarts (one ApiKey row, not one per start), kept beside the number key. */
function demoApiKey(dataDir: string): string {
  const file = path.join(dataDir, "keys", "demo-api-key");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const secret = `nki_demo_${randomBytes(24).toString("base64url")}`;
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}
