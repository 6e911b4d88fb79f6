import type { Server } from "node:http";
import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/app.js";
import { dispatchTick } from "../src/dispatch/dispatcher.js";
import { loadConfig } from "../src/lib/config.js";
import { metricsPlacement } from "../src/lib/metrics.js";
import { processDueVoiceMessages } from "../src/recordings/voice-messages.js";
import { createTwilioClient } from "../src/telephony/client.js";
import { createPersona, startSimulator, type RunningSimulator } from "../src/telephony/simulator/index.js";
import { createTestDatabase, type TestDatabase } from "./support/db.js";
import { createTestContext, startTestApp, type TestContext } from "./support/context.js";
import { call, intakeClient } from "./intake-helpers.js";

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

/** The value of one sample in Prometheus text format, 0 when absent; `labels` must all match. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  let found = false;
  for (const line of text.split("\n")) {
    if (line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    if (!Object.entries(labels).every(([k, v]) => (m[2] ?? "").includes(`${k}="${v}"`))) continue;
    total += Number(m[3]);
    found = true;
  }
  return found ? total : 0;
}

const TOKEN = "metrics-token-for-tests-0123456789";

describe("/metrics after a complete survey", () => {
  let db: TestDatabase;
  let ctx: TestContext;
  let sim: RunningSimulator;
  let server: Server;
  let url: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    const port = await freePort();
    ctx = await createTestContext(db, {
      env: { PUBLIC_BASE_URL: `http://127.0.0.1:${port}`, DISPATCH_CALLS_PER_SECOND: "50", METRICS_TOKEN: TOKEN },
      settings: { callingHours: "always", skipPublicHolidays: false, surveyDelaySeconds: 0, repeatWindowDays: 0 },
    });
    sim = await startSimulator({ ...ctx.twilioCredentials, timeScale: 0, logger: ctx.logger });
    ctx.twilioCredentials = { ...ctx.twilioCredentials, apiUrl: sim.url };
    ctx.twilio = createTwilioClient(ctx.twilioCredentials);
    server = await new Promise<Server>((resolve) => {
      const s = createApp(ctx).listen(port, "127.0.0.1", () => resolve(s));
    });
    url = ctx.config.publicBaseUrl;
  });
  afterAll(async () => {
    await sim?.stop();
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
    await db?.close();
  });

  const scrape = async () => {
    const res = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/plain");
    return res.text();
  };

  it("refuses without the token, or with a wrong one", async () => {
    const none = await fetch(`${url}/metrics`);
    expect(none.status).toBe(401);
    expect(await none.text()).not.toContain("nki_");
    const wrong = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${TOKEN.slice(0, -1)}x` } });
    expect(wrong.status).toBe(401);
  });

  it("counts the call received, the transitions, the call placed, the webhooks and the voice message", async () => {
    const before = await scrape();
    const number = "+46701740677";
    sim.registerCitizen(
      number,
      createPersona(7, {
        pickup: "answer",
        machine: false,
        amd: { verdict: "human", seconds: 1 },
        bargeIn: false,
        optOutAt: null,
        hangUpAt: null,
        silentAt: [],
        invalidAt: [],
        message: { seconds: 5, end: "#" },
      }),
    );
    const end = Date.now() - 5_000;
    const body = call({
      externalCallId: `metrics-${Date.now()}`,
      callerNumber: "070-174 06 77",
      startedAt: new Date(end - 240_000).toISOString(),
      endedAt: new Date(end).toISOString(),
      queueSeconds: 60,
    });
    const api = await intakeClient(ctx, url);
    expect((await api.post(body)).status).toBe(200);
    const { id } = await db.prisma.surveyCall.findFirstOrThrow({
      where: { completedCall: { externalCallId: body.externalCallId } },
    });
    const until = Date.now() + 10_000;
    for (;;) {
      await dispatchTick(ctx);
      await sim.idle();
      await processDueVoiceMessages(ctx);
      const s = await db.prisma.surveyCall.findUniqueOrThrow({ where: { id }, include: { voiceMessage: true } });
      if (s.state === "completed" && s.voiceMessage?.state === "stored") break;
      if (Date.now() > until) throw new Error(`survey still ${s.state}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const after = await scrape();
    const moved = (name: string, labels: Record<string, string> = {}) =>
      sample(after, name, labels) - sample(before, name, labels);

    expect(moved("nki_calls_received_total", { decision: "scheduled" })).toBe(1);
    for (const state of ["dialling", "in_progress", "completed"])
      expect(moved("nki_survey_transitions_total", { state }), state).toBe(1);
    expect(moved("nki_calls_placed_total")).toBe(1);
    expect(sample(after, "nki_dispatch_calls_per_second_limit")).toBe(50);
    expect(moved("nki_webhook_duration_seconds_count", { route: "/voice" })).toBe(1);
    expect(moved("nki_webhook_duration_seconds_count", { route: "/gather" })).toBeGreaterThanOrEqual(7);
    expect(moved("nki_recording_downloads_total", { result: "stored" })).toBe(1);
    // Scrape-time gauges and the process's own.
    for (const name of [
      "nki_dispatch_backlog",
      "nki_dispatch_oldest_due_age_seconds",
      "nki_answer_inbox_backlog",
      "nki_answer_fold_lag_seconds",
      "nki_db_pool_waiting",
      "nki_nodejs_eventloop_lag_seconds",
    ])
      expect(after, name).toMatch(new RegExp(`^${name}(\\{[^}]*\\})? `, "m"));
  });

  it("answers 404 on the main port in production without a token", async () => {
    const prod = { NODE_ENV: "production", NUMBER_KEY: "A".repeat(43) + "=", AUDIO_KEY: "B".repeat(43) + "=" };
    const app = await startTestApp(await createTestContext(db, { env: prod }));
    try {
      expect((await fetch(`${app.url}/metrics`)).status).toBe(404);
    } finally {
      await app.close();
    }
  });

  it("counts a failed Twilio request by Twilio's error code", async () => {
    const before = await scrape();
    const status = await ctx.twilio
      .recordings("RE00000000000000000000000000000000")
      .fetch()
      .then(
        () => 200,
        (e: { status?: number }) => e.status,
      );
    expect(status).toBe(404);
    const after = await scrape();
    const total = (t: string) => sample(t, "nki_twilio_api_errors_total");
    expect(total(after) - total(before)).toBe(1);
  });
});

describe("where /metrics is served", () => {
  const base = { DATA_DIR: "/tmp/unused", NUMBER_KEY: "A".repeat(43) + "=", AUDIO_KEY: "B".repeat(43) + "=" };
  const prod = { ...base, NODE_ENV: "production", PUBLIC_BASE_URL: "https://nki.example.test" };

  it("never unauthenticated on the main port in production", () => {
    expect(metricsPlacement(loadConfig(prod))).toBe("off");
    expect(metricsPlacement(loadConfig({ ...prod, METRICS_TOKEN: TOKEN }))).toBe("main");
    expect(metricsPlacement(loadConfig({ ...prod, METRICS_PORT: "9464" }))).toBe("separate");
    expect(metricsPlacement(loadConfig({ ...base, NODE_ENV: "development" }))).toBe("main");
    expect(metricsPlacement(loadConfig({ ...base, METRICS_ENABLED: "false" }))).toBe("off");
  });
});
