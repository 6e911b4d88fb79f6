import { z } from "zod";

/**
 * Per-organization settings (Organization.settings), with per-group overrides
 * (AnswerGroup.settings, any subset). Stored as JSON, always read through
 * these schemas so a bad value can never reach the domain rules.
 */
/** Question keys asked but not counted in NKI totalt unless an organization includes them. */
export const NOT_IN_NKI_TOTAL_BY_DEFAULT = ["rekommendera"] as const;

/** Which answers make up NKI totalt: only these keys, or all but these; undefined = no restriction. */
export function nkiTotalKeys(d: OrgSettings["nkiDefinition"]): {
  questionKeys?: string[];
  excludeQuestionKeys?: string[];
} {
  if (d.kind === "question") return { questionKeys: [d.questionKey] };
  return d.exclude.length ? { excludeQuestionKeys: d.exclude } : {};
}

export const orgSettingsSchema = z.object({
  /** Share of eligible calls that get a survey, 0–1. */
  sampleRate: z.number().min(0).max(1).default(1),
  /** "always" or e.g. "mon-fri 08:00-20:00" in the organization's time zone. */
  callingHours: z.string().default("mon-fri 08:00-20:00"),
  /** Swedish public holidays are outside calling hours. */
  skipPublicHolidays: z.boolean().default(true),
  /** Delay between the end of the citizen's call and the survey call. */
  surveyDelaySeconds: z.number().int().min(0).max(86_400).default(60),
  /** A survey that cannot start within this many minutes of the call expires. */
  expiryMinutes: z
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 60)
    .default(240),
  /** At most one survey per number within this many days. */
  repeatWindowDays: z.number().int().min(0).max(3650).default(30),
  /** Calls shorter than this are not real contacts. */
  minTalkSeconds: z.number().int().min(0).max(3600).default(10),
  /**
   * Survey callers with a foreign number too (off: they are skipped as foreign_number). For a
   * kundcenter near a border; a call abroad costs more and may reach someone at an odd local hour.
   */
  surveyForeignNumbers: z.boolean().default(false),
  /** E.164 prefixes of the organization's own numbers (never surveyed). */
  internalPrefixes: z.array(z.string().regex(/^\+\d{1,15}$/)).default([]),
  /** Retries after no-answer/busy, and the wait before each. */
  maxRetries: z.number().int().min(0).max(5).default(1),
  retryDelayMinutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(15),
  /** Survey flow id (a file in flows/) per language; "default" is used otherwise. */
  flows: z.record(z.string(), z.string()).default({ default: "nki-sv", sv: "nki-sv", en: "nki-en" }),
  /**
   * Overall NKI ("NKI totalt"): the mean over all answered questions except
   * `exclude`, or one chosen question. Question 7 (would you recommend the
   * municipality as a place to live or work) is not about the call, so it is
   * asked and shown on its own but left out of the total by default.
   */
  nkiDefinition: z
    .union([
      z.object({
        kind: z.literal("all-questions"),
        exclude: z.array(z.string().regex(/^[a-z0-9_]{1,40}$/)).default([...NOT_IN_NKI_TOTAL_BY_DEFAULT]),
      }),
      z.object({ kind: z.literal("question"), questionKey: z.string() }),
    ])
    .default({ kind: "all-questions", exclude: [...NOT_IN_NKI_TOTAL_BY_DEFAULT] }),
  /** Below this many answers a result is "too few to judge". */
  minAnswersForResult: z.number().int().min(1).max(10_000).default(10),
  /** Keep answers this many months; anonymise numbers after survey end. */
  retentionMonths: z.number().int().min(1).max(120).default(25),
  /**
   * Where a citizen reads more about what the survey records (GDPR art. 13),
   * read out before the voice message, e.g. "goteborg.se slash personuppgifter".
   * Empty: the flow says "kommunens webbplats" / "the municipality's website".
   */
  privacyInfo: z.string().trim().max(200).default(""),
  /** Delete voice-message audio this many days after review (classification kept). */
  audioRetentionDaysAfterReview: z.number().int().min(1).max(3650).default(90),
  /** Other municipalities: each one counts only with this many citizens per figure and period (SKR: 100). */
  benchmarkMinRespondents: z.number().int().min(1).max(100_000).default(100),
  /** Benchmark exchange opt-in for groups: svarsgrupp key → shared category name peers pool by (src/exchange). */
  exchangeGroupCategories: z.record(z.string(), z.string().regex(/^[a-z0-9_-]{1,40}$/)).default({}),
  /** Store transcripts with personal identity numbers, phone numbers, e-mail and addresses as heard (src/transcription). */
  transcriptKeepIdentifiers: z.boolean().default(false),
  /** Keep a transcript, with identifiers masked, after its audio is deleted (default: deleted with the audio). */
  transcriptKeepAfterAudio: z.boolean().default(false),
  /**
   * SMS fallback (src/sms): after the last attempt ends unanswered, on a machine or hung up before
   * the first question, one SMS with a link to the web survey. Off by default; a svarsgrupp may override.
   */
  smsFallback: z.boolean().default(false),
  /**
   * Count web-survey answers (the SMS fallback) in the headline NKI. Default false: the headline is the phone
   * survey's, comparable over time and with other municipalities, and web answers are shown beside it.
   */
  webAnswersInHeadline: z.boolean().default(false),
});

export type OrgSettings = z.infer<typeof orgSettingsSchema>;
export const groupSettingsSchema = orgSettingsSchema.partial();
export type GroupSettings = z.infer<typeof groupSettingsSchema>;

/** Organization settings with the group's overrides applied. */
export function effectiveSettings(org: unknown, group?: unknown): OrgSettings {
  const base = orgSettingsSchema.parse(org ?? {});
  const overrides = groupSettingsSchema.parse(group ?? {});
  // zod 4's partial() still fills defaults; only keys the group really sets may override.
  const present = new Set(Object.keys(group ?? {}));
  const defined = Object.fromEntries(Object.entries(overrides).filter(([k, v]) => v !== undefined && present.has(k)));
  return { ...base, ...defined };
}
