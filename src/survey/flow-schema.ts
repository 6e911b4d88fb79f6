import { z } from "zod";

/**
 * The shape of a survey flow file in flows/. flows/flow.schema.json is
 * generated from this schema (npm run flows:schema) so editors validate the
 * same rules the service enforces at start-up.
 */

/** Text-to-speech with an explicit voice: Twilio's default voice for a language is not stable. */
export const sayPromptSchema = z
  .object({
    say: z
      .string()
      .min(1)
      .max(2000)
      .describe(
        "Text to speak. {organization} is replaced by the organization's name, {privacyInfo} by where to read more about what is recorded (the organization's privacyInfo setting).",
      ),
    voice: z
      .string()
      .regex(
        /^(Polly|Google)\.[A-Za-z0-9-]+$/,
        "expected a Twilio voice such as Polly.Astrid or Google.sv-SE-Standard-A",
      )
      .describe("Twilio <Say> voice, e.g. Polly.Astrid"),
    language: z
      .string()
      .regex(/^[a-z]{2,3}-[A-Z]{2}$/, "expected a locale such as sv-SE")
      .describe("Twilio <Say> language, e.g. sv-SE"),
  })
  .strict();

/** A recorded prompt served by the service from flows/audio/. */
export const playPromptSchema = z
  .object({
    play: z
      .string()
      .regex(
        /^audio\/[A-Za-z0-9._-]+\.(wav|mp3)$/,
        "expected audio/<file>.wav or audio/<file>.mp3 (a file in flows/audio/)",
      )
      .describe("Audio file under flows/audio/, played with <Play>"),
  })
  .strict();

export const promptSchema = z.union([sayPromptSchema, playPromptSchema]);
const prompts = z.array(promptSchema).min(1);

/** Step names used by the engine; a question key must not take one. */
export const RESERVED_STEPS = ["intro", "message", "end"] as const;

export const questionSchema = z
  .object({
    key: z
      .string()
      .regex(/^[a-z][a-z0-9_]{0,39}$/, "expected a stable key of lower-case letters, digits and _")
      .refine((k) => !(RESERVED_STEPS as readonly string[]).includes(k), "this key is reserved")
      .describe("Stable key stored with every answer; never reuse a key for a different question"),
    prompt: prompts.describe("The question itself"),
    web: z
      .object({
        text: z.string().min(1).max(500).describe("The question as read on the web survey page"),
        low: z
          .string()
          .min(1)
          .max(60)
          .optional()
          .describe("Written meaning of 1 on the web page, e.g. Mycket missnöjd"),
        high: z.string().min(1).max(60).optional().describe("Written meaning of 5 on the web page, e.g. Mycket nöjd"),
      })
      .strict()
      .optional()
      .describe("Written wording for the web survey (SMS fallback); without it the spoken prompt is shown"),
  })
  .strict();

export const flowFileSchema = z
  .object({
    $schema: z.string().optional(),
    id: z
      .string()
      .regex(/^[a-z0-9-]{2,40}$/)
      .describe("Must equal the file name without .json"),
    name: z.string().min(1),
    language: z
      .string()
      .regex(/^[a-z]{2}$/)
      .describe("ISO 639-1 language of the flow, e.g. sv"),
    scale: z
      .object({ min: z.literal(1), max: z.literal(5) })
      .strict()
      .default({ min: 1, max: 5 }),
    gatherTimeoutSeconds: z
      .number()
      .int()
      .min(3)
      .max(15)
      .default(7)
      .describe("Silence after a question before it counts as no answer"),
    greeting: prompts.describe("Who calls and why, how long it takes, and how to never be called again (star)"),
    questions: z
      .array(questionSchema)
      .min(1)
      .max(20)
      .superRefine((qs, ctx) => {
        const seen = new Set<string>();
        qs.forEach((q, i) => {
          if (seen.has(q.key))
            ctx.addIssue({ code: "custom", path: [i, "key"], message: `duplicate question key "${q.key}"` });
          seen.add(q.key);
        });
      }),
    invalidInput: prompts.describe("Said before a question is asked again after a key outside the scale"),
    noInput: prompts.describe("Said before a question is asked again after silence"),
    message: z
      .object({
        prompt: prompts,
        maxLengthSeconds: z.number().int().min(10).max(600).default(120),
        silenceTimeoutSeconds: z.number().int().min(2).max(30).default(8),
        webText: z
          .string()
          .min(1)
          .max(500)
          .optional()
          .describe("Invitation to write a comment on the web survey page (in place of the voice message)"),
      })
      .strict()
      .optional()
      .describe("Optional free voice message after the questions"),
    thanks: prompts.describe("Said at the end before hanging up"),
    optedOut: prompts.describe("Said after star: the number will not be called again"),
    ended: prompts.describe("Said when a call reaches a survey that is already over"),
    error: prompts.describe("Said when something went wrong on our side"),
  })
  .strict();

export type SayPrompt = z.infer<typeof sayPromptSchema>;
export type PlayPrompt = z.infer<typeof playPromptSchema>;
export type Prompt = z.infer<typeof promptSchema>;
export type FlowFile = z.infer<typeof flowFileSchema>;

/** A loaded flow: the validated file plus its content-derived version. */
export interface Flow extends Omit<FlowFile, "$schema"> {
  version: string;
}

export function flowJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(flowFileSchema, { io: "input", target: "draft-2020-12" });
}
