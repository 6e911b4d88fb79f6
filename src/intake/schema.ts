import { z } from "zod";
import type { ErrorDetail } from "../lib/errors.js";
import "../lib/openapi.js"; // extends zod with .openapi() before the schemas below use it
import { SKIP_REASONS } from "./sampling.js";

/**
 * The intake contract, shared by the HTTP API, the CSV import and the OpenAPI
 * document. Unknown fields are ignored (telephony systems add fields over
 * time; rejecting them would stop intake on their upgrade).
 */
export const MAX_BATCH = 1000;
/** Allowed clock difference between the telephony system and this service. */
export const CLOCK_SKEW_MS = 5 * 60_000;
const MAX_NAME = 200;
export const MAX_ID = 200;

// C0/C1 controls, zero-width and bidi overrides: they break CSV exports and can
// disguise a name in the results pages.
const INVISIBLE = /[\u0000-\u001F\u007F-\u009F\u200B-\u200F\u202A-\u202E\u2066-\u2069\uFEFF]/g;

export const cleanName = (s: string) => s.replace(INVISIBLE, " ").replace(/\s+/g, " ").trim();

// What PostgreSQL refuses in text and jsonb: NUL, and a UTF-16 surrogate without
// its pair (valid in a JSON string, not in UTF-8). Refused here, naming the field,
// so such a row never reaches the database and fails its whole batch there.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
export const storableText = (s: string) => !s.includes("\u0000") && !LONE_SURROGATE.test(s);
const NOT_STORABLE = "must not contain NUL or an unpaired UTF-16 surrogate";
const text = () => z.string().refine(storableText, NOT_STORABLE);

const displayName = z.preprocess(
  // Only storable text is cleaned; anything else reaches the refinement below unchanged.
  (v) => (typeof v === "string" && storableText(v) ? cleanName(v) || undefined : v),
  text().max(MAX_NAME, `at most ${MAX_NAME} characters`).optional(),
);

const identifier = text()
  .trim()
  .min(1, "must not be empty")
  .max(MAX_ID, `at most ${MAX_ID} characters`)
  .refine((s) => !/[\u0000-\u001F\u007F-\u009F]/.test(s), "must not contain control characters");

/** Times outside this range are typing or clock errors, and PostgreSQL refuses some of them (year 0000). */
export const EARLIEST_TIME = "2000-01-01T00:00:00Z";
export const LATEST_TIME = "2100-01-01T00:00:00Z";
const timeRange = [Date.parse(EARLIEST_TIME), Date.parse(LATEST_TIME)] as const;

const timestamp = z.iso
  .datetime({
    offset: true,
    message: "expected an ISO 8601 time with Z or an offset, e.g. 2026-03-31T10:15:00+02:00",
  })
  .refine((s) => {
    const t = Date.parse(s);
    // NaN: the format check above has already said what is wrong.
    return Number.isNaN(t) || (t >= timeRange[0] && t < timeRange[1]);
  }, "must be between 2000-01-01 and 2100-01-01");

/** The largest value of PostgreSQL's int4, the type of every duration column (talkSeconds, queueSeconds). */
export const INT4_MAX = 2_147_483_647;

export const completedCallSchema = z
  .object({
    externalCallId: identifier.openapi({
      description: "The telephony system's id of the call; unique per organization.",
    }),
    callerNumber: text()
      .max(64, "at most 64 characters")
      .nullable()
      .optional()
      .openapi({ description: "Any common Swedish or E.164 form; empty, null or 'anonymous' for a hidden number." }),
    agent: z.object({ externalId: identifier, name: displayName }),
    group: z.object({ key: identifier, name: displayName }),
    startedAt: timestamp.openapi({
      description: "When the call reached the kundcenter (queue time included); from 2000-01-01 to 2100-01-01.",
    }),
    endedAt: timestamp.openapi({ description: "When the call ended; at or after startedAt." }),
    queueSeconds: z.number().int().min(0).max(86_400),
    language: z
      .string()
      .max(35, "at most 35 characters")
      .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/, "expected a language tag such as sv or en-GB")
      .optional(),
  })
  .openapi("CompletedCall");

export type CompletedCallInput = z.infer<typeof completedCallSchema>;

export const batchSchema = z
  .object({ calls: z.array(completedCallSchema).min(1).max(MAX_BATCH) })
  .openapi("CompletedCallBatch");

/** Rules zod cannot know: they depend on the clock and on several fields. */
export function crossFieldProblems(call: CompletedCallInput, now: Date): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  const started = Date.parse(call.startedAt);
  const ended = Date.parse(call.endedAt);
  const latest = now.getTime() + CLOCK_SKEW_MS;
  if (started > latest) problems.push({ field: "startedAt", message: "is in the future" });
  if (ended > latest) problems.push({ field: "endedAt", message: "is in the future" });
  if (ended < started) problems.push({ field: "endedAt", message: "is before startedAt" });
  else if ((ended - started) / 1000 > INT4_MAX)
    problems.push({ field: "endedAt", message: `makes the call longer than ${INT4_MAX} seconds` });
  else if (call.queueSeconds > (ended - started) / 1000)
    problems.push({ field: "queueSeconds", message: "is longer than the whole call" });
  return problems;
}

export const decisionSchema = z
  .object({
    externalCallId: z.string(),
    decision: z.enum(["scheduled", "skipped"]),
    reason: z.enum(SKIP_REASONS as [string, ...string[]]).nullable(),
    dueAt: z.string().nullable().openapi({ description: "When the survey call is due (scheduled only)." }),
    duplicate: z
      .boolean()
      .openapi({ description: "True when this call was received before: the first decision is returned." }),
  })
  .openapi("IntakeDecision");

export const batchResultSchema = z
  .object({
    accepted: z.number().int(),
    rejected: z.number().int(),
    results: z.array(
      z.union([
        decisionSchema.extend({ index: z.number().int() }),
        z.object({
          index: z.number().int(),
          externalCallId: z.string().nullable(),
          error: z.object({
            code: z.literal("validation_failed"),
            message: z.string(),
            details: z.array(z.object({ field: z.string(), message: z.string() })),
          }),
        }),
      ]),
    ),
  })
  .openapi("IntakeBatchResult");

export const callStatusSchema = decisionSchema
  .omit({ duplicate: true })
  .extend({
    survey: z
      .object({
        state: z.string(),
        attempts: z.number().int(),
        answers: z.array(z.object({ questionKey: z.string(), score: z.number().int(), answeredAt: z.string() })),
        voiceMessage: z.object({ durationSeconds: z.number().int() }).nullable(),
      })
      .nullable(),
  })
  .openapi("CompletedCallStatus");
