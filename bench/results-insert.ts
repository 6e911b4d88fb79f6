/**
 * What rollup maintenance costs when an answer is stored, measured on the
 * benchmark database (full-size indexes). Variants, interleaved so drift hits
 * all alike, each answer to a fresh (survey, question):
 *   A  Answer insert alone, in a Prisma interactive transaction
 *   B  A + addAnswerToRollup (the four rollup upserts) in the same transaction: two statements
 *   C  insertAnswer: Answer and its AnswerInbox row in ONE statement, in a transaction
 * and the database cost alone, one autocommit statement over a raw pg connection:
 *   D  INSERT Answer            E  the statement of C
 * and what the service runs for a keypress (src/survey/repository.ts moveByToken,
 * through its prepared-statement path on the shared pool):
 *   F  compare-and-set of the progress + Answer insert, without the inbox row
 *   G  the same statement with the inbox row (the service's)
 * then the background work the inbox defers: flushAnswerInbox folding the
 * inbox rows left by C, E and G into the four rollups, 7 rows a statement (one
 * survey's answers, about what a kundcenter's second holds) and all at once.
 */
import pg from "pg";
import { createPrisma, sqlQuery } from "../src/lib/db.js";
import { flushAnswerInbox } from "../src/results/rollup.js";
import { addAnswerToRollup, insertAnswer, insertAnswerSql } from "../test/support/answers.js";
import { moveByTokenSql } from "../src/survey/repository.js";
import { AGENTS, GROUPS_PER_ORG, ORGS, QUESTION_KEYS } from "./results-data.js";

const TZ = "Europe/Stockholm";

/**
 * scattered: every answer dated 2025-12-30 for an agent of any of the 50 organizations, so each
 *   upsert updates an existing row somewhere in the full-size rollups (cold pages, WAL full-page
 *   images, no HOT update): the pessimistic case.
 * today: answers as one kundcenter produces them, dated a new day (after the data set), for the
 *   40 agents of one organization: the first answer of a day creates the row, later ones update it.
 */
function shuffled<T>(xs: readonly T[], seed: number): T[] {
  const out = [...xs];
  let x = (seed + 1) * 2654435761;
  for (let i = out.length - 1; i > 0; i--) {
    x = (x * 1103515245 + 12345) % 2147483648;
    const j = x % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

export type InsertScenario = "scattered" | "today";

export async function measureInserts(
  url: string,
  perVariant: number,
  scenario: InsertScenario = "scattered",
): Promise<void> {
  const prisma = createPrisma(url, 2);
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const variants = ["A", "B", "C", "D", "E", "F", "G"] as const;
  const surveysPer = Math.ceil(perVariant / QUESTION_KEYS.length);
  // Real CompletedCall and SurveyCall rows, so the foreign-key checks run as in production.
  await c.query(`DELETE FROM "SurveyCall" WHERE "flowId" = 'bench-insert'`);
  await c.query(`DELETE FROM "CompletedCall" WHERE "externalCallId" LIKE 'bench-insert-%'`);
  await c.query(`INSERT INTO "CompletedCall"(id, "organizationId", "externalCallId", "agentId", "groupId", "queueSeconds", "talkSeconds", "startedAt", "endedAt", decision)
    SELECT md5('bi' || i)::uuid, md5('org' || (a % ${ORGS}))::uuid, 'bench-insert-' || i, md5('agt' || a)::uuid,
           md5('grp' || (a % ${ORGS}) || '-' || (1 + (a / ${ORGS}) % ${GROUPS_PER_ORG}))::uuid, 30, 100, now(), now(), 'scheduled'
    FROM (SELECT i, ${scenario === "today" ? `7 + ${ORGS} * ((i * 7919) % (${AGENTS} / ${ORGS}))` : `(i * 7919) % ${AGENTS}`} AS a
          FROM generate_series(1, ${surveysPer * variants.length}) i) s`);
  await c.query(`INSERT INTO "SurveyCall"(id, "organizationId", "completedCallId", "groupId", "agentId", state, "expiresAt", "flowId", "updatedAt", progress)
    SELECT md5('bi' || i)::uuid, cc."organizationId", cc.id, cc."groupId", cc."agentId", 'in_progress', now(), 'bench-insert', now(),
           jsonb_build_object('step', '${QUESTION_KEYS[0]}', 'try', 0)
    FROM generate_series(1, ${surveysPer * variants.length}) i JOIN "CompletedCall" cc ON cc.id = md5('bi' || i)::uuid`);
  const surveys = (
    await c.query(
      `SELECT id::text, "organizationId"::text AS org, "groupId"::text AS grp, "agentId"::text AS agent FROM "SurveyCall" WHERE "flowId" = 'bench-insert' ORDER BY "completedCallId"`,
    )
  ).rows;
  const times = new Map<string, number[]>(variants.map((v) => [v, []]));
  const at = (i: number) => (scenario === "today" ? new Date(day.getTime() + i * 20_000) : day);
  const day = scenario === "today" ? new Date("2026-01-15T07:00:00Z") : new Date("2025-12-30T10:00:00Z");
  // A kundcenter's day: answers seconds apart, all on the same local date.
  for (let i = 0; i < perVariant; i++) {
    // A new order every round (seeded), so no variant always runs right after another.
    for (const [vi, v] of shuffled(
      variants.map((v, vi) => [vi, v] as const),
      i,
    )) {
      const s = surveys[vi * surveysPer + Math.floor(i / QUESTION_KEYS.length)];
      const a = {
        surveyId: s.id,
        organizationId: s.org,
        groupId: s.grp,
        agentId: s.agent,
        flowId: "nki-sv",
        flowVersion: "1",
        questionKey: QUESTION_KEYS[i % QUESTION_KEYS.length],
        score: 1 + (i % 5),
        answeredAt: at(i),
        timeZone: TZ,
      };
      const row = {
        surveyId: a.surveyId,
        organizationId: a.organizationId,
        groupId: a.groupId,
        agentId: a.agentId,
        flowId: a.flowId,
        flowVersion: a.flowVersion,
        questionKey: a.questionKey,
        score: a.score,
        answeredAt: a.answeredAt,
      };
      const t = performance.now();
      if (v === "A")
        await prisma.$transaction(async (tx) => tx.answer.createMany({ data: [row], skipDuplicates: true }));
      else if (v === "B") {
        await prisma.$transaction(async (tx) => {
          await tx.answer.createMany({ data: [row], skipDuplicates: true });
          await addAnswerToRollup(tx, a);
        });
      } else if (v === "C") await prisma.$transaction(async (tx) => insertAnswer(tx, a));
      else if (v === "D") {
        await c.query(
          `INSERT INTO "Answer"("surveyId", "organizationId", "groupId", "agentId", "flowId", "flowVersion", "questionKey", score, "answeredAt")
          VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT ("surveyId", "questionKey") DO NOTHING`,
          [
            a.surveyId,
            a.organizationId,
            a.groupId,
            a.agentId,
            a.flowId,
            a.flowVersion,
            a.questionKey,
            a.score,
            a.answeredAt,
          ],
        );
      } else if (v === "E") {
        const sql = insertAnswerSql(a);
        await c.query(sql.text, sql.values);
      } else {
        const q = i % QUESTION_KEYS.length;
        const sql = moveByTokenSql(
          {
            surveyId: a.surveyId,
            flowId: "bench-insert",
            expected: { step: QUESTION_KEYS[q], try: 0 },
            next: { step: QUESTION_KEYS[q + 1] ?? "message", try: 0 },
            humanProof: true,
            answer: { questionKey: a.questionKey, score: a.score, answeredAt: a.answeredAt },
            flowVersion: "1",
            complete: false,
            at: a.answeredAt,
          },
          { inbox: v === "G" },
        );
        const rows = await sqlQuery<{ inserted: number }>(prisma, sql.text, sql.values, { prepare: true });
        if (rows[0]?.inserted !== 1) throw new Error(`variant ${v}: the keypress statement did not store the answer`);
      }
      times.get(v)!.push(performance.now() - t);
    }
  }
  // The inbox rows of C, E and G, folded into the rollups as the job would: in small batches, then a backlog.
  const pending = await prisma.answerInbox.count();
  const small: number[] = [];
  let movedSmall = 0;
  while (movedSmall < pending / 2) {
    const t = performance.now();
    const moved = await flushAnswerInbox(prisma, 7);
    if (moved === 0) break;
    small.push(performance.now() - t);
    movedSmall += moved;
  }
  const t0 = performance.now();
  const movedBacklog = await flushAnswerInbox(prisma, 1_000_000);
  const backlogMs = performance.now() - t0;
  // A, D and F stored answers without their rollup rows: remove them so the rollups stay true to the answers.
  const unrolled = [0, 3, 5].flatMap((vi) => surveys.slice(vi * surveysPer, (vi + 1) * surveysPer).map((s) => s.id));
  await prisma.$executeRaw`DELETE FROM "Answer" WHERE "surveyId" = ANY(${unrolled}::uuid[])`;
  await prisma.$disconnect();
  await c.end();
  const stat = (v: string) => {
    const s = [...times.get(v)!].sort((x, y) => x - y);
    const mean = s.reduce((x, y) => x + y, 0) / s.length;
    return { mean, p50: s[Math.floor(s.length / 2)], p95: s[Math.ceil(s.length * 0.95) - 1] };
  };
  const A = stat("A");
  const D = stat("D");
  console.log(`\nstoring one answer (${scenario}), ${perVariant} answers per variant (interleaved), ms`);
  const bases = new Map<object, string>();
  const line = (label: string, v: string, base: { mean: number }) => {
    const s = stat(v);
    if (v === "A" || v === "D" || v === "F") bases.set(base, v);
    const vs = bases.get(base) === v ? "" : `(${((s.mean / base.mean - 1) * 100).toFixed(1)} % vs ${bases.get(base)})`;
    console.log(
      `${label.padEnd(62)} mean ${s.mean.toFixed(3)}  p50 ${s.p50.toFixed(3)}  p95 ${s.p95.toFixed(3)}  ${vs}`,
    );
  };
  line("A  Answer alone, Prisma transaction", "A", A);
  line("B  Answer + addAnswerToRollup, Prisma transaction", "B", A);
  line("C  insertAnswer: Answer + inbox row (one statement), Prisma tx", "C", A);
  line("D  Answer alone, one autocommit statement (pg)", "D", D);
  line("E  Answer + inbox row, one autocommit statement", "E", D);
  const F = stat("F");
  line("F  keypress: progress CAS + Answer (service path, no inbox row)", "F", F);
  line("G  keypress: progress CAS + Answer + inbox row (the service's)", "G", F);
  const smallMean = small.reduce((x, y) => x + y, 0) / small.length;
  console.log(
    `H  folding the inbox into the rollups, 7 answers a statement: ${smallMean.toFixed(3)} ms a statement, ${((smallMean * small.length) / movedSmall).toFixed(3)} ms an answer (${movedSmall} answers)`,
  );
  console.log(
    `   the rest as one backlog: ${movedBacklog} answers in ${backlogMs.toFixed(1)} ms, ${(backlogMs / Math.max(1, movedBacklog)).toFixed(3)} ms an answer`,
  );
}
