import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { hostname } from "node:os";
import path from "node:path";
import { createApp } from "./app.js";
import type { AppContext } from "./context.js";
import type { Config } from "./lib/config.js";
import { createNumberCrypto, loadNumberKey } from "./lib/crypto.js";
import { openDatabase } from "./lib/db.js";
import { createLocalEventBus } from "./lib/events.js";
import { createPgEventBus } from "./realtime/pg-bus.js";
import { ensureDemoUsers, ensureSeedAdmin } from "./auth/seed.js";
import { purgeExpiredSessions } from "./auth/sessions.js";
import { purgeSignInThrottle } from "./auth/throttle.js";
import { createLogger, type Logger } from "./lib/logger.js";
import { migrate } from "./lib/migrate.js";
import { startJobs, type Job } from "./jobs/index.js";
import { retentionJobs } from "./retention/jobs.js";
import { dispatchJobs } from "./dispatch/jobs.js";
import { smsJobs } from "./sms/jobs.js";
import { resultsJobs } from "./results/jobs.js";
import { exchangeJobs } from "./exchange/jobs.js";
import { recordingJobs } from "./recordings/jobs.js";
import { warmUpPages } from "./web/warm-up.js";
import { createRecordingStorage } from "./recordings/storage-factory.js";
import { loadFlows } from "./survey/flows.js";
import { loadStoredFlowVersions } from "./survey/flow-versions.js";
import { createTwilioClient, type TwilioCredentials } from "./telephony/client.js";
import { startSimulator, type RunningSimulator } from "./telephony/simulator/index.js";
import { startDemo } from "./demo/index.js";
import { historyRange } from "./demo/history.js";
import { applySettingsOverrides, ensureOrganization } from "./organizations/service.js";
import { ensureApiKey } from "./intake/api-keys.js";
import express from "express";
import { metricsPlacement, metricsRouter, setMetricsEnabled } from "./lib/metrics.js";
import { stopDispatcher } from "./dispatch/dispatcher.js";
import { transcriptionJobs } from "./transcription/jobs.js";
import { createHttpTranscriber } from "./transcription/transcriber.js";

export interface RunningService {
  ctx: AppContext;
  url: string;
  stop(): Promise<void>;
}

/**
 * What a newcomer pastes to send a first call. The body goes to a file because
 * the logger masks anything shaped like a phone number (as it must). A fixed
 * body would be skipped as call_too_old once pasted hours later, so the command
 * runs a tiny script that writes the body with the times and id of the moment
 * it is pasted (first-call.json stays as a sample to read). The demo's
 * own key may be shown (local and demo-only, like the demo passwords); a seed
 * key is named, never printed; otherwise the operator is told how to make one.
 */
export function writeFirstCallHint(dataDir: string, url: string, apiKey: string | undefined, now: Date): string {
  const file = path.join(dataDir, "first-call.json");
  const at = (secondsAgo: number) => new Date(now.getTime() - secondsAgo * 1000).toISOString();
  const body = {
    externalCallId: `first-call-${now.getTime()}`,
    callerNumber: "070-174 06 05", // PTS fiction range: never a real subscriber
    agent: { externalId: "a-17", name: "Första Agenten" },
    group: { key: "val1", name: "Val 1 – Socialt stöd, vård och omsorg" },
    startedAt: at(250),
    endedAt: at(10),
    queueSeconds: 75,
  };
  writeFileSync(file, `${JSON.stringify(body, null, 2)}\n`);
  const script = path.join(dataDir, "first-call.mjs");
  writeFileSync(
    script,
    [
      "// Prints a completed call that ended 10 s ago, with a fresh id: pipe it to curl (see the start-up log).",
      `const body = ${JSON.stringify({ ...body, externalCallId: undefined, startedAt: undefined, endedAt: undefined })};`,
      "const now = Date.now();",
      "const at = (s) => new Date(now - s * 1000).toISOString();",
      "console.log(JSON.stringify({ ...body, externalCallId: `first-call-${now}`, startedAt: at(250), endedAt: at(10) }));",
      "",
    ].join("\n"),
  );
  const lead = apiKey
    ? "Send a first call:"
    : "Send a first call once you have an intake API key (npm run cli -- api-key create --name trio):";
  // --oauth2-bearer sends "Authorization: Bearer …" and, unlike a quoted -H, lets the shell expand $SEED_API_KEY.
  return `${lead} node ${script} | curl -s ${url}/api/v1/calls/completed --oauth2-bearer ${apiKey ?? "<key>"} -H 'Content-Type: application/json' -d @-`;
}

/**
 * Boots the whole service from a parsed config: database (embedded or not),
 * migrations, seed data, HTTP, jobs, and on the embedded defaults the Twilio
 * simulator and demo traffic. main.ts adds only signals; e2e tests call this.
 */
export async function startService(config: Config, opts: { logger?: Logger } = {}): Promise<RunningService> {
  const logger =
    opts.logger ?? createLogger(config.LOG_LEVEL, { format: config.LOG_FORMAT, perCall: config.logPerCall });
  const dataDir = path.resolve(config.DATA_DIR);
  mkdirSync(dataDir, { recursive: true });
  const numberKey = loadNumberKey(config.NUMBER_KEY, dataDir);
  if (!config.NUMBER_KEY)
    logger.warn(
      "NUMBER_KEY not set: using a key generated in DATA_DIR (fine for the embedded demo, not for production)",
      { keyFile: numberKey.source },
    );

  const db = await openDatabase({ url: config.DATABASE_URL, dataDir, logger });
  await migrate(db.url, logger);

  const org = await ensureOrganization(db.prisma, {
    slug: config.DEFAULT_ORG_SLUG,
    name: config.DEFAULT_ORG_NAME,
    timeZone: config.DEFAULT_TIME_ZONE,
    // From the start of the demo's history, so its past periods are judged too.
    presetTargetsFrom: historyRange(new Date(), config.DEFAULT_TIME_ZONE).from,
  });
  await applySettingsOverrides(db.prisma, org.id, {
    sampleRate: config.SAMPLE_RATE,
    // The embedded demo calls around the clock so a newcomer sees surveys at any hour.
    callingHours: config.CALLING_HOURS ?? (config.useSimulator && config.embeddedDatabase ? "always" : undefined),
    skipPublicHolidays: !config.CALLING_HOURS && config.useSimulator && config.embeddedDatabase ? false : undefined,
    surveyDelaySeconds: config.SURVEY_DELAY_SECONDS,
  });

  const stoppers: (() => Promise<void>)[] = [];
  let twilioCredentials: TwilioCredentials;
  let simulator: RunningSimulator | undefined;
  if (config.useSimulator) {
    // --- simulator: started here so that twilio-node can be pointed at it ---
    const accountSid = `AC${randomBytes(16).toString("hex")}`;
    const authToken = randomBytes(16).toString("hex");
    if (!config.TWILIO_API_URL) {
      // Loopback only; its webhooks reach this service at config.publicBaseUrl (http://localhost:PORT by default).
      simulator = await startSimulator({
        accountSid,
        authToken,
        host: "127.0.0.1",
        port: 0,
        timeScale: config.SIMULATOR_TIME_SCALE,
        logger,
        inboundSmsUrl: `${config.publicBaseUrl}/twilio/sms/inbound`,
      });
      stoppers.push(() => simulator!.stop());
    }
    twilioCredentials = {
      accountSid,
      authToken,
      fromNumber: "+46850000000",
      apiUrl: config.TWILIO_API_URL ?? simulator!.url,
    };
  } else {
    twilioCredentials = {
      accountSid: config.TWILIO_ACCOUNT_SID!,
      authToken: config.TWILIO_AUTH_TOKEN!,
      fromNumber: config.TWILIO_FROM_NUMBER!,
      apiUrl: config.TWILIO_API_URL,
    };
  }

  const audio = createRecordingStorage(config, { prisma: db.prisma, dataDir });
  if (!config.AUDIO_KEY)
    logger.warn(
      "AUDIO_KEY not set: voice messages are encrypted with a key generated in DATA_DIR (fine for the embedded demo; several instances need one AUDIO_KEY)",
      { keyFile: audio.keySource },
    );
  stoppers.push(async () => audio.storage.blobs.close?.());

  // Several instances may share a real server: LISTEN/NOTIFY reaches them all. The
  // embedded database serves one instance, and its NOTIFY does not cross connections.
  const pgBus = db.embedded ? null : createPgEventBus({ url: db.url, local: createLocalEventBus(), logger });
  if (pgBus) stoppers.push(() => pgBus.stop());
  const ctx: AppContext = {
    config,
    prisma: db.prisma,
    logger,
    numbers: createNumberCrypto(numberKey.key),
    events: pgBus ?? createLocalEventBus(),
    now: () => new Date(),
    instanceId: `${hostname()}:${process.pid}`,
    twilio: createTwilioClient(twilioCredentials),
    twilioCredentials,
    storage: audio.storage,
    // Fails start-up with the file and field when a flow is invalid.
    flows: loadFlows(),
  };
  // --- transcription: off unless configured; on the embedded demo the simulator transcribes ---
  const transcriptionUrl = config.TRANSCRIPTION_URL ?? simulator?.url;
  if (transcriptionUrl) {
    ctx.transcriber = createHttpTranscriber({
      url: transcriptionUrl,
      model: config.TRANSCRIPTION_MODEL,
      apiKey: config.TRANSCRIPTION_API_KEY,
      timeoutMs: config.TRANSCRIPTION_TIMEOUT_SECONDS * 1000,
    });
    logger.info("voice messages will be transcribed: their audio is sent to this server", {
      endpoint: ctx.transcriber.endpoint,
      model: ctx.transcriber.model,
      simulated: !config.TRANSCRIPTION_URL,
    });
  } else {
    logger.info("transcription of voice messages is off (set TRANSCRIPTION_URL to a speech-to-text server you run)");
  }
  // --- seed hooks (features add theirs here) ---
  if (config.SEED_API_KEY) {
    await ensureApiKey(ctx.prisma, org.id, config.SEED_API_KEY, "SEED_API_KEY");
    logger.info("intake API key from SEED_API_KEY is active", { organization: org.slug });
  }
  // Flow versions edited in the admin UI: the newest of each flow is current (survey/flow-versions.ts).
  await loadStoredFlowVersions(ctx.prisma, ctx.flows);
  await ensureSeedAdmin(ctx.prisma, config, org.id, logger);
  const demoLogins = config.demoTraffic ? await ensureDemoUsers(ctx.prisma, org.id) : [];

  setMetricsEnabled(config.METRICS_ENABLED);
  const app = createApp(ctx);
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(config.PORT, config.HOST, () => resolve(s));
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://localhost:${port}`;

  const jobs: Job[] = [
    // --- jobs (features add theirs here) ---
    ...dispatchJobs,
    ...smsJobs,
    ...resultsJobs,
    ...retentionJobs,
    ...transcriptionJobs,
    ...exchangeJobs,
    ...recordingJobs,
    {
      id: "sessions.purge",
      schedule: "0 */15 * * * *",
      handler: async (c) => {
        await purgeExpiredSessions(c.prisma, c.now());
        await purgeSignInThrottle(c.prisma, c.now());
      },
    },
  ];
  const scheduler = startJobs(ctx, jobs);
  if (metricsPlacement(config) === "separate") {
    // /metrics alone on its own listener (e.g. reachable only from the monitoring network).
    const metricsApp = express()
      .disable("x-powered-by")
      .use(metricsRouter(ctx, { token: config.METRICS_TOKEN }));
    const metricsServer: Server = await new Promise((resolve) => {
      const s = metricsApp.listen(config.METRICS_PORT ?? 0, config.METRICS_HOST, () => resolve(s));
    });
    logger.info("metrics served", { address: metricsServer.address() });
    stoppers.push(() => new Promise<void>((resolve) => metricsServer.close(() => resolve())));
  } else if (metricsPlacement(config) === "off" && config.METRICS_ENABLED)
    logger.warn("/metrics is not served: in production set METRICS_TOKEN or METRICS_PORT");
  // In the background: start-up is not delayed, and a failure only costs the first page its speed.
  void warmUpPages(ctx, org.id).catch((err) => logger.warn("page warm-up failed", { err }));
  // --- embedded extras: simulator, demo traffic (features add theirs here) ---
  let demoApiKey: string | undefined;
  if (config.demoTraffic) {
    const demo = await startDemo(ctx, { organizationId: org.id, serviceUrl: url, dataDir, simulator });
    demoApiKey = demo.apiKey;
    stoppers.push(() => demo.stop());
  }
  logger.info("service started", {
    url,
    publicBaseUrl: config.publicBaseUrl,
    database: db.embedded ? `embedded PostgreSQL in ${path.join(dataDir, "pg")}` : "PostgreSQL (DATABASE_URL)",
    telephony: config.useSimulator ? "built-in Twilio simulator" : "Twilio",
    storage: audio.storage.blobs.kind,
    dataDir,
  });
  logger.info(writeFirstCallHint(dataDir, url, config.SEED_API_KEY ? "$SEED_API_KEY" : demoApiKey, ctx.now()));
  // Printed last, so the address and the demo sign-ins are what a person sees when start-up settles.
  logger.info(`Ready: open ${url}`);
  for (const d of demoLogins.filter(
    (l, i, all) => l.role !== "agent" || all.findIndex((x) => x.role === "agent") === i,
  )) {
    const who = { admin: "the demo admin", manager: "the demo manager", agent: "a demo agent" }[d.role];
    logger.info(`Sign in as ${who}: ${d.email} / ${d.password} at ${url}/login`);
  }
  const moreAgents = demoLogins.filter((l) => l.role === "agent").slice(1);
  if (moreAgents.length)
    logger.info(
      `More demo agents: ${moreAgents.map((l) => `${l.email} / ${l.password}`).join(", ")} (demo passwords change at every start)`,
    );

  return {
    ctx,
    url,
    async stop() {
      // At once: no new claims, and /readyz answers 503 so a load balancer drains this instance.
      stopDispatcher(ctx);
      // A tick in flight places (or releases) what it already claimed; other jobs finish their batch.
      await scheduler.stop();
      // Calls this instance placed are served by webhooks (on any instance): give them time, bounded.
      await waitForOwnSurveys(ctx, config.SHUTDOWN_SURVEY_WAIT_SECONDS * 1000);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // Requests in flight finish; Server-Sent Events and slow clients must not hold shutdown forever.
        setTimeout(() => {
          server.closeAllConnections();
          resolve();
        }, config.SHUTDOWN_GRACE_SECONDS * 1000).unref();
      });
      for (const s of stoppers.reverse()) await s().catch((err) => logger.warn("stop failed", { err }));
      await db.close();
      logger.info("service stopped");
    },
  };
}

/** Until no survey this instance claimed is still dialling or in progress, or `ms` has passed. */
async function waitForOwnSurveys(ctx: AppContext, ms: number): Promise<void> {
  const until = Date.now() + ms;
  for (let i = 0; ; i++) {
    const live = await ctx.prisma.surveyCall
      .count({ where: { claimedBy: ctx.instanceId, state: { in: ["dialling", "in_progress"] } } })
      .catch(() => 0);
    if (live === 0) return;
    if (Date.now() >= until) {
      ctx.logger.warn("stopping with surveys still in progress; other instances or a restart serve their webhooks", {
        surveys: live,
      });
      return;
    }
    if (i === 0) ctx.logger.info("waiting for surveys in progress before stopping", { surveys: live });
    await new Promise((r) => setTimeout(r, 500));
  }
}
