import { Prisma } from "../generated/prisma/client.js";
import { z } from "zod";
import { sqlRows, type Db } from "../lib/db.js";

/**
 * SQL of the survey funnel and of queue times: raw CompletedCall, SurveyCall
 * and VoiceMessage rows of one organization within [start, end) instants.
 * Rows go through sqlRows on pg's pool (checked by the schemas beside each
 * statement; Prisma's raw path cost about 1 ms of CPU per statement).
 */
const count = z.number().int();
const groupId = z.string().nullable();

const funnelCountsRow = z.strictObject({
  groupId,
  completedCalls: count,
  eligible: count,
  sampled: count,
  dialled: count,
  reachedPerson: count,
  completed: count,
  partial: count,
  voiceMessages: count,
  /** SMS fallbacks sent (src/sms owns SurveySms; counted here in the funnel's one statement). */
  smsSent: count,
  /** The web survey's link was opened (SurveyCall.webOpenedAt). */
  linkOpened: count,
  /** At least one answer given on the web. */
  answeredOnWeb: count,
  /** The web survey finished (SurveyCall.webCompletedAt). */
  completedOnWeb: count,
  /** Skipped calls per skip reason ("unknown" where none was noted). */
  skipReasons: z.record(z.string(), count),
  /** Survey calls per state. */
  surveyStates: z.record(z.string(), count),
});
export type FunnelCountsRow = z.output<typeof funnelCountsRow>;

type PeriodQuery = { organizationId: string; start: Date; end: Date; byGroup: boolean };

const run = <S extends z.ZodType>(db: Db, schema: S, statement: Prisma.Sql) =>
  sqlRows(db, schema, statement.text, statement.values);

/**
 * The funnel in ONE statement: the counts per group (or for all), with the skip reasons
 * and the survey calls' states of the same calls beside them as objects.
 */
export async function funnelCounts(db: Db, q: PeriodQuery): Promise<FunnelCountsRow[]> {
  const group = q.byGroup ? Prisma.raw(`c."groupId"::text`) : Prisma.raw(`NULL::text`);
  // Sampling is the last eligibility rule, so a call that was only "not sampled" was eligible.
  return run(
    db,
    funnelCountsRow,
    Prisma.sql`
    WITH c AS MATERIALIZED (
      SELECT id, "groupId", decision, "skipReason" FROM "CompletedCall"
      WHERE "organizationId" = ${q.organizationId}::uuid AND "receivedAt" >= ${q.start} AND "receivedAt" < ${q.end}
    ), f AS (
      SELECT ${group} AS "groupId",
        count(*)::int AS "completedCalls",
        count(*) FILTER (WHERE c.decision = 'scheduled' OR c."skipReason" = 'not_sampled')::int AS eligible,
        count(*) FILTER (WHERE c.decision = 'scheduled')::int AS sampled,
        count(sc.id) FILTER (WHERE sc.attempts > 0)::int AS dialled,
        count(sc.id) FILTER (WHERE sc."answeredBy" = 'human')::int AS "reachedPerson",
        count(sc.id) FILTER (WHERE sc.state = 'completed')::int AS completed,
        count(sc.id) FILTER (WHERE sc.state = 'partial')::int AS partial,
        count(vm.id) FILTER (WHERE vm.state IN ('pending', 'stored', 'purged'))::int AS "voiceMessages",
        count(sms.id) FILTER (WHERE sms."sentAt" IS NOT NULL)::int AS "smsSent",
        count(sc.id) FILTER (WHERE sc."webOpenedAt" IS NOT NULL)::int AS "linkOpened",
        count(sc.id) FILTER (WHERE sc."webOpenedAt" IS NOT NULL
          AND EXISTS (SELECT 1 FROM "Answer" a WHERE a."surveyId" = sc.id AND a.channel = 'web'))::int AS "answeredOnWeb",
        count(sc.id) FILTER (WHERE sc."webCompletedAt" IS NOT NULL)::int AS "completedOnWeb"
      FROM c
      LEFT JOIN "SurveyCall" sc ON sc."completedCallId" = c.id
      LEFT JOIN "VoiceMessage" vm ON vm."surveyId" = sc.id
      LEFT JOIN "SurveySms" sms ON sms."surveyId" = sc.id
      GROUP BY 1
    ), skips AS (
      SELECT "groupId", json_object_agg(reason, n) AS reasons FROM (
        SELECT ${group} AS "groupId", coalesce(c."skipReason", 'unknown') AS reason, count(*)::int AS n
        FROM c WHERE c.decision = 'skipped' GROUP BY 1, 2) s GROUP BY 1
    ), states AS (
      SELECT "groupId", json_object_agg(state, n) AS states FROM (
        SELECT ${group} AS "groupId", sc.state::text AS state, count(*)::int AS n
        FROM c JOIN "SurveyCall" sc ON sc."completedCallId" = c.id GROUP BY 1, 2) s GROUP BY 1
    )
    SELECT f.*, coalesce(skips.reasons, '{}'::json) AS "skipReasons", coalesce(states.states, '{}'::json) AS "surveyStates"
    FROM f
    LEFT JOIN skips ON skips."groupId" IS NOT DISTINCT FROM f."groupId"
    LEFT JOIN states ON states."groupId" IS NOT DISTINCT FROM f."groupId"`,
  );
}

const queueTimeRow = z.strictObject({ groupId: z.string(), calls: count, meanQueueSeconds: z.number() });

/** Mean queue time per svarsgrupp of the calls in the period (the report shows it beside the answer-time score). */
export async function queueTimes(db: Db, q: { organizationId: string; start: Date; end: Date }) {
  return run(
    db,
    queueTimeRow,
    Prisma.sql`
    SELECT cc."groupId"::text AS "groupId", count(*)::int AS calls, avg(cc."queueSeconds")::float8 AS "meanQueueSeconds"
    FROM "CompletedCall" cc
    WHERE cc."organizationId" = ${q.organizationId}::uuid AND cc."startedAt" >= ${q.start} AND cc."startedAt" < ${q.end}
    GROUP BY 1`,
  );
}
