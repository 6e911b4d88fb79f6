import { z } from "zod";
import "../lib/openapi.js";
import { CHANNEL_FILTERS } from "./channels.js";

/**
 * Query and response schemas of the results API. Query parameters stay
 * strings with patterns (as they arrive, and as OpenAPI documents them);
 * routes split the comma lists.
 */
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "expected YYYY-MM-DD");
const list = (words: string[]) =>
  z
    .string()
    .regex(new RegExp(`^(${words.join("|")})(,(${words.join("|")}))*$`), `comma-separated: ${words.join(", ")}`);

export const periodQuerySchema = z.object({
  period: z.string().max(20).optional().openapi({
    description:
      "Named period in the organization's time zone: 2025 (year), 2018-P2 (tertial; 2018-T2 is read too), 2025-03 (month), 2025-W14 (ISO week), 2025-03-14 (day); years 2000–2100. Or use from/to.",
    example: "2025-W14",
  }),
  from: day.optional().openapi({ description: "First day (inclusive) of a date range", example: "2025-03-01" }),
  to: day.optional().openapi({ description: "Last day (inclusive) of a date range", example: "2025-03-31" }),
});

/** ?channel= on the results, the series, the pages and the reports: one parameter, one meaning. */
export const channelParam = z.enum(CHANNEL_FILTERS).optional().openapi({
  description:
    "Answers of the phone survey, of the web survey (SMS fallback), or both. Default: the headline's channels (phone only unless the organization counts web answers in it).",
});

export const resultsQuerySchema = periodQuerySchema.extend({
  by: list(["group", "agent", "question"]).optional().openapi({
    description: "Dimensions of the rows, e.g. group,question. None: one row, the overall NKI.",
    example: "group,question",
  }),
  group: z.string().min(1).max(100).optional().openapi({ description: "Only this svarsgrupp (its key)" }),
  agent: z
    .string()
    .min(1)
    .max(100)
    .optional()
    .openapi({ description: "Only this agent: the service's agent id or the telephony system's agent id" }),
  compare: list(["previous-year", "benchmark"]).optional().openapi({
    description:
      "previous-year: the same period a year earlier; benchmark: other municipalities pooled (shown when ≥ 3 qualify)",
  }),
  format: z
    .enum(["json", "csv"])
    .optional()
    .openapi({ description: "csv: a header row and one line per row, nested fields as dotted columns" }),
  exact: z
    .enum(["true", "false"])
    .optional()
    .openapi({ description: "true: unrounded numbers (default: mean 2 decimals, index 1, shares 3)" }),
  channel: channelParam,
});

export const seriesQuerySchema = z.object({
  channel: channelParam,
  kind: z.enum(["week", "month", "tertial"]).openapi({
    description:
      "week: the last 8–13 weeks (default 13); tertial: the last 6 tertials; month: e.g. end=2026-12&count=12 for a year",
  }),
  end: z.string().max(20).optional().openapi({
    description:
      "The last period of the series, of the same kind (2026-W48, 2026-11, 2026-P3); default the current one",
    example: "2026-W48",
  }),
  count: z.coerce.number().int().min(2).max(26).optional().openapi({ description: "Points (default 13 / 12 / 6)" }),
  group: z.string().min(1).max(100).optional().openapi({ description: "Only this svarsgrupp (its key)" }),
  agent: z.string().min(1).max(100).optional().openapi({
    description:
      "Only this agent (service or telephony id); the response then also has the agent's svarsgrupp per period",
  }),
  question: z.string().min(1).max(100).optional().openapi({ description: "One question; default the overall NKI" }),
  exact: z.enum(["true", "false"]).optional(),
});

export const funnelQuerySchema = periodQuerySchema.extend({
  by: z.enum(["group"]).optional().openapi({ description: "group: one row per svarsgrupp" }),
  group: z.string().min(1).max(100).optional(),
  format: z.enum(["json", "csv"]).optional(),
});

export const coachingQuerySchema = z.object({
  weeks: z.coerce
    .number()
    .int()
    .min(2)
    .max(52)
    .optional()
    .openapi({ description: "Rolling window in whole ISO weeks ending with the current one (default 8)" }),
  alpha: z.coerce
    .number()
    .min(0.0001)
    .max(0.2)
    .optional()
    .openapi({ description: "Significance level of the one-sided tests (default 0.05)" }),
  minAnswers: z.coerce
    .number()
    .int()
    .min(5)
    .max(10_000)
    .optional()
    .openapi({ description: "Smallest number of an agent's answers to test at all (default 30)" }),
});

const interval = z.object({ low: z.number(), high: z.number() }).nullable();
export const changeSchema = z
  .object({
    difference: z.number().nullable().openapi({ description: "mean − mean of the earlier period (1–5 scale)" }),
    ci95: interval.openapi({
      description:
        "95 % Welch interval of the difference of means; the standard error is taken over citizens, so pooled questions are not counted as independent",
    }),
    significant: z.boolean().openapi({ description: "true only when the interval excludes 0" }),
    suppressed: z
      .boolean()
      .openapi({ description: "fewer citizens than minAnswersForResult on either side: no difference given" }),
  })
  .openapi("Change");
export const metricsSchema = z.object({
  n: z.number().int().openapi({ description: "Answers (svar): up to seven per citizen when questions are pooled" }),
  respondents: z.number().int().openapi({
    description:
      "Citizens (svarande), one per survey: n for one question; for pooled questions the largest per-question n",
  }),
  mean: z.number().nullable().openapi({ description: "Mean on the 1–5 scale" }),
  distribution: z.object({
    1: z.number().int(),
    2: z.number().int(),
    3: z.number().int(),
    4: z.number().int(),
    5: z.number().int(),
  }),
  satisfiedShare: z.number().nullable().openapi({ description: "Share of answers 4 or 5, 0–1" }),
  index: z.number().nullable().openapi({ description: "(mean − 1) / 4 × 100" }),
  ci95: z.object({
    mean: interval.openapi({ description: "Student t-interval, clamped to 1–5" }),
    index: interval,
    satisfiedShare: interval.openapi({ description: "Wilson score interval" }),
  }),
  tooFew: z.boolean().openapi({
    description:
      "respondents (citizens) below the organization's minAnswersForResult: show 'för få svarande', not the number",
  }),
});
const judged = metricsSchema.extend({
  targetMet: z
    .boolean()
    .nullable()
    .openapi({ description: "All targets in force met; null without a target or with too few answers" }),
  targets: z.array(
    z.object({
      metric: z.enum(["mean", "satisfiedShare"]),
      threshold: z.number().openapi({ description: "Lower bound: met at or above it" }),
      upper: z.number().nullable().openapi({ description: "Upper bound of a band target (e.g. 0.80), else null" }),
      validFrom: z.string(),
      met: z.boolean().nullable(),
      position: z
        .enum(["under", "within", "above"])
        .nullable()
        .openapi({ description: "Against the target: under, within (a plain target met), above a band's upper bound" }),
    }),
  ),
});

export const resultRowSchema = judged
  .extend({
    channels: z.string().openapi({ description: "The channels the row counts: phone, web or phone+web" }),
    questionKey: z.string().optional(),
    groupKey: z.string().optional(),
    groupName: z.string().optional(),
    agentId: z.string().optional(),
    agentExternalId: z.string().optional(),
    agentName: z.string().nullable().optional(),
    previousYear: judged.optional(),
    change: changeSchema.optional(),
    benchmark: metricsSchema.extend({ organizations: z.number().int() }).nullable().optional(),
    group: metricsSchema.extend({ groupKey: z.string(), groupName: z.string() }).optional(),
    organization: metricsSchema.optional(),
  })
  .openapi("ResultRow");

const periodSchema = z.object({ kind: z.string(), label: z.string(), from: z.string(), to: z.string() });
export const resultsResponseSchema = z
  .object({
    period: periodSchema,
    previousPeriod: periodSchema.optional(),
    nkiDefinition: z.unknown(),
    minAnswers: z.number().int(),
    channels: z.array(z.enum(["phone", "web"])).openapi({ description: "The answers' channels these results include" }),
    rows: z.array(resultRowSchema),
  })
  .openapi("Results");

const periodMetrics = metricsSchema.extend({ period: periodSchema });
export const seriesResponseSchema = z
  .object({
    kind: z.enum(["week", "month", "tertial"]),
    scope: z.record(z.string(), z.unknown()),
    minAnswers: z.number().int(),
    channels: z.array(z.enum(["phone", "web"])).openapi({ description: "The answers' channels every point includes" }),
    points: z.array(periodMetrics.extend({ previousYear: periodMetrics, change: changeSchema })),
    group: z
      .array(
        z.object({
          period: periodSchema,
          groupKey: z.string().nullable(),
          groupName: z.string().nullable(),
          metrics: metricsSchema,
        }),
      )
      .optional(),
  })
  .openapi("Series");

export const funnelResponseSchema = z
  .object({
    period: periodSchema,
    rows: z.array(
      z.object({
        groupKey: z.string().optional(),
        groupName: z.string().optional(),
        completedCalls: z.number().int(),
        eligible: z.number().int(),
        sampled: z.number().int(),
        dialled: z.number().int(),
        reachedPerson: z.number().int(),
        completed: z.number().int(),
        partial: z.number().int(),
        voiceMessages: z.number().int(),
        smsSent: z.number().int(),
        linkOpened: z.number().int().openapi({ description: "Web survey link opened (SMS fallback)" }),
        answeredOnWeb: z.number().int().openapi({ description: "At least one answer on the web survey" }),
        completedOnWeb: z.number().int().openapi({ description: "Web survey finished" }),
        responseRate: z.number().nullable(),
        responseRateOfSampled: z.number().nullable(),
        responseRateAllChannels: z.number().nullable().openapi({
          description: "(completed + partial + answeredOnWeb) / sampled: everyone selected, either channel",
        }),
        skipReasons: z.record(z.string(), z.number().int()),
        surveyStates: z.record(z.string(), z.number().int()),
      }),
    ),
  })
  .openapi("Funnel");
