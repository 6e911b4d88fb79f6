import type { AppContext } from "../context.js";
import { orgSettingsSchema } from "../organizations/settings.js";
import type { Flow } from "../survey/flow-schema.js";
import { maskIdentifiers } from "../transcription/masking.js";
import { completeWebSurvey, loadWebSurvey, markOpened, storeWebAnswers, type WebSurveyRow } from "./repository.js";
import { finishes, nextStep, parseSubmission, textsFor, type WebLang, type WebStep, type WebTexts } from "./rules.js";
import { openLinkToken } from "./token.js";

export type WebSurveyDeps = Pick<AppContext, "prisma" | "numbers" | "flows" | "now" | "logger">;

/** What the page shows; the views draw it, the route picks the status. */
/** `privacyInfo`: where the citizen reads more about what is stored (the organization's setting, as the call reads it out). */
export type WebSurveyPage =
  | { kind: "invalid" }
  | { kind: "expired" }
  | { kind: "closed"; organizationName: string; texts: WebTexts; privacyInfo: string | null }
  | { kind: "done"; organizationName: string; texts: WebTexts; byPhone: boolean; privacyInfo: string | null }
  | {
      kind: "step";
      organizationName: string;
      texts: WebTexts;
      privacyInfo: string | null;
      step: WebStep;
      error?: { field: string; reason: string };
    };

interface Opened {
  surveyId: string;
  row: WebSurveyRow;
  flow: Flow;
  texts: WebTexts;
}

async function open(
  deps: WebSurveyDeps,
  token: string,
  asked: WebLang | undefined,
): Promise<Opened | { kind: "invalid" | "expired" }> {
  const link = openLinkToken(deps.numbers, token, deps.now());
  if (!link.ok) return { kind: link.reason };
  const surveyId = link.claims.surveyCallId;
  if (!/^[0-9a-f-]{36}$/i.test(surveyId)) return { kind: "invalid" };
  // Deleted by retention (or never existed): the same polite page as a link that is not ours.
  const row = await loadWebSurvey(deps.prisma, surveyId);
  if (!row) return { kind: "invalid" };
  // The version the survey was asked in (pinned by the phone's start or the SMS send), not today's.
  const flow = deps.flows.getFlowVersion(row.flowId, row.flowVersion);
  const all = deps.flows.ids().map((id) => deps.flows.getFlow(id));
  return { surveyId, row, flow, texts: textsFor(flow, all, asked) };
}

function pageOf(o: Opened): WebSurveyPage {
  const { row, texts } = o;
  const settings = orgSettingsSchema.safeParse(row.settings);
  const privacyInfo = (settings.success && settings.data.privacyInfo?.trim()) || null;
  const base = { organizationName: row.organizationName, texts, privacyInfo };
  if (row.state === "opted_out" || row.state === "canceled") return { kind: "closed", ...base };
  const byPhone = row.answers.some((a) => a.channel === "phone");
  if (byPhone) return { kind: "done", ...base, byPhone: true };
  if (row.webCompletedAt) return { kind: "done", ...base, byPhone: false };
  const answered = new Set(row.answers.map((a) => a.questionKey));
  return { kind: "step", ...base, step: nextStep(texts, answered, false) };
}

/** GET /s/:token: the page the link shows now; the first opening is recorded. */
export async function showWebSurvey(
  deps: WebSurveyDeps,
  token: string,
  asked: WebLang | undefined,
): Promise<WebSurveyPage> {
  const o = await open(deps, token, asked);
  if ("kind" in o) return o;
  const page = pageOf(o);
  if (page.kind === "step" && !o.row.webOpenedAt) await markOpened(deps.prisma, o.surveyId, deps.now());
  return page;
}

export type SubmitResult = { kind: "saved"; lang?: WebLang } | { kind: "page"; page: WebSurveyPage };

/**
 * POST /s/:token: stores what the form holds (answers as they are given, so
 * a survey left half-way keeps them), and finishes the survey when the last
 * page was sent with every question answered. A form naming a question the
 * flow does not have, or a value off the scale, stores nothing and comes back
 * as the same page with the field named (status 400 at the route).
 */
export async function submitWebSurvey(
  deps: WebSurveyDeps,
  token: string,
  body: unknown,
  asked: WebLang | undefined,
): Promise<SubmitResult> {
  const o = await open(deps, token, asked);
  if ("kind" in o) return { kind: "page", page: o };
  const page = pageOf(o);
  // Closed, finished or answered by phone: nothing more is taken; the GET shows why.
  if (page.kind !== "step") return { kind: "saved", lang: asked };
  const parsed = parseSubmission(o.flow, body, o.texts.lang);
  if (!parsed.ok) return { kind: "page", page: { ...page, error: { field: parsed.field, reason: parsed.reason } } };
  const s = parsed.value;
  // The link carries a language only when the citizen switched from the survey's own.
  const chosen = s.lang ?? asked;
  const lang = chosen && chosen !== (o.flow.language === "en" ? "en" : "sv") ? chosen : undefined;
  const at = deps.now();
  const answered = new Set(o.row.answers.map((a) => a.questionKey));
  if (s.answers.length > 0) {
    const r = await storeWebAnswers(deps.prisma, {
      surveyId: o.surveyId,
      answers: s.answers,
      flowVersion: o.flow.version,
      at,
    });
    if (!r.eligible) return { kind: "saved", lang };
    for (const a of s.answers) answered.add(a.questionKey);
  }
  if (finishes(o.texts, answered, s.finish || o.texts.commentPrompt === null)) {
    const keep = orgSettingsSchema.safeParse(o.row.settings);
    const comment =
      s.comment === null
        ? null
        : keep.success && keep.data.transcriptKeepIdentifiers
          ? s.comment
          : maskComment(s.comment);
    const done = await completeWebSurvey(deps.prisma, { surveyId: o.surveyId, at, comment });
    if (done) deps.logger.info("web survey completed", { surveyId: o.surveyId, comment: comment !== null });
  }
  return { kind: "saved", lang };
}

/** The transcription rules' masking (personnummer, numbers, e-mail, addresses) before the text is stored. */
export function maskComment(text: string): string {
  return maskIdentifiers(text).text;
}
