import { html, type Html } from "../web/html.js";
import { renderPage } from "../web/layout.js";
import { msg } from "../i18n/index.js";
import type { WebLang, WebQuestion, WebTexts } from "./rules.js";
import type { WebSurveyPage } from "./service.js";

/**
 * The web survey's pages: one question per screen (chosen at 375 px, see the
 * README), radios 1–5 in a fieldset with the question as legend and the
 * scale's end words on 1 and 5, a comment page, a thank-you. No script: a
 * plain form that posts to the link itself. Texts are the flow's; the page
 * chrome comes from the catalogue (namespace websurvey).
 */

export interface ViewOptions {
  /** The link's own path, /s/<token>: the form posts here and the language switch points here. */
  action: string;
}

function shell(lang: WebLang, org: string | null, title: string, body: Html, o: ViewOptions): Html {
  const other = lang === "sv" ? "en" : "sv";
  return renderPage({
    title,
    user: null,
    lang,
    body,
    styles: ["/assets/websurvey.css"],
    citizen: { brand: org ?? msg(lang).websurvey.brand, langHref: `${o.action}?lang=${other}` },
  });
}

function radios(q: WebQuestion, lang: WebLang, invalid: boolean): Html {
  const hintId = `hint-${q.key}`;
  const errId = `error-${q.key}`;
  const options = [1, 2, 3, 4, 5].map((v) => {
    const id = `q_${q.key}_${v}`;
    const word = v === 1 ? q.low : v === 5 ? q.high : null;
    return html`<div class="choice"><input type="radio" id="${id}" name="q_${q.key}" value="${v}" required${
      invalid ? html` aria-invalid="true"` : ""
    }><label for="${id}"><span class="num">${v}</span>${word ? html`<span class="word">${word}</span>` : ""}</label></div>`;
  });
  return html`<fieldset class="question" aria-describedby="${hintId}${invalid ? ` ${errId}` : ""}">
<legend>${q.text}</legend>
<p class="hint" id="${hintId}">${msg(lang).websurvey.scaleHint(q.low, q.high)}</p>
<div class="scale">${options}</div>
</fieldset>`;
}

function errorBox(lang: WebLang, error: { field: string; reason: string } | undefined, key: string | null): Html {
  if (!error) return html``;
  return html`<div class="error-summary" role="alert" id="${key ? `error-${key}` : "error"}"><h2>${msg(lang).websurvey.errorTitle}</h2><p><code>${error.field}</code>: ${error.reason}</p></div>`;
}

function hidden(step: string, lang: WebLang): Html {
  return html`<input type="hidden" name="step" value="${step}"><input type="hidden" name="lang" value="${lang}">`;
}

/** The page for a WebSurveyPage (status is the route's). */
export function renderWebSurvey(page: WebSurveyPage, o: ViewOptions, fallbackLang: WebLang = "sv"): Html {
  if (page.kind === "invalid" || page.kind === "expired") {
    const t = msg(fallbackLang).websurvey;
    const [title, text] = page.kind === "expired" ? [t.expired, t.expiredText] : [t.invalid, t.invalidText];
    return shell(
      fallbackLang,
      null,
      title,
      html`<div class="websurvey" data-survey-state="${page.kind}"><h1>${title}</h1><p>${text}</p></div>`,
      o,
    );
  }
  const lang = page.texts.lang;
  const t = msg(lang).websurvey;
  const org = page.organizationName;
  if (page.kind === "closed")
    return shell(
      lang,
      org,
      t.closed,
      html`<div class="websurvey" data-survey-state="closed"><h1>${t.closed}</h1><p>${t.closedText}</p></div>`,
      o,
    );
  if (page.kind === "done")
    return shell(
      lang,
      org,
      t.thanks,
      html`<div class="websurvey" data-survey-state="done"><h1>${t.thanks}</h1><p>${page.byPhone ? t.byPhone : t.thanksText}</p></div>`,
      o,
    );
  const step = page.step;
  if (step.kind === "done") return renderWebSurvey({ ...page, kind: "done", byPhone: false }, o);
  if (step.kind === "comment") {
    const prompt = page.texts.commentPrompt ?? "";
    const invalid = page.error?.field === "comment";
    return shell(
      lang,
      org,
      t.title,
      html`<div class="websurvey" data-survey-state="comment">
<h1>${t.title}</h1>
${errorBox(lang, page.error, null)}
<form method="post" action="${o.action}" class="survey-form">
${hidden("comment", lang)}
<p id="comment-prompt">${prompt}</p>
<label for="comment" class="comment-label">${t.commentLabel}</label>
<textarea id="comment" name="comment" rows="6" maxlength="4000" aria-describedby="comment-prompt"${
        invalid ? html` aria-invalid="true"` : ""
      }></textarea>
<p class="muted">${t.privacy}${page.privacyInfo && html` ${t.readMore} ${page.privacyInfo}`}</p>
<button type="submit" class="primary">${t.send}</button>
</form></div>`,
      o,
    );
  }
  const q = step.question;
  return shell(
    lang,
    org,
    `${t.progress(step.number, step.total)}: ${t.title}`,
    html`<div class="websurvey" data-survey-state="question">
<h1>${t.title}</h1>
${step.number === 1 ? html`<p class="intro">${t.intro(org)}</p>` : ""}
<p class="progress"><progress max="${step.total}" value="${step.number - 1}" aria-hidden="true"></progress> ${t.progress(step.number, step.total)}</p>
${errorBox(lang, page.error, q.key)}
<form method="post" action="${o.action}" class="survey-form">
${hidden(q.key, lang)}
${radios(q, lang, page.error !== undefined)}
<button type="submit" class="primary">${t.next}</button>
</form></div>`,
    o,
  );
}

/** The language a page without a survey (bad or expired link) is shown in. */
export function langParam(v: unknown): WebLang | undefined {
  return v === "en" || v === "sv" ? v : undefined;
}

export type { WebTexts };
