/**
 * Transcription at a week's scale, on PostgreSQL (127.0.0.1:5432, a fresh
 * database dropped afterwards; set TEST_DATABASE_URL to use another server).
 *
 *   npx tsx bench/transcription.ts [--part pipeline|search|both] [--sample 60] [--delay-ms 2000]
 *                                  [--fast 2000] [--transcripts 100000] [--queries 200] [--keep] [--db URL]
 *
 * pipeline: the real job (runTranscriptionTick: enqueue, claim with SKIP
 * LOCKED, read and decrypt the audio through the recordings feature, mask,
 * store with the search vector) with TRANSCRIPTION_CONCURRENCY=2 and a fake
 * transcriber that answers after --delay-ms, over --sample messages; then the
 * same with a 0 ms fake over --fast messages. The overhead per message is what
 * the job adds to the fake's time; the 2,000-message week at 2 s is projected
 * from it (running it takes over 33 minutes): 2,000 × (2 s + overhead) / 2.
 *
 * search: --transcripts transcripts (set-based inserts, texts drawn from the
 * simulator's voice texts with varied words; two messages in five reviewed,
 * with a note and a case reference, spread over a year and three groups), then
 * --queries searches through searchTranscripts (the API's function), p50/p95/max,
 * once without filters and once with a week or group filter, with the CPU time
 * per query of the database backends and of this process (the machine's load
 * inflates wall times; CPU time much less). --keep leaves the search database
 * in place and prints its URL (for EXPLAIN; drop it yourself); --db <url>
 * searches such a database again without seeding.
 */
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { performance } from "node:perf_hooks";
process.env.TEST_DATABASE_URL ??= "postgresql://root@127.0.0.1:5432/postgres";
const { createTestDatabase } = await import("../test/support/db.js");
const { createTestContext } = await import("../test/support/context.js");
const { createUser, createVoiceMessage, makeWav } = await import("../test/review.fixtures.js");
const { runTranscriptionTick } = await import("../src/transcription/worker.js");
const { searchTranscripts } = await import("../src/transcription/search.js");
const { createPrisma, sqlExecute, sqlQuery } = await import("../src/lib/db.js");
const { formatIsoWeek, weekOf } = await import("../src/review/rules.js");
const { VOICE_TEXTS } = await import("../src/telephony/simulator/voice-texts.js");
import type { Transcriber } from "../src/transcription/transcriber.js";
import type { Prisma } from "../src/lib/db.js";

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const PART = arg("part", "both");
const SAMPLE = Number(arg("sample", "60"));
const DELAY_MS = Number(arg("delay-ms", "2000"));
const FAST = Number(arg("fast", "2000"));
const TRANSCRIPTS = Number(arg("transcripts", "100000"));
const QUERIES = Number(arg("queries", "200"));
const KEEP = process.argv.includes("--keep");
const CONCURRENCY = 2;
const TEXT = "Snöröjningen på vår gata har inte kommit på tre dagar. Ring mig på 070-174 06 05.";

function fakeTranscriber(delayMs: number): Transcriber {
  return {
    endpoint: "fake",
    model: "fake",
    transcribe: async () => {
      if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
      const words = TEXT.split(" ").map((word) => ({ word, probability: 0.9 }));
      return { text: TEXT, language: "sv", segments: [{ start: 0, end: 5, text: ` ${TEXT}`, words }] };
    },
  };
}

async function pipeline(n: number, delayMs: number) {
  const db = await createTestDatabase();
  try {
    const ctx = await createTestContext(db, {
      now: new Date(),
      env: { TRANSCRIPTION_CONCURRENCY: String(CONCURRENCY), LOG_LEVEL: "warn" },
    });
    const seedStart = performance.now();
    const audio = makeWav(4);
    for (let i = 0; i < n; i++)
      await createVoiceMessage(db.prisma, {
        organizationId: ctx.organizationId,
        recordedAt: new Date(Date.now() - 3_600_000 + i),
        storage: ctx.storage,
        audio,
        agentExternalId: `a-${i % 17}`,
      });
    const seeded = (performance.now() - seedStart) / 1000;
    ctx.transcriber = fakeTranscriber(delayMs);
    ctx.now = () => new Date();
    const start = performance.now();
    let done = 0;
    while (done < n) {
      await runTranscriptionTick(ctx);
      done = await db.prisma.transcript.count({ where: { status: "done" } });
    }
    const wall = (performance.now() - start) / 1000;
    const perMessage = (wall * CONCURRENCY) / n; // seconds one worker spends per message
    const overhead = perMessage - delayMs / 1000;
    console.log(
      `pipeline: ${n} messages, fake ${delayMs} ms, concurrency ${CONCURRENCY}: ${wall.toFixed(1)} s ` +
        `(${(n / wall).toFixed(1)}/s); per message per worker ${(perMessage * 1000).toFixed(0)} ms, ` +
        `overhead ${(overhead * 1000).toFixed(0)} ms (seeding took ${seeded.toFixed(1)} s)`,
    );
    return overhead;
  } finally {
    await db.close();
  }
}

/** Texts for the search set: the voice texts with a varied street and number, so rows differ. */
const STREETS = ["Storgatan", "Kyrkvägen", "Skolgränd", "Torget", "Parkvägen", "Ängsgatan", "Björkstigen"];
/** Invented review notes, for two messages in five (each with a case reference). */
const NOTES = [
  "Medborgaren klagar på snöröjningen, skickat till gatuenheten.",
  "Beröm till kommunvägledaren för bemötandet.",
  "Vill ha återkoppling från handläggaren om ansökan.",
  "Förslag om längre öppettider, vidare till kundcenterchefen.",
  "Fråga om förskoleplats, besvarad i telefon.",
  "Gatubelysningen vid skolan är trasig, felanmäld.",
  "Hemtjänsten uteblev, registrerat som klagomål.",
];
const CLASSES = ["klagomal", "berom", "klagomal", "forslag", "fraga", "klagomal", "klagomal"];

/** Seeds n transcripts (with messages, surveys and calls) set-based; returns the group ids. */
async function seedSearch(db: { prisma: Prisma }, organizationId: string, n: number): Promise<string[]> {
  // One real message per group for the group and agent ids, then set-based copies.
  const groups: string[] = [];
  let agentId = "";
  for (const groupKey of ["val1", "val2", "val3"]) {
    const { group, agent } = await createVoiceMessage(db.prisma, { organizationId, recordedAt: new Date(), groupKey });
    groups.push(group.id);
    agentId = agent.id;
  }
  const texts = VOICE_TEXTS.flatMap((t) => STREETS.map((s) => `${t} Det gäller ${s}.`));
  const seedStart = performance.now();
  const BATCH = 20_000;
  for (let off = 0; off < n; off += BATCH) {
    const size = Math.min(BATCH, n - off);
    await sqlExecute(
      db.prisma,
      `WITH s AS (
         SELECT g AS i, gen_random_uuid() AS cc, gen_random_uuid() AS sv, gen_random_uuid() AS vm,
                now() - (g % 365) * interval '1 day' - (g % 600) * interval '1 minute' AS at,
                ($5::uuid[])[1 + g % 3] AS grp
           FROM generate_series($1::int, $2::int) g),
       c AS (INSERT INTO "CompletedCall" (id, "organizationId", "externalCallId", "agentId", "groupId", "queueSeconds",
                "talkSeconds", "startedAt", "endedAt", decision)
             SELECT cc, $3::uuid, 'bench-' || i, $4::uuid, grp, 30, 120, at, at, 'scheduled' FROM s RETURNING id),
       v AS (INSERT INTO "SurveyCall" (id, "organizationId", "completedCallId", "groupId", "agentId", state, "expiresAt",
                "flowId", "flowVersion", "createdAt", "updatedAt")
             SELECT sv, $3::uuid, cc, grp, $4::uuid, 'completed', at, 'nki-sv', '1', at, at FROM s RETURNING id),
       m AS (INSERT INTO "VoiceMessage" (id, "surveyId", "organizationId", "groupId", "agentId", "recordingSid", state,
                "storageKey", "contentType", "durationSeconds", "sizeBytes", "recordedAt", "updatedAt",
                note, "caseReference", classification, "reviewedAt")
             SELECT vm, sv, $3::uuid, grp, $4::uuid, 'RE' || md5(vm::text), 'stored', 'k/' || vm, 'audio/mpeg', 20,
                    1000, at, at, n.note, n.ref, n.cls, n.at2
               FROM s CROSS JOIN LATERAL (
                 SELECT CASE WHEN s.i % 5 < 2 THEN ($7::text[])[1 + (s.i / 5) % array_length($7::text[], 1)] END AS note,
                        CASE WHEN s.i % 5 < 2 THEN 'KS ' || (2025 + s.i % 2) || '/' || s.i END AS ref,
                        CASE WHEN s.i % 5 < 2 THEN ($8::text[])[1 + (s.i / 5) % array_length($8::text[], 1)] END AS cls,
                        CASE WHEN s.i % 5 < 2 THEN s.at END AS at2) n
             RETURNING id)
       INSERT INTO "Transcript" (id, "voiceMessageId", "organizationId", "recordedAt", status, text, masked, "transcribedAt",
                "searchVector", "createdAt", "updatedAt")
       SELECT gen_random_uuid(), vm, $3::uuid, at, 'done', t.text, true, at, to_tsvector('swedish', t.text), at, at
         FROM s CROSS JOIN LATERAL (SELECT ($6::text[])[1 + (s.i % array_length($6::text[], 1))] AS text) t`,
      [off + 1, off + size, organizationId, agentId, groups, texts, NOTES, CLASSES],
    );
  }
  // VACUUM as autovacuum would soon after such a load: it also empties the GIN indexes' pending
  // lists, which a bulk insert leaves full (the planner then prices the index out and scans the table).
  for (const table of ["Transcript", "VoiceMessage"]) await sqlExecute(db.prisma, `VACUUM ANALYZE "${table}"`);
  console.log(`search: seeded ${n} transcripts in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);
  return groups;
}

/** CPU seconds the database's backends for this database have used (same host only: /proc), or null. */
async function backendCpuSeconds(db: { prisma: Prisma }): Promise<number | null> {
  const rows = await sqlQuery<{ pid: number }>(
    db.prisma,
    `SELECT pid FROM pg_stat_activity WHERE datname = current_database()`,
  );
  let ticks = 0;
  for (const { pid } of rows) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of stat)
    } catch {
      return null;
    }
  }
  return ticks / 100; // USER_HZ
}

async function search(n: number, queries: number) {
  const reuse = arg("db", "");
  const db = reuse
    ? { prisma: createPrisma(reuse, 5), url: reuse, close: async () => undefined }
    : await createTestDatabase();
  try {
    const ctx = await createTestContext(db, { now: new Date(), env: { LOG_LEVEL: "warn" } });
    let organizationId = ctx.organizationId;
    let groups: string[];
    if (reuse) {
      // The organization the earlier run seeded: the one with the most transcripts.
      const [top] = await sqlQuery<{ organizationId: string }>(
        db.prisma,
        `SELECT "organizationId" FROM "Transcript" GROUP BY 1 ORDER BY count(*) DESC LIMIT 1`,
      );
      organizationId = top.organizationId;
      const rows = await db.prisma.answerGroup.findMany({ where: { organizationId }, orderBy: { key: "asc" } });
      groups = rows.map((g) => g.id);
      n = await db.prisma.transcript.count({ where: { organizationId } });
    } else groups = await seedSearch(db, organizationId, n);
    const u = await createUser(db.prisma, organizationId, "manager");
    const actor = { id: u.id, organizationId, role: "manager" as const };
    const qs = [
      "snöröjning",
      "klagomål",
      "bemötandet",
      "handläggaren",
      "vänta",
      "förslag papperskorgar",
      "tack hjälpen",
      "förskolan",
      "hemtjänst",
      "storgatan",
    ];
    for (const q of qs) await searchTranscripts(ctx, actor, { q }); // warm-up
    const week = formatIsoWeek(weekOf(new Date(Date.now() - 30 * 86_400_000), "Europe/Stockholm"));
    const runs: [string, (q: string, i: number) => Record<string, string>][] = [
      ["no filter", (q) => ({ q })],
      [
        `week ${week} or one group`,
        (q, i): Record<string, string> => (i % 2 ? { q, week } : { q, groupId: groups[i % 3] }),
      ],
    ];
    for (const [label, input] of runs) {
      const times: number[] = [];
      const totals = new Map<string, number>();
      const load = loadavg()[0];
      const cpu0 = process.cpuUsage();
      const db0 = await backendCpuSeconds(db);
      for (let i = 0; i < queries; i++) {
        const q = qs[i % qs.length];
        const t0 = performance.now();
        const r = await searchTranscripts(ctx, actor, input(q, i));
        times.push(performance.now() - t0);
        totals.set(q, r.total);
      }
      const db1 = await backendCpuSeconds(db);
      const cpu = process.cpuUsage(cpu0);
      times.sort((a, b) => a - b);
      const pct = (p: number) => times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))];
      const perQuery = (seconds: number) => `${((seconds * 1000) / queries).toFixed(1)} ms`;
      console.log(
        `search (${label}): ${queries} queries over ${n} transcripts: p50 ${pct(50).toFixed(1)} ms, ` +
          `p95 ${pct(95).toFixed(1)} ms, max ${times[times.length - 1].toFixed(1)} ms ` +
          `(load average ${load.toFixed(1)} → ${loadavg()[0].toFixed(1)}); CPU per query: ` +
          `database ${db0 === null || db1 === null ? "n/a" : perQuery(db1 - db0)}, ` +
          `node ${perQuery((cpu.user + cpu.system) / 1e6)}; ` +
          `hits per query (last): ${[...totals].map(([q, t]) => `${q}=${t}`).join(", ")}`,
      );
    }
    if (KEEP && !reuse) console.log(`search: database kept at ${db.url} (reuse with --db <url>)`);
  } finally {
    if (!KEEP && !reuse) await db.close();
    else await db.prisma.$disconnect();
  }
}

if (PART === "pipeline" || PART === "both") {
  const slow = await pipeline(SAMPLE, DELAY_MS);
  const fast = await pipeline(FAST, 0);
  const projected = (2000 * (2 + Math.max(slow, fast))) / CONCURRENCY / 60;
  console.log(
    `projected: 2,000 messages at 2 s each, concurrency 2: ${projected.toFixed(1)} min ` +
      `(2,000 × (2 s + the larger measured overhead) / 2` +
      (SAMPLE >= 2000 && DELAY_MS === 2000
        ? "; the first line above is the full-size run itself)"
        : "; not run at full size)"),
  );
}
if (PART === "search" || PART === "both") await search(TRANSCRIPTS, QUERIES);
