import { Prisma } from "../generated/prisma/client.js";
import type { Db } from "../lib/db.js";

/**
 * SQL of the survey funnel and of queue times: raw CompletedCall, SurveyCall
 * and VoiceMessage rows of one organization within [start, end) instants.
 */
export interface FunnelCountsRow {
  groupId: string | null;
  completedCalls: number;
  eligible: number;
  sampled: number;
  dialled: number;
  reachedPerson: number;
  completed: number;
  partial: number;
  voiceMessages: number;
  /** SMS fallbacks sent (src/sms owns SurveySms; counted here in the funnel's one statement). */
  smsSent: number;
  /** The web survey's link was opened (SurveyCall.webOpenedAt). */
  linkOpened: number;
  /** At least one answer given on the web. */
  answeredOnWeb: number;
  /** The web survey finished (SurveyCall.webCompletedAt). */
  completedOnWeb: number;
}

const perGroup = (byGroup: boolean) => (byGroup ? Prisma.raw(`cc."groupId"::text`) : Prisma.raw(`NULL::text`));

export async function funnelCounts(
  db: Db,
  q: { organizationId: string; start: Date; end: Date; byGroup: boolean },
): Promise<FunnelCountsRow[]> {
  // Sampling is the last eligibility rule, so a call that was only "not sampled" was eligible.
  return db.$queryRaw<FunnelCountsRow[]>`
    SELECT ${perGroup(q.byGroup)} AS "groupId",
      count(*)::int AS "completedCalls",
      count(*) FILTER (WHERE cc.decision = 'scheduled' OR cc."skipReason" = 'not_sampled')::int AS eligible,
      count(*) FILTER (WHERE cc.decision = 'scheduled')::int AS sampled,
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
    FROM "CompletedCall" cc
    LEFT JOIN "SurveyCall" sc ON sc."completedCallId" = cc.id
    LEFT JOIN "VoiceMessage" vm ON vm."surveyId" = sc.id
    LEFT JOIN "SurveySms" sms ON sms."surveyId" = sc.id
    WHERE cc."organizationId" = ${q.organizationId}::uuid AND cc."receivedAt" >= ${q.start} AND cc."receivedAt" < ${q.end}
    GROUP BY 1`;
}

export async function skipReasonCounts(
  db: Db,
  q: { organizationId: string; start: Date; end: Date; byGroup: boolean },
) {
  return db.$queryRaw<{ groupId: string | null; reason: string; count: number }[]>`
    SELECT ${perGroup(q.byGroup)} AS "groupId", coalesce(cc."skipReason", 'unknown') AS reason, count(*)::int AS count
    FROM "CompletedCall" cc
    WHERE cc."organizationId" = ${q.organizationId}::uuid AND cc."receivedAt" >= ${q.start} AND cc."receivedAt" < ${q.end}
      AND cc.decision = 'skipped'
    GROUP BY 1, 2`;
}

export async function surveyOutcomeCounts(
  db: Db,
  q: { organizationId: string; start: Date; end: Date; byGroup: boolean },
) {
  return db.$queryRaw<{ groupId: string | null; state: string; count: number }[]>`
    SELECT ${perGroup(q.byGroup)} AS "groupId", sc.state::text AS state, count(*)::int AS count
    FROM "CompletedCall" cc JOIN "SurveyCall" sc ON sc."completedCallId" = cc.id
    WHERE cc."organizationId" = ${q.organizationId}::uuid AND cc."receivedAt" >= ${q.start} AND cc."receivedAt" < ${q.end}
    GROUP BY 1, 2`;
}

/** Mean queue time per svarsgrupp of the calls in the period (the report shows it beside the answer-time score). */
export async function queueTimes(db: Db, q: { organizationId: string; start: Date; end: Date }) {
  return db.$queryRaw<{ groupId: string; calls: number; meanQueueSeconds: number }[]>`
    SELECT cc."groupId"::text AS "groupId", count(*)::int AS calls, avg(cc."queueSeconds")::float8 AS "meanQueueSeconds"
    FROM "CompletedCall" cc
    WHERE cc."organizationId" = ${q.organizationId}::uuid AND cc."startedAt" >= ${q.start} AND cc."startedAt" < ${q.end}
    GROUP BY 1`;
}
