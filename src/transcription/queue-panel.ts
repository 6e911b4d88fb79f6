import type { AppContext } from "../context.js";
import { html, type Html } from "../web/html.js";
import { fmt, type Lang } from "../web/i18n.js";
import { queueText } from "../review/queue-text.js";
import type { Suggestion } from "./classify.js";
import { masksIdentifiers, transcriptsForQueue, type QueueTranscript, type TextPart } from "./queue-view.js";
import { transcriptText, type TranscriptText } from "./transcript-text.js";

export interface PanelContext {
  lang: Lang;
  csrfToken: string;
  week: string;
  page: number;
  timeZone: string;
  /** Transcription is configured: managers may ask for a (new) transcription. */
  canTranscribe: boolean;
  masks: boolean;
  /** A failed form post without JavaScript: which message, which field. */
  error?: { messageId: string; field: string };
}

interface QueueMessage {
  id: string;
  scores: Record<string, number>;
  audioAvailable: boolean;
}

/**
 * The transcript panels of one page of the listening queue, as a function
 * the queue page calls under each player. Loads the page's transcripts once.
 */
export async function transcriptPanels(
  ctx: Pick<AppContext, "prisma" | "transcriber">,
  organizationId: string,
  page: { items: readonly QueueMessage[]; week: string; page: number; timeZone: string },
  o: { lang: Lang; csrfToken: string; error?: PanelContext["error"] },
): Promise<(m: QueueMessage) => Html> {
  const transcripts = await transcriptsForQueue(ctx, organizationId, page.items);
  const pc: PanelContext = {
    ...o,
    week: page.week,
    page: page.page,
    timeZone: page.timeZone,
    canTranscribe: Boolean(ctx.transcriber),
    masks: await masksIdentifiers(ctx, organizationId),
  };
  return (m) => renderTranscriptPanel(m, transcripts.get(m.id) ?? null, pc);
}

const hidden = (pc: PanelContext) =>
  html`<input type="hidden" name="_csrf" value="${pc.csrfToken}"><input type="hidden" name="week" value="${pc.week}"><input type="hidden" name="page" value="${pc.page}">`;

/** Words the server was unsure of: marked, with a text alternative (not colour alone). */
export function renderParts(parts: readonly TextPart[], t: TranscriptText): Html[] {
  return parts.map((p) =>
    p.uncertain
      ? html`<mark class="uncertain">${p.text}<span class="sr-only"> (${t.uncertain})</span></mark>`
      : html`${p.text}`,
  );
}

export function renderTranscriptPanel(m: QueueMessage, tr: QueueTranscript | null, pc: PanelContext): Html {
  const t = transcriptText(pc.lang);
  const id = m.id;
  const err = pc.error?.messageId === id ? pc.error.field : null;
  const retranscribe =
    pc.canTranscribe && m.audioAvailable
      ? html`<form method="post" action="/queue/transcripts/${id}/retranscribe" class="inline retranscribe">${hidden(pc)}<button type="submit" class="secondary">${tr ? t.retranscribe : t.transcribe}</button></form>`
      : "";
  if (!tr && !retranscribe) return html``;
  const errorLine = err
    ? html`<p class="error" id="tre-${id}" role="alert">${t.errors[err] ?? t.errors.generic}</p>`
    : "";
  return html`<section class="transcript" aria-labelledby="trh-${id}">
<h4 id="trh-${id}">${t.heading}</h4>
${errorLine}${tr ? body(m, tr, pc, t, err) : html`<p class="muted">${t.noText}</p>`}
${retranscribe}
</section>`;
}

function statusLine(tr: QueueTranscript, t: TranscriptText): Html | string {
  if (tr.status === "done") return "";
  const reason = tr.status === "failed" || tr.status === "skipped" ? tr.lastError : null;
  return html`<p class="tr-status status-${tr.status}">${t.status[tr.status]}${reason ? html`: ${reason}` : ""}${tr.status === "failed" ? html` (${t.attempts(tr.attempts)})` : ""}</p>`;
}

function body(m: QueueMessage, tr: QueueTranscript, pc: PanelContext, t: TranscriptText, err: string | null): Html {
  const id = m.id;
  const automatic = tr.parts ? html`<p class="tr-text">${renderParts(tr.parts, t)}</p>` : "";
  const legend = tr.hasUncertain
    ? html`<p class="hint legend"><mark class="uncertain">${t.legendSample}</mark> ${t.legend}</p>`
    : "";
  let shown: Html;
  if (tr.correctedText !== null) {
    const when = tr.correctedAt ? day(tr.correctedAt, pc) : "–";
    shown = html`<blockquote class="tr-corrected"><p>${tr.correctedText}</p></blockquote>
<p class="hint corrected-by">${tr.correctedBy ? t.correctedBy(tr.correctedBy, when) : t.correctedByUnknown(when)}</p>
${tr.parts ? html`<details class="tr-original"><summary>${t.original}</summary>${automatic}${legend}</details>` : ""}`;
  } else {
    shown = html`${automatic}${legend}`;
  }
  const current = tr.correctedText ?? tr.text;
  const correction =
    current !== null
      ? html`<details class="tr-correct"${err === "text" ? html` open` : ""}><summary>${t.correct}</summary>
<form method="post" action="/queue/transcripts/${id}/correction">${hidden(pc)}
<label for="tc-${id}">${t.correctLabel}</label>
<textarea id="tc-${id}" name="text" rows="4" maxlength="10000" aria-describedby="tch-${id}${err === "text" ? ` tre-${id}` : ""}"${err === "text" ? html` aria-invalid="true"` : ""}>${current}</textarea>
<p class="hint" id="tch-${id}">${pc.masks ? t.correctHint : t.correctHintKeep}</p>
<button type="submit">${t.saveCorrection}</button>${tr.correctedText !== null ? html` <button type="submit" name="remove" value="1" class="secondary">${t.removeCorrection}</button>` : ""}
</form></details>`
      : "";
  return html`${statusLine(tr, t)}${shown}${tr.suggestion ? suggestion(id, tr.suggestion, pc, t) : ""}${correction}`;
}

function suggestion(id: string, s: Suggestion, pc: PanelContext, t: TranscriptText): Html {
  const classes = queueText(pc.lang).classes;
  const reasons = s.reasons.map((r) => {
    if (r.kind === "cue") return html`<li>${t.reasonCue(r.phrase, classes[r.category].toLowerCase())}</li>`;
    if (r.kind === "score")
      return html`<li>${t.reasonScore(fmt(pc.lang, r.mean), classes[r.category].toLowerCase())}</li>`;
    return html`<li>${t.reasonForvaltning(r.keyword, r.forvaltning)}</li>`;
  });
  return html`<div class="suggestion">
<p><strong>${t.suggestion}:</strong> <span class="sugg-class">${classes[s.classification]}</span> · <span class="sugg-fv">${s.forvaltning ?? t.noForvaltning}</span></p>
<details class="reasons"><summary>${t.reasons} (${s.reasons.length})</summary>${reasons.length ? html`<ul>${reasons}</ul>` : html`<p>${t.noReasons}</p>`}</details>
<p class="hint">${t.suggestionNote}</p>
<button type="button" class="secondary use-suggestion" data-for="${id}" data-classification="${s.classification}" data-forvaltning="${s.forvaltning ?? ""}" data-done="${t.suggestionFilled}" hidden>${t.useSuggestion}</button>
</div>`;
}

function day(d: Date, pc: PanelContext): string {
  return new Intl.DateTimeFormat(pc.lang === "en" ? "en-GB" : "sv-SE", {
    timeZone: pc.timeZone,
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
  }).format(d);
}
