import type { AppContext } from "../context.js";
import { getOrganization } from "../organizations/service.js";
import { assertSameOrganization, requireManager, type Viewer } from "./access.js";
import { queryFunnel, type FunnelRow } from "./funnel.js";
import { queueTimes } from "./funnel-repository.js";
import { localDay } from "../lib/calendar.js";
import { summarizeReviews, type ReviewSummary } from "../review/service.js";
import { correctedTranscriptQuotes, type TranscriptQuote } from "../transcription/report-quotes.js";
import { findCoachingSignals, type CoachingReport } from "./coaching.js";
import { daysBetween, leadingWeek, parsePeriod, periodContaining, periodInstants, type Period } from "./periods.js";
import { querySeries, type SeriesPoint } from "./series.js";
import { queryResults, type ResultRow } from "./service.js";
import type { ChannelFilter } from "./channels.js";
import type { Channel } from "./rollup.js";

/**
 * The data of the weekly summary and the tertial period report, modelled on
 * the service section of the kundcenter's own period report: per svarsgrupp
 * and in total, this period against the same period last year and against
 * other municipalities, targets met or not, and the answer-time score
 * (question "svarstid") beside the mean queue time of the calls.
 */
export const ANSWER_TIME_QUESTION = "svarstid";

export interface ReportGroup {
  groupKey: string;
  groupName: string;
  overall: ResultRow;
  /** Per question, with previousYear. */
  questions: ResultRow[];
  answerTime: ResultRow | null;
  meanQueueSeconds: number | null;
  calls: number;
}

export interface ReportData {
  kind: "weekly" | "period";
  organizationName: string;
  period: Period;
  previousPeriod: Period;
  /** Whole kundcenter: overall and per question, with previousYear and benchmark. */
  total: ResultRow;
  totalQuestions: ResultRow[];
  groups: ReportGroup[];
  funnel: FunnelRow;
  meanQueueSeconds: number | null;
  minAnswers: number;
  /** The figure over the last periods of the same kind (6 tertials, 8 weeks, 12 months), oldest first; empty for a year. */
  trend: SeriesPoint[];
  /** What the listening queue found in the period. */
  reviews: ReviewSummary;
  /** Short masked quotes from manager-corrected transcripts (never automatic text). */
  transcriptQuotes: TranscriptQuote[];
  /** Coaching signals over the period (ending today for the current period). */
  coaching: CoachingReport;
  /** The channel asked for (absent: the headline's) and the channels the NKI figures and the trend include. */
  channel?: ChannelFilter;
  channels: Channel[];
}

const TREND_COUNT: Partial<Record<Period["kind"], number>> = { tertial: 6, week: 8, month: 12 };

export async function buildReport(
  ctx: AppContext,
  viewer: Viewer,
  input: {
    organizationId: string;
    kind: "weekly" | "period";
    /** Any named period; default the leading week (weekly: on Mondays the week just ended) or the current tertial. */
    period?: string;
    /** The parameter the period came in, named in the error when it is bad. */
    periodField?: string;
    /** phone | web | all for the NKI figures and the trend (the funnel shows every channel anyway). */
    channel?: ChannelFilter;
  },
): Promise<ReportData> {
  assertSameOrganization(viewer, input.organizationId);
  requireManager(viewer);
  const org = await getOrganization(ctx.prisma, input.organizationId);
  const periodName =
    input.period !== undefined
      ? parsePeriod(input.period, input.periodField).label
      : input.kind === "weekly"
        ? leadingWeek(ctx.now(), org.timeZone).label // on Mondays the week that just ended, for the weekly meeting
        : periodContaining("tertial", ctx.now(), org.timeZone).label;
  const channel = input.channel;
  const base = { organizationId: org.id, period: periodName, compare: ["previous-year" as const], channel };
  const withBench = { ...base, compare: ["previous-year" as const, "benchmark" as const] };
  // Every read in one batch (they were three, one after another): the period is known from its name already.
  const period = parsePeriod(periodName);
  const { start, end } = periodInstants(period, org.timeZone);
  const today = localDay(ctx.now(), org.timeZone);
  const coachingEnd = period.to < today ? period.to : today;
  const trendCount = TREND_COUNT[period.kind];
  const actor =
    viewer.kind === "user"
      ? { id: viewer.user.id, organizationId: viewer.user.organizationId, role: viewer.user.role }
      : { id: "system", organizationId: org.id, role: "admin" as const };
  const [total, totalQ, byGroup, byGroupQ, funnel, queues, trend, reviews, coaching, transcriptQuotes, groupIds] =
    await Promise.all([
      queryResults(ctx, viewer, withBench),
      queryResults(ctx, viewer, { ...withBench, by: ["question"] }),
      queryResults(ctx, viewer, { ...base, by: ["group"] }),
      queryResults(ctx, viewer, { ...base, by: ["group", "question"] }),
      queryFunnel(ctx, viewer, { organizationId: org.id, period: periodName }, { timeZone: org.timeZone }),
      queueTimes(ctx.prisma, { organizationId: org.id, start, end }),
      trendCount
        ? querySeries(ctx, viewer, {
            organizationId: org.id,
            kind: period.kind as "tertial" | "week" | "month",
            end: period.label,
            count: trendCount,
            channel,
          }).then((s) => s.points)
        : Promise.resolve([]),
      summarizeReviews(ctx, actor, { start, end }),
      // A week is too short to test an agent: the weekly meeting sees the 8 weeks ending with it.
      findCoachingSignals(
        ctx,
        viewer,
        period.kind === "week"
          ? { organizationId: org.id, end: coachingEnd, weeks: 8 }
          : {
              organizationId: org.id,
              start: period.from,
              end: coachingEnd,
              weeks: Math.max(1, Math.ceil((Math.max(0, daysBetween(period.from, coachingEnd)) + 1) / 7)),
            },
      ),
      correctedTranscriptQuotes(ctx, org.id, { start, end }),
      ctx.prisma.answerGroup.findMany({ where: { organizationId: org.id }, select: { id: true, key: true } }),
    ]);
  const queueByKey = new Map(queues.map((q) => [groupIds.find((g) => g.id === q.groupId)?.key, q]));
  const totalCalls = queues.reduce((a, q) => a + q.calls, 0);
  const groups: ReportGroup[] = byGroup.rows.map((g) => {
    const questions = byGroupQ.rows.filter((r) => r.groupKey === g.groupKey);
    const queue = queueByKey.get(g.groupKey);
    return {
      groupKey: g.groupKey!,
      groupName: g.groupName!,
      overall: g,
      questions,
      answerTime: questions.find((q) => q.questionKey === ANSWER_TIME_QUESTION) ?? null,
      meanQueueSeconds: queue?.meanQueueSeconds ?? null,
      calls: queue?.calls ?? 0,
    };
  });
  return {
    kind: input.kind,
    organizationName: org.name,
    period: total.period,
    previousPeriod: total.previousPeriod!,
    total: total.rows[0],
    totalQuestions: totalQ.rows,
    groups,
    funnel: funnel.rows[0],
    meanQueueSeconds: totalCalls ? queues.reduce((a, q) => a + q.meanQueueSeconds * q.calls, 0) / totalCalls : null,
    minAnswers: total.minAnswers,
    trend,
    reviews,
    transcriptQuotes,
    coaching,
    ...(channel ? { channel } : {}),
    channels: total.channels,
  };
}
