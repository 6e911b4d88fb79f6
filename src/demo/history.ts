import { randomUUID } from "node:crypto";
import type { Db, Prisma } from "../lib/db.js";
import { sqlLiteral } from "../lib/db.js";
import { ensureAgent, ensureGroup } from "../organizations/service.js";
import { periodContaining } from "../results/periods.js";
import { rebuildRollups } from "../results/rollup.js";
import { QUESTION_MEANS } from "../telephony/simulator/personas.js";
import { DEMO_AGENTS, DEMO_GROUPS, type DemoAgent, type DemoGroup } from "./roster.js";

/**
 * A year and more of invented history for the demo kundcenter, so that last
 * year's tertial, the previous tertial, week trends and comparisons are
 * filled from the first page a newcomer opens. Volumes follow seed 003
 * (about 51,500 answered calls a tertial: ~600 a weekday), with seasonality
 * (a quiet July), one svarsgrupp whose queue (and so its answer-time score)
 * suffers every summer, and one agent who improves after coaching.
 *
 * Set-based: a handful of INSERT … SELECT over generate_series, straight
 * into CompletedCall, SurveyCall and Answer, then the rollups rebuilt from
 * those answers (src/results/rollup.ts), so they are exact. One transaction:
 * all of it or none. Idempotent: calls carry external ids "history-…", and a
 * second start finds them and adds nothing. No numbers at all: every survey
 * is in a final state, whose number is erased, as the service itself does.
 * The SMS fallback is in the history too (SurveySms, links opened, answers
 * with channel web), so the funnel and the channel switch have past periods.
 */
export const HISTORY_PREFIX = "history-";
/** Answered calls per weekday in an average month (51,500 a tertial over ~85 weekdays). */
export const CALLS_PER_WEEKDAY = 606;
/** Share of eligible calls surveyed in the history. */
export const HISTORY_SAMPLE_RATE = 0.15;
/** The svarsgrupp whose answer time dips in the summer (June–August), and by how much its queue grows. */
export const SUMMER_DIP = { group: "val1", queueFactor: 2.2 };
/** The agent who was coached, and how far below the group they were before it. */
export const COACHED = { externalId: "demo-agent-15", effectBefore: -0.6, monthsAgo: 5 };

/**
 * What the citizens sent an SMS do, as shares of the SMS (draws per survey):
 * about 3 % undelivered and 1 % to a number that takes no SMS (Twilio 21211,
 * never sent); of the rest 30 % open the link and 19 % answer (about 18 % of
 * those sent, as SKR's SMS servicemätning), 17 % to the end. Web scores sit a
 * little lower than the phone's.
 */
export const WEB_SHARES = {
  undelivered: 0.03,
  invalid: 0.01,
  opened: 0.3,
  answered: 0.19,
  completed: 0.17,
  scoreShift: 0.15,
};

const MONTH_FACTOR = [1.15, 1.1, 1.05, 1.0, 0.95, 0.85, 0.55, 0.9, 1.1, 1.05, 1.0, 0.8];
const AGENT_WEIGHT: Record<string, number> = {
  svarstid: 0,
  bemotande: 1,
  engagemang: 1,
  kunskap: 1,
  fick_hjalp: 0.8,
  helhet: 0.8,
  rekommendera: 0.3,
};

export interface HistoryRange {
  /** First local day of the history. */
  from: string;
  /** Last local day (yesterday: today belongs to the live demo). */
  to: string;
}

/**
 * From the start of the tertial a year before the current one (so "same
 * tertial last year" is whole), and at least 13 months back, to yesterday.
 */
export function historyRange(now: Date, timeZone: string): HistoryRange {
  const tertial = periodContaining("tertial", now, timeZone);
  const month = periodContaining("month", now, timeZone);
  const minus = (day: string, months: number) => {
    const [y, m] = day.split("-").map(Number) as [number, number];
    const t = y * 12 + (m - 1) - months;
    return `${Math.floor(t / 12)}-${String((t % 12) + 1).padStart(2, "0")}-01`;
  };
  const a = minus(tertial.from, 12);
  const b = minus(month.from, 13);
  const today = periodContaining("day", now, timeZone).from;
  const yesterday = new Date(Date.parse(`${today}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
  return { from: a < b ? a : b, to: yesterday };
}

export async function hasHistory(db: Db, organizationId: string): Promise<boolean> {
  const found = await db.completedCall.findFirst({
    where: { organizationId, externalCallId: { startsWith: HISTORY_PREFIX } },
    select: { id: true },
  });
  return found !== null;
}

export interface BackfillResult {
  added: boolean;
  range: HistoryRange;
  calls: number;
  surveys: number;
  answers: number;
  /** SMS fallbacks sent, and answers given on the web (part of `answers`). */
  sms: number;
  webAnswers: number;
  ms: number;
}

export async function backfillHistory(
  prisma: Prisma,
  opts: {
    organizationId: string;
    timeZone: string;
    now: Date;
    flowId: string;
    flowVersion: string;
    seed?: number;
    /** The bench's per-statement timings. */
    onStep?: (step: string, ms: number) => void;
  },
): Promise<BackfillResult> {
  const started = performance.now();
  const range = historyRange(opts.now, opts.timeZone);
  const none = { added: false, range, calls: 0, surveys: 0, answers: 0, sms: 0, webAnswers: 0 };
  if (await hasHistory(prisma, opts.organizationId)) return { ...none, ms: performance.now() - started };

  const groups: (DemoGroup & { id: string })[] = [];
  for (const g of DEMO_GROUPS)
    groups.push({ ...g, id: (await ensureGroup(prisma, opts.organizationId, g.key, g.name)).id });
  const agents: (DemoAgent & { id: string })[] = [];
  for (const a of DEMO_AGENTS)
    agents.push({ ...a, id: (await ensureAgent(prisma, opts.organizationId, a.externalId, a.name)).id });
  const coachedFrom = (() => {
    const d = new Date(opts.now);
    d.setUTCMonth(d.getUTCMonth() - COACHED.monthsAgo, 1);
    return d.toISOString().slice(0, 10);
  })();

  const L = sqlLiteral;
  // Group by the call's draw against the cumulative shares, agent by a second draw among the group's agents:
  // CASE and array look-ups, not joins, so the planner has nothing to get wrong on tables without statistics.
  let lo = 0;
  const bounds = groups.map((g) => (lo += g.share));
  const byGroup = (f: (g: (typeof groups)[number], i: number) => string) =>
    `CASE ${groups.map((g, i) => (i < groups.length - 1 ? `WHEN rg < ${bounds[i]} THEN ${f(g, i)}` : `ELSE ${f(g, i)}`)).join(" ")} END`;
  // "Ej val" has no agents of its own: every agent takes those calls.
  const agentsOf = (g: DemoGroup) => {
    const own = agents.filter((a) => a.group === g.key);
    return own.length ? own : agents;
  };
  const effect = (a: (typeof agents)[number], before: boolean) =>
    before && a.externalId === COACHED.externalId ? COACHED.effectBefore : a.effect;
  const pick = (g: DemoGroup, f: (a: (typeof agents)[number]) => string) => {
    const list = agentsOf(g);
    return `(ARRAY[${list.map(f).join(", ")}])[1 + floor(ra * ${list.length})::int]`;
  };
  const groupId = byGroup((g) => `${L(g.id)}::uuid`);
  const groupEffect = byGroup((g) => String(g.effect));
  const queueMean = byGroup(
    (g) =>
      `${g.queueMeanSeconds}${g.key === SUMMER_DIP.group ? ` * CASE WHEN extract(month FROM day) IN (6, 7, 8) THEN ${SUMMER_DIP.queueFactor} ELSE 1 END` : ""}`,
  );
  const agentId = byGroup((g) => pick(g, (a) => `${L(a.id)}::uuid`));
  const agentEffect = byGroup(
    (g) =>
      `CASE WHEN day < ${L(coachedFrom)}::date THEN ${pick(g, (a) => String(effect(a, true)))} ELSE ${pick(g, (a) => String(effect(a, false)))} END`,
  );
  // Ids: a random prefix per run and a counter. gen_random_uuid() per row costs most of a second
  // per 50,000 rows on PGlite, and ascending keys go into the primary-key indexes at their end.
  const ccPrefix = randomUUID().slice(0, 24);
  const scPrefix = randomUUID().slice(0, 24);
  const smsPrefix = randomUUID().slice(0, 24);
  const W = WEB_SHARES;
  const uuidFrom = (prefix: string) => `(${L(prefix)} || lpad(to_hex(i), 12, '0'))::uuid`;
  const questionRows = Object.entries(QUESTION_MEANS).map(
    ([key, mean], i) => `(${L(key)}, ${i + 1}, ${mean}, ${AGENT_WEIGHT[key] ?? 0.5})`,
  );
  const org = L(opts.organizationId);
  const tz = L(opts.timeZone);
  const statements = [
    `SELECT setseed(${(opts.seed ?? 0.2026) % 1})`,
    `CREATE TEMP TABLE h_question (key text, ord int, mean float8, weight float8) ON COMMIT DROP`,
    `INSERT INTO h_question VALUES ${questionRows.join(", ")}`,
    // One row per answered call: weekdays only, volume by month, 08–17 local time.
    `CREATE TEMP TABLE h_call ON COMMIT DROP AS
     WITH days AS (
       SELECT d::date AS day, (ARRAY[${MONTH_FACTOR.join(",")}])[extract(month FROM d)::int] AS f
       FROM generate_series(${L(range.from)}::date, ${L(range.to)}::date, interval '1 day') d
       WHERE extract(isodow FROM d) < 6
     ), calls AS (
       SELECT day, generate_series(1, round(${CALLS_PER_WEEKDAY} * f * (0.9 + 0.2 * random()))::int) AS seq FROM days
     ), drawn AS (
       SELECT row_number() OVER () AS i, day, seq, random() AS rg, random() AS ra, random() AS rt, random() AS rq, random() AS rs, random() AS ro, random() AS rh FROM calls
     )
     SELECT ${uuidFrom(ccPrefix)} AS cc_id, ${uuidFrom(scPrefix)} AS sc_id, day, seq, ${groupId} AS group_id, ${groupEffect} AS group_effect,
       ${agentId} AS agent_id, ${agentEffect} AS agent_effect,
       greatest(3, round(-ln(1 - rq) * ${queueMean}))::int AS queue_seconds,
       CASE WHEN rt < 0.04 THEN 2 + floor(rt * 175)::int ELSE 40 + round(-ln(1 - rt) * 180)::int END AS talk_seconds,
       ((day + time '08:00' + rh * interval '9 hours') AT TIME ZONE ${tz}) AS started_at, rs, ro
     FROM drawn`,
    `INSERT INTO "CompletedCall" (id, "organizationId", "externalCallId", "agentId", "groupId", "queueSeconds", "talkSeconds",
       "startedAt", "endedAt", decision, "skipReason", "receivedAt")
     SELECT cc_id, ${org}::uuid, ${L(HISTORY_PREFIX)} || to_char(day, 'YYYYMMDD') || '-' || seq, agent_id, group_id, queue_seconds, talk_seconds,
       started_at + make_interval(secs => queue_seconds), started_at + make_interval(secs => queue_seconds + talk_seconds),
       CASE WHEN talk_seconds >= 10 AND rs < ${HISTORY_SAMPLE_RATE} THEN 'scheduled' ELSE 'skipped' END,
       CASE WHEN talk_seconds < 10 THEN 'short_call' WHEN rs >= ${HISTORY_SAMPLE_RATE} THEN 'not_sampled' END,
       started_at + make_interval(secs => queue_seconds + talk_seconds + 5)
     FROM h_call`,
    // Survey outcomes: about 52 % completed, 5 % partial, the rest never became answers on the phone.
    // The unanswered and the machines (a third) get the SMS fallback a minute after the last attempt
    // (src/sms/rules.ts wantsSmsFallback); see WEB_SHARES for what the citizens then do.
    `CREATE TEMP TABLE h_survey ON COMMIT DROP AS
     WITH s AS (
       SELECT *, CASE WHEN ro < 0.52 THEN 'completed' WHEN ro < 0.57 THEN 'partial' WHEN ro < 0.82 THEN 'no_answer'
                      WHEN ro < 0.90 THEN 'machine' WHEN ro < 0.91 THEN 'opted_out' WHEN ro < 0.93 THEN 'failed' ELSE 'expired' END AS state,
         started_at + make_interval(secs => queue_seconds + talk_seconds + 65) AS survey_at, random() AS rw, random() AS rd, random() AS rp
       FROM h_call WHERE talk_seconds >= 10 AND rs < ${HISTORY_SAMPLE_RATE}
     ), m AS (
       SELECT *, CASE WHEN state IN ('no_answer', 'machine') THEN survey_at + interval '210 seconds' END AS sms_at FROM s
     )
     SELECT *, CASE WHEN sms_at IS NOT NULL AND rd >= ${W.undelivered + W.invalid} AND rw < ${W.opened}
                    THEN sms_at + least(interval '6 days', make_interval(secs => 60 + (-ln(1 - rp) * 5400))) END AS web_opened_at
     FROM m`,
    `INSERT INTO "SurveyCall" (id, "organizationId", "completedCallId", "groupId", "agentId", state, attempts, "expiresAt", "flowId", "flowVersion",
       "answeredBy", outcome, "startedAt", "endedAt", "createdAt", "updatedAt", "webOpenedAt", "webCompletedAt")
     SELECT sc_id, ${org}::uuid, cc_id, group_id, agent_id, state::"SurveyState", CASE WHEN state = 'expired' THEN 0 WHEN state = 'no_answer' THEN 2 ELSE 1 END,
       survey_at + interval '4 hours', ${L(opts.flowId)}, ${L(opts.flowVersion)},
       CASE WHEN state IN ('completed', 'partial', 'opted_out') THEN 'human' WHEN state = 'machine' THEN 'machine' END, state,
       CASE WHEN state IN ('completed', 'partial', 'opted_out', 'machine') THEN survey_at END,
       CASE WHEN state <> 'expired' THEN survey_at + interval '150 seconds' END, survey_at - interval '60 seconds', survey_at + interval '150 seconds',
       web_opened_at, CASE WHEN rw < ${W.completed} THEN web_opened_at + interval '3 minutes' END
     FROM h_survey`,
    // The SMS: a few to numbers that cannot take one (21211, never sent), a few undelivered, the rest delivered.
    `INSERT INTO "SurveySms" (id, "surveyId", "organizationId", state, "dueAt", attempts, "messageSid", "twilioStatus", "errorCode", reason,
       "sentAt", "statusAt", "createdAt")
     SELECT ${uuidFrom(smsPrefix)}, sc_id, ${org}::uuid, CASE WHEN invalid THEN 'skipped' WHEN undelivered THEN 'undelivered' ELSE 'delivered' END,
       sms_at, 1, CASE WHEN NOT invalid THEN 'SM' || replace(sc_id::text, '-', '') END,
       CASE WHEN invalid THEN NULL WHEN undelivered THEN 'undelivered' ELSE 'delivered' END,
       CASE WHEN invalid THEN '21211' WHEN undelivered THEN '30003' END, CASE WHEN invalid THEN 'invalid_number' END,
       CASE WHEN NOT invalid THEN sms_at END, sms_at + interval '8 seconds', survey_at + interval '150 seconds'
     FROM (SELECT row_number() OVER () AS i, sc_id, sms_at, survey_at, rd < ${W.undelivered} AS undelivered,
             rd >= ${W.undelivered} AND rd < ${W.undelivered + W.invalid} AS invalid
           FROM h_survey WHERE sms_at IS NOT NULL) x`,
    // Scores: the question's mean with the group's and agent's tendencies (svarstid follows the wait), plus noise.
    `INSERT INTO "Answer" ("surveyId", "organizationId", "groupId", "agentId", "flowId", "flowVersion", "questionKey", score, "answeredAt")
     SELECT s.sc_id, ${org}::uuid, s.group_id, s.agent_id, ${L(opts.flowId)}, ${L(opts.flowVersion)}, q.key,
       greatest(1, least(5, round(
         CASE WHEN q.key = 'svarstid' THEN least(4.7, greatest(2.6, 4.35 - 0.0045 * s.queue_seconds))
              ELSE q.mean + s.group_effect + s.agent_effect * q.weight END
         + 0.85 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()))))::smallint,
       s.survey_at + make_interval(secs => 15 * q.ord)
     FROM h_survey s JOIN h_question q ON s.state = 'completed' OR (s.state = 'partial' AND q.ord <= 1 + floor(s.rs * 20)::int % 6)`,
    // Web answers: every question for those who finished, the first one to three for those who stopped;
    // a little more critical than on the phone, as written answers to an SMS tend to be.
    `INSERT INTO "Answer" ("surveyId", "organizationId", "groupId", "agentId", "flowId", "flowVersion", "questionKey", score, "answeredAt", channel)
     SELECT s.sc_id, ${org}::uuid, s.group_id, s.agent_id, ${L(opts.flowId)}, ${L(opts.flowVersion)}, q.key,
       greatest(1, least(5, round(
         CASE WHEN q.key = 'svarstid' THEN least(4.7, greatest(2.6, 4.35 - 0.0045 * s.queue_seconds))
              ELSE q.mean + s.group_effect + s.agent_effect * q.weight END
         - ${W.scoreShift} + 0.95 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()))))::smallint,
       s.web_opened_at + make_interval(secs => 20 * q.ord), 'web'
     FROM h_survey s JOIN h_question q
       ON s.web_opened_at IS NOT NULL AND s.rw < ${W.answered} AND (s.rw < ${W.completed} OR q.ord <= 1 + floor(s.rp * 1000)::int % 3)`,
  ];
  const counts = await prisma.$transaction(
    async (tx) => {
      let t = performance.now();
      const step = (name: string) => {
        opts.onStep?.(name, performance.now() - t);
        t = performance.now();
      };
      // A bulk load of rows built from ids just ensured above: the per-row foreign-key triggers (most of
      // the time on PGlite) are skipped where the role may (superuser: always on the embedded database).
      const [{ su }] = await tx.$queryRawUnsafe<{ su: boolean }[]>(
        `SELECT rolsuper AS su FROM pg_roles WHERE rolname = current_user`,
      );
      if (su) await tx.$executeRawUnsafe(`SET LOCAL session_replication_role = replica`);
      for (const s of statements) {
        await tx.$executeRawUnsafe(s);
        step(s.trim().slice(0, 40));
      }
      await rebuildRollups(tx, opts.organizationId);
      step("rebuildRollups");
      const [c] = await tx.$queryRawUnsafe<
        { calls: number; surveys: number; answers: number; sms: number; webAnswers: number }[]
      >(
        `SELECT (SELECT count(*) FROM h_call)::int AS calls, (SELECT count(*) FROM h_survey)::int AS surveys,
           (SELECT count(*) FROM "Answer" WHERE "surveyId" IN (SELECT sc_id FROM h_survey))::int AS answers,
           (SELECT count(*) FROM "SurveySms" WHERE "surveyId" IN (SELECT sc_id FROM h_survey) AND "sentAt" IS NOT NULL)::int AS sms,
           (SELECT count(*) FROM "Answer" WHERE "surveyId" IN (SELECT sc_id FROM h_survey) AND channel = 'web')::int AS "webAnswers"`,
      );
      return c;
    },
    { timeout: 600_000, maxWait: 30_000 },
  );
  return { added: true, range, ...counts, ms: performance.now() - started };
}
