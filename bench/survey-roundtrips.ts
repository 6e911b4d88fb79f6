/**
 * Database round trips of ONE complete survey call, everything included: the
 * intake request, the dispatcher's claim and dial, Twilio's status and
 * answering-machine callbacks, the TwiML webhooks (greeting, seven answers, the
 * voice message) and the recording's download, storage and deletion at Twilio.
 * The real app, dispatcher and voice-message job; the Twilio simulator as
 * Twilio, with a citizen who answers everything and leaves a message.
 *
 *   npx tsx bench/survey-roundtrips.ts [--db pg|embedded]     (BENCH_TRACE=1 prints each statement)
 *
 * Every statement any pg client sends counts (BEGIN and COMMIT included),
 * attributed to the HTTP request or job that sent it.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { randomBytes } from "node:crypto";
import { createServer as createHttpServer } from "node:http";
import { createServer } from "node:net";
import { parseArgs } from "node:util";
import pg from "pg";
import { createApp } from "../src/app.js";
import { dispatchTick } from "../src/dispatch/dispatcher.js";
import { createApiKey } from "../src/intake/api-keys.js";
import { createPrisma, startEmbeddedPostgres } from "../src/lib/db.js";
import { createLogger } from "../src/lib/logger.js";
import { migrate } from "../src/lib/migrate.js";
import { processDueVoiceMessages } from "../src/recordings/voice-messages.js";
import { createTwilioClient } from "../src/telephony/client.js";
import { createPersona, startSimulator } from "../src/telephony/simulator/index.js";
import { createTestContext } from "../test/support/context.js";

const { values } = parseArgs({ options: { db: { type: "string", default: "pg" } } });

const phase = new AsyncLocalStorage<string>();
/**
 * The bench's own reads (finding the survey, checking how it ended) are not the
 * service's: counting pauses (nothing of the service's runs at those moments,
 * and Prisma's relation queries would lose any async context anyway).
 */
const own = async <T>(fn: () => Promise<T>): Promise<T> => {
  const was = measuring;
  measuring = false;
  try {
    return await fn();
  } finally {
    measuring = was;
  }
};
const counts = new Map<string, number>();
let measuring = false;
const original = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  // A statement that waited for a pooled connection may have lost its async context: counted, unattributed.
  const where = measuring ? (phase.getStore() ?? "(waited for a connection; route unknown)") : undefined;
  if (where) counts.set(where, (counts.get(where) ?? 0) + 1);
  if (where && process.env.BENCH_TRACE) {
    const q = args[0] as string | { text?: string };
    console.log(
      `  [${where}] ${String(typeof q === "string" ? q : q?.text)
        .replace(/\s+/g, " ")
        .slice(0, 150)}`,
    );
  }
  return (original as (...a: unknown[]) => unknown).apply(this, args);
} as typeof pg.Client.prototype.query;

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

async function database(): Promise<{ url: string; drop(): Promise<void> }> {
  if (values.db === "embedded") {
    const server = await startEmbeddedPostgres({});
    return { url: server.url, drop: () => server.stop() };
  }
  const admin = new pg.Client({ connectionString: "postgresql://postgres@127.0.0.1:5432/postgres" });
  await admin.connect();
  const name = `nki_bench_rt_${randomBytes(4).toString("hex")}`;
  await admin.query(`CREATE DATABASE ${name}`);
  return {
    url: `postgresql://postgres@127.0.0.1:5432/${name}`,
    async drop() {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

const db = await database();
try {
  await migrate(db.url);
  const prisma = createPrisma(db.url, values.db === "embedded" ? 1 : 10);
  const port = await freePort();
  const ctx = await createTestContext(
    { prisma, url: db.url, close: async () => {} },
    {
      env: { PUBLIC_BASE_URL: `http://127.0.0.1:${port}`, DISPATCH_CALLS_PER_SECOND: "50" },
      settings: { callingHours: "always", skipPublicHolidays: false, surveyDelaySeconds: 0, repeatWindowDays: 0 },
    },
  );
  const logger = createLogger("warn");
  const sim = await startSimulator({ ...ctx.twilioCredentials, timeScale: 0, logger });
  const creds = { ...ctx.twilioCredentials, apiUrl: sim.url };
  const app = createApp({ ...ctx, logger, twilioCredentials: creds, twilio: createTwilioClient(creds) });
  const jobsCtx = { ...ctx, logger, twilioCredentials: creds, twilio: createTwilioClient(creds) };
  // Each request's statements are counted under its route.
  const server = createHttpServer((req, res) =>
    phase.run(`request ${String(req.url).split("?")[0]}`, () => app(req, res)),
  );
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));

  const { secret } = await createApiKey(prisma, ctx.organizationId, "bench");
  const number = "+46701740690";
  sim.registerCitizen(
    number,
    createPersona(7, {
      pickup: "answer",
      machine: false,
      amd: { verdict: "human", seconds: 1 },
      optOutAt: null,
      hangUpAt: null,
      silentAt: [],
      invalidAt: [],
      message: { seconds: 20, end: "#" },
    }),
  );
  const end = Date.now() - 5_000;
  const body = {
    externalCallId: `rt-${randomBytes(4).toString("hex")}`,
    callerNumber: number,
    agent: { externalId: "a-1" },
    group: { key: "val1" },
    startedAt: new Date(end - 240_000).toISOString(),
    endedAt: new Date(end).toISOString(),
    queueSeconds: 60,
  };
  // Warm-up survey: first sight of group and agent, API key cache, statement preparation.
  for (const warm of [true, false]) {
    counts.clear();
    measuring = true;
    const b = { ...body, externalCallId: `${body.externalCallId}-${warm ? "warm" : "measured"}` };
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/calls/completed`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${secret}` },
      body: JSON.stringify(b),
    });
    if ((await res.json()).decision !== "scheduled") throw new Error("not scheduled");
    const survey = await own(() =>
      prisma.surveyCall.findFirstOrThrow({
        where: { completedCall: { externalCallId: b.externalCallId } },
        select: { id: true },
      }),
    );
    // One tick places the call; the simulator runs it to the end (time scale 0);
    // the job stores the voice message if the recording callback has not already.
    await phase.run("dispatcher tick (claim, dial)", () => dispatchTick(jobsCtx));
    await sim.idle();
    await phase.run("voice-message job", () => processDueVoiceMessages(jobsCtx));
    const s = await own(() =>
      prisma.surveyCall.findUniqueOrThrow({
        where: { id: survey.id },
        select: { state: true, voiceMessage: { select: { state: true } }, _count: { select: { answers: true } } },
      }),
    );
    if (s.state !== "completed" || s.voiceMessage?.state !== "stored" || s._count.answers !== 7) {
      throw new Error(
        `survey ended ${s.state} with ${s._count.answers} answers, voice message ${s.voiceMessage?.state}`,
      );
    }
    measuring = false;
    if (warm) continue;
    const rows = [...counts].sort((a, b) => b[1] - a[1]);
    const total = rows.reduce((n, [, c]) => n + c, 0);
    console.log(
      `database round trips of one complete survey (${values.db === "embedded" ? "embedded PGlite" : "PostgreSQL 127.0.0.1:5432"}): ${total}`,
    );
    for (const [where, c] of rows) console.log(`  ${String(c).padStart(3)}  ${where}`);
  }
  await sim.stop();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await prisma.$disconnect();
} finally {
  await db.drop();
}
