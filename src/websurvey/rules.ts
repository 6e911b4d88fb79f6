import { z } from "zod";
import type { Flow } from "../survey/flow-schema.js";
import { msg } from "../i18n/index.js";

/**
 * The web survey's pure rules: which flow texts a page shows, which step
 * comes next, and what a posted form means. Values in, values out; the
 * service stores and the views draw.
 */

export type WebLang = "sv" | "en";

export interface WebQuestion {
  key: string;
  text: string;
  /** The written meaning of the scale's ends (1 and 5). */
  low: string;
  high: string;
}

export interface WebTexts {
  lang: WebLang;
  questions: WebQuestion[];
  /** The invitation to write a comment; null when the flow has no message step. */
  commentPrompt: string | null;
}

/**
 * A spoken prompt made readable: "Fråga 2." and "Tryck 1 till 5." belong to
 * the keypad, not to a page. Used only when the flow has no written text.
 */
export function readableFromSpoken(spoken: string): string {
  return spoken
    .replace(/^(Fråga \d+|Question \d+|Sista frågan|Last question)\.\s*/i, "")
    .replace(/\s*(Tryck|Press)\s+(1|en)\b.*$/i, "")
    .trim();
}

function spokenText(prompts: Flow["greeting"]): string {
  return prompts
    .map((p) => ("say" in p ? p.say : ""))
    .filter(Boolean)
    .join(" ");
}

/** The texts of one flow for the page; its own language decides the default end words. */
export function textsOf(flow: Flow): WebTexts {
  const lang: WebLang = flow.language === "en" ? "en" : "sv";
  const t = msg(lang).websurvey;
  return {
    lang,
    questions: flow.questions.map((q) => ({
      key: q.key,
      text: q.web?.text ?? (readableFromSpoken(spokenText(q.prompt)) || q.key),
      low: q.web?.low ?? t.defaultLow,
      high: q.web?.high ?? t.defaultHigh,
    })),
    commentPrompt: flow.message ? (flow.message.webText ?? t.defaultComment) : null,
  };
}

/**
 * The texts in the language asked for: the survey's own flow when it is in
 * that language (or none is asked), else another flow in that language with
 * exactly the same question keys (the answers stay keyed by the survey's
 * flow). Without such a flow, the survey's own texts in its own language.
 */
export function textsFor(surveyFlow: Flow, all: Flow[], asked: WebLang | undefined): WebTexts {
  const own = textsOf(surveyFlow);
  if (!asked || asked === own.lang) return own;
  const keys = surveyFlow.questions.map((q) => q.key).join(",");
  const twin = all.find((f) => f.language === asked && f.questions.map((q) => q.key).join(",") === keys);
  if (!twin) return own;
  const t = textsOf(twin);
  return { ...t, commentPrompt: own.commentPrompt === null ? null : t.commentPrompt };
}

export type WebStep =
  { kind: "question"; question: WebQuestion; number: number; total: number } | { kind: "comment" } | { kind: "done" };

/** The first unanswered question in the flow's order, then the comment page, then done. */
export function nextStep(texts: WebTexts, answered: ReadonlySet<string>, completed: boolean): WebStep {
  if (completed) return { kind: "done" };
  const i = texts.questions.findIndex((q) => !answered.has(q.key));
  if (i >= 0) return { kind: "question", question: texts.questions[i], number: i + 1, total: texts.questions.length };
  return { kind: "comment" };
}

/** Whether the survey is finished by this post: every question answered and the last page sent. */
export function finishes(texts: WebTexts, answered: ReadonlySet<string>, finishPosted: boolean): boolean {
  return finishPosted && texts.questions.every((q) => answered.has(q.key));
}

export const COMMENT_MAX = 4000;

export interface Submission {
  answers: { questionKey: string; score: number }[];
  comment: string | null;
  /** The comment page (the last one) was sent. */
  finish: boolean;
  lang?: WebLang;
}

export type Parsed = { ok: true; value: Submission } | { ok: false; field: string; reason: string };

/**
 * Reads a posted form against the survey's flow (zod, strict: a field the
 * page never had is refused and named). Radios are q_<questionKey> with a
 * value on the flow's scale; hidden inputs step and lang; the comment.
 */
export function parseSubmission(flow: Flow, body: unknown, lang: WebLang): Parsed {
  const { min, max } = flow.scale;
  const scaleValues = Array.from({ length: max - min + 1 }, (_, i) => String(min + i));
  const t = msg(lang).websurvey.refused;
  const score = z.string().refine((v) => scaleValues.includes(v), t.score(min, max));
  const shape: Record<string, z.ZodType> = {
    step: z.string().max(60).optional(),
    lang: z.enum(["sv", "en"]).optional(),
    comment: z.string().max(COMMENT_MAX, t.commentMax(COMMENT_MAX)).optional(),
  };
  for (const q of flow.questions) shape[`q_${q.key}`] = score.optional();
  const r = z
    .object(shape)
    .strict()
    .safeParse(body ?? {});
  if (!r.success) {
    const issue = r.error.issues[0];
    const field =
      issue.code === "unrecognized_keys" ? (issue.keys[0] ?? "(form)") : issue.path.map(String).join(".") || "(form)";
    const reason =
      issue.code === "unrecognized_keys"
        ? t.noSuchQuestion
        : issue.code === "invalid_type"
          ? t.oneAnswerAtATime
          : issue.message;
    return { ok: false, field, reason };
  }
  const data = r.data as Record<string, string | undefined>;
  const answers = flow.questions
    .filter((q) => data[`q_${q.key}`] !== undefined)
    .map((q) => ({ questionKey: q.key, score: Number(data[`q_${q.key}`]) }));
  const comment = data.comment?.trim() ? data.comment.trim() : null;
  return {
    ok: true,
    value: { answers, comment, finish: data.step === "comment", lang: data.lang as WebLang | undefined },
  };
}
