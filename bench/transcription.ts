/**
 * Transcription at a week's scale, on PostgreSQL (127.0.0.1:5432, a fresh
 * database dropped afterwards; set TEST_DATABASE_URL to use another server).
 *
 *   npx tsx bench/transcription.ts [--part pipeline|search|both] [--sample 60] [--delay-ms 2000]
 *                                  [--fast 2000] [--transcripts 100000] [--queries 200]
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
 * simulator's voice texts with varied words), then --queries searches through
 * searchTranscripts (the API's function), p50/p95/max.
 */
import { performance } from "node:perf_hooks";
process.env.TEST_DATABASE_URL ??= "postgresql://root@127.0.0.1:5432/postgres";
const { createTestDatabase } = await import("../test/support/db.js");
const { createTestContext } = await import("../test/support/context.js");
const { createUser, createVoiceMessage, makeWav } = await import("../test/review.fixtures.js");
const { runTranscriptionTick } = await import("../src/transcription/worker.js");
const { searchTranscripts } = await import("../src/transcription/search.js");
const { sqlExecute } = await import("../src/lib/db.js");
const { VOICE_TEXTS } = await import("../src/telephony/simulator/voice-texts.js");
import type { Transcriber } from "../src/transcription/transcriber.js";

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

async function search(n: number, queries: number) {
  const db = await createTestDatabase();
  try {
    const ctx = await createTestContext(db, { now: new Date(), env: { LOG_LEVEL: "warn" } });
    const u = await createUser(db.prisma, ctx.organizationId, "manager");
    const actor = { id: u.id, organizationId: ctx.organizationId, role: "manager" as const };
    // One real message for its group and agent ids, then set-based copies.
    const { group, agent } = await createVoiceMessage(db.prisma, {
      organizationId: ctx.organizationId,
      recordedAt: new Date(),
    });
    const texts = VOICE_TEXTS.flatMap((t) => STREETS.map((s) => `${t} Det gäller ${s}.`));
    const seedStart = performance.now();
    const BATCH = 20_000;
    for (let off = 0; off < n; off += BATCH) {
      const size = Math.min(BATCH, n - off);
      await sqlExecute(
        db.prisma,
        `WITH s AS (
           SELECT g AS i, gen_random_uuid() AS cc, gen_random_uuid() AS sv, gen_random_uuid() AS vm,
                  now() - (g % 365) * interval '1 day' AS at
             FROM generate_series($1::int, $2::int) g),
         c AS (INSERT INTO "CompletedCall" (id, "organizationId", "externalCallId", "agentId", "groupId", "queueSeconds",
                  "talkSeconds", "startedAt", "endedAt", decision)
               SELECT cc, $3::uuid, 'bench-' || i, $4::uuid, $5::uuid, 30, 120, at, at, 'scheduled' FROM s RETURNING id),
         v AS (INSERT INTO "SurveyCall" (id, "organizationId", "completedCallId", "groupId", "agentId", state, "expiresAt",
                  "flowId", "flowVersion", "createdAt", "updatedAt")
               SELECT sv, $3::uuid, cc, $5::uuid, $4::uuid, 'completed', at, 'nki-sv', '1', at, at FROM s RETURNING id),
         m AS (INSERT INTO "VoiceMessage" (id, "surveyId", "organizationId", "groupId", "agentId", "recordingSid", state,
                  "storageKey", "contentType", "durationSeconds", "sizeBytes", "recordedAt", "updatedAt")
               SELECT vm, sv, $3::uuid, $5::uuid, $4::uuid, 'RE' || md5(vm::text), 'stored', 'k/' || vm, 'audio/mpeg', 20,
                      1000, at, at FROM s RETURNING id)
         INSERT INTO "Transcript" (id, "voiceMessageId", "organizationId", status, text, masked, "transcribedAt",
                  "searchVector", "createdAt", "updatedAt")
         SELECT gen_random_uuid(), vm, $3::uuid, 'done', t.text, true, at, to_tsvector('swedish', t.text), at, at
           FROM s CROSS JOIN LATERAL (SELECT ($6::text[])[1 + (s.i % array_length($6::text[], 1))] AS text) t`,
        [off + 1, off + size, ctx.organizationId, agent.id, group.id, texts],
      );
    }
    await sqlExecute(db.prisma, `ANALYZE "Transcript"; ANALYZE "VoiceMessage"`).catch(async () => {
      await sqlExecute(db.prisma, `ANALYZE "Transcript"`);
      await sqlExecute(db.prisma, `ANALYZE "VoiceMessage"`);
    });
    console.log(`search: seeded ${n} transcripts in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);
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
    const times: number[] = [];
    const totals = new Map<string, number>();
    for (let i = 0; i < queries; i++) {
      const q = qs[i % qs.length];
      const t0 = performance.now();
      const r = await searchTranscripts(ctx, actor, { q });
      times.push(performance.now() - t0);
      totals.set(q, r.total);
    }
    times.sort((a, b) => a - b);
    const pct = (p: number) => times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))];
    console.log(
      `search: ${queries} queries over ${n} transcripts: p50 ${pct(50).toFixed(1)} ms, p95 ${pct(95).toFixed(1)} ms, ` +
        `max ${times[times.length - 1].toFixed(1)} ms; hits per query: ${[...totals].map(([q, t]) => `${q}=${t}`).join(", ")}`,
    );
  } finally {
    await db.close();
  }
}

if (PART === "pipeline" || PART === "both") {
  const slow = await pipeline(SAMPLE, DELAY_MS);
  const fast = await pipeline(FAST, 0);
  const projected = (2000 * (2 + Math.max(slow, fast))) / CONCURRENCY / 60;
  console.log(
    `projected: 2,000 messages at 2 s each, concurrency 2: ${projected.toFixed(1)} min ` +
      `(2,000 × (2 s + the larger measured overhead) / 2; not run at full size)`,
  );
}
if (PART === "search" || PART === "both") await search(TRANSCRIPTS, QUERIES);
