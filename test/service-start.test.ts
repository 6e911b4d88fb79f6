import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import Transport from "winston-transport";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/lib/config.js";
import { createLogger } from "../src/lib/logger.js";
import { startService, type RunningService } from "../src/service.js";

/**
 * The service as `npm start` runs it on a fresh machine: no configuration but a
 * data directory and a port, so embedded PostgreSQL, the Twilio simulator and
 * demo traffic. Faster demo timings only, so the test does not wait minutes.
 */
const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.once("error", reject);
  });

describe("npm start on the embedded defaults", () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), "nki-start-"));
  const messages: string[] = [];
  let service: RunningService;
  let env: NodeJS.ProcessEnv;
  /** What start-up printed before startService returned (demo traffic logs on afterwards). */
  let startUpLines: string[] = [];

  const start = async () => {
    const logger = createLogger("info");
    logger.clear();
    logger.add(
      new (class extends Transport {
        override log(info: { message: string }, next: () => void) {
          messages.push(typeof info.message === "string" ? info.message : JSON.stringify(info));
          next();
        }
      })(),
    );
    return startService(loadConfig(env), { logger });
  };
  const waitFor = async <T>(
    what: string,
    probe: () => Promise<T | null | undefined | false>,
    ms = 60_000,
  ): Promise<T> => {
    const until = Date.now() + ms;
    for (;;) {
      const v = await probe();
      if (v) return v;
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  beforeAll(async () => {
    const port = await freePort();
    env = {
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: "127.0.0.1",
      DEMO_CALLS_PER_MINUTE: "240",
      SIMULATOR_TIME_SCALE: "0.01",
      SURVEY_DELAY_SECONDS: "0",
      // The year of demo history has its own test (test/demo-history.test.ts); this one is about live traffic.
      DEMO_HISTORY: "off",
    };
    service = await start();
    startUpLines = messages.slice();
  }, 60_000);
  afterAll(async () => {
    await service?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("says where the data lives and how to sign in as the demo manager and a demo agent", () => {
    expect(messages).toContain("service started");
    expect(
      messages.some((m) => /^Sign in as the demo manager: \S+@\S+ \/ \S+ at http:\/\/localhost:\d+\/login$/.test(m)),
    ).toBe(true);
    expect(messages.some((m) => /^Sign in as a demo agent: \S+@\S+ \/ \S+ at/.test(m))).toBe(true);
    expect(existsSync(path.join(dataDir, "pg"))).toBe(true);
    expect(existsSync(path.join(dataDir, "keys", "number.key"))).toBe(true);
  });

  it("ends start-up with the address and the demo sign-ins, after the first-call hint", () => {
    const ready = startUpLines.findIndex((m) => /^Ready: open http:\/\/localhost:\d+$/.test(m));
    expect(ready).toBeGreaterThan(startUpLines.findIndex((m) => m.startsWith("Send a first call")));
    expect(ready).toBeGreaterThan(startUpLines.indexOf("service started"));
    const after = startUpLines.slice(ready + 1);
    expect(after.length).toBeGreaterThanOrEqual(2);
    for (const line of after) expect(line).toMatch(/^(Sign in as |More demo agents: )/);
  });

  it("prints a first call that, pasted into a shell, is scheduled", async () => {
    const hint = messages.find((m) => m.startsWith("Send a first call:"));
    expect(hint).toBeDefined();
    const command = hint!.slice("Send a first call: ".length);
    const body = JSON.parse(readFileSync(path.join(dataDir, "first-call.json"), "utf8"));
    expect(body.callerNumber).toBe("070-174 06 05");
    // Run exactly what the log says, through a shell, as a newcomer would.
    const { stdout } = await promisify(execFile)("sh", ["-c", command]);
    // The body is made when the command runs (never call_too_old however late it is pasted).
    expect(JSON.parse(stdout)).toMatchObject({
      externalCallId: expect.stringMatching(/^first-call-\d+$/),
      decision: "scheduled",
      reason: null,
    });
  });

  it("surveys demo calls: answers and voice messages are stored", async () => {
    const prisma = service.ctx.prisma;
    const completed = await waitFor("a completed survey with seven answers", async () => {
      const s = await prisma.surveyCall.findFirst({
        where: { state: "completed" },
        select: { _count: { select: { answers: true } } },
      });
      return s && s._count.answers === 7 ? s : null;
    });
    expect(completed._count.answers).toBe(7);
    const message = await waitFor("a stored voice message", () =>
      prisma.voiceMessage.findFirst({ where: { state: "stored" }, select: { storageKey: true, sizeBytes: true } }),
    );
    // The default storage is the database itself (an MP3 from the simulator), encrypted with a generated key.
    expect(message.storageKey).toMatch(/\.mp3$/);
    expect(await service.ctx.storage.size(message.storageKey!)).toBe(message.sizeBytes);
    expect(existsSync(path.join(dataDir, "keys", "audio.key"))).toBe(true);
    expect(message.sizeBytes).toBeGreaterThan(1000);
    // Started in the background at start-up (src/web/warm-up.ts), long done by now.
    expect(messages).not.toContain("page warm-up failed");
  }, 90_000);

  it("reopens the same data after a restart, without applying migrations again", async () => {
    const before = await service.ctx.prisma.completedCall.count();
    await service.stop();
    messages.length = 0;
    service = await start();
    expect(await service.ctx.prisma.completedCall.count()).toBeGreaterThanOrEqual(before);
    expect(messages).not.toContain("migration applied");
    expect(messages).toContain("service started");
  }, 60_000);

  it("serves /metrics on METRICS_PORT only, with its token, and is ready with the dispatcher ticking", async () => {
    await service.stop();
    const metricsPort = await freePort();
    const token = "service-start-metrics-token-0123";
    env = { ...env, METRICS_PORT: String(metricsPort), METRICS_HOST: "127.0.0.1", METRICS_TOKEN: token };
    service = await start();
    const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    expect((await fetch(metricsUrl)).status).toBe(401);
    const ok = await fetch(metricsUrl, { headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain("nki_survey_transitions_total");
    // Not on the main port when it has its own listener.
    expect((await fetch(`${service.url}/metrics`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(404);
    const ready = await waitFor("the dispatcher's first tick", async () => {
      const body = (await (await fetch(`${service.url}/readyz`)).json()) as { checks?: { dispatcher?: string } };
      return body.checks?.dispatcher === "ok" && body;
    });
    expect(ready).toMatchObject({ status: "ready", checks: { database: "ok", migrations: "ok", storage: "ok" } });
  }, 60_000);
});
