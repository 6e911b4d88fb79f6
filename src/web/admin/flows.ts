import type { Router } from "express";
import type { AppContext } from "../../context.js";
import type { Flow, Prompt } from "../../survey/flow-schema.js";
import { flowTexts, saveFlowTexts } from "../../survey/flow-versions.js";
import { AppError } from "../../lib/errors.js";
import { html, type Html } from "../html.js";
import { int, msg, type Lang } from "../i18n.js";
import { questionLabel } from "../questions.js";
import { csrfField } from "./form.js";
import { adminKit, formBody, type AdminSection } from "./kit.js";

/**
 * Survey flows as a person reads them: each flow and version as its greeting,
 * questions and closing prompts, with a player for recorded prompts (served
 * by the webhooks' /twilio/audio, the same file Twilio plays), and a form
 * that saves edited texts as a new version (survey/flow-versions.ts): new
 * surveys start on it, surveys in progress keep theirs.
 */
function promptView(p: Prompt, L: Lang): Html {
  if ("say" in p)
    return html`<p class="prompt"><span class="visually-hidden">${msg(L).admin.speech} </span><span lang="${p.language}">${p.say}</span> <span class="muted">(${p.voice}, ${p.language})</span></p>`;
  const src = `/twilio/${p.play}`;
  return html`<p class="prompt">${msg(L).admin.recordedFile} <code>${p.play}</code></p><audio controls preload="none" src="${src}" aria-label="${msg(L).admin.listenTo} ${p.play}"></audio>`;
}

const prompts = (ps: Prompt[], L: Lang) => html`${ps.map((p) => promptView(p, L))}`;

/** A person's name for a text's place in the flow ("questions.2.prompt.0" → "Fråga 3 (kunskap)"). */
function textLabel(f: Flow, path: string, L: Lang): string {
  const [part, i] = path.split(".");
  if (part === "questions")
    return `${msg(L).admin.question} ${Number(i) + 1} (${questionLabel(f.questions[Number(i)].key, L)})`;
  const n = (msg(L).admin.flowParts as Record<string, string>)[part];
  return n ?? path;
}

function editForm(f: Flow, L: Lang, csrf: string): Html {
  const texts = flowTexts(f);
  if (!texts.length) return html``;
  return html`<details class="edit"><summary>${msg(L).admin.editTextsSavedAs}</summary>
<form method="post" action="/admin/flows/${f.id}" class="card">${csrfField(csrf)}
<p class="hint">${msg(L).admin.newSurveysUseNew}</p>
${texts.map((t, i) => html`<label for="ft-${f.id}-${i}">${textLabel(f, t.path, L)}</label><textarea lang="${f.language}" id="ft-${f.id}-${i}" name="${t.path}" rows="3" maxlength="2000" required>${t.text}</textarea>`)}
<p><button type="submit">${msg(L).admin.saveAsNewVersion}</button></p>
</form></details>`;
}

function flowView(f: Flow, L: Lang, versionsSeen: { version: string; answers: number }[], csrf: string): Html {
  const part = (title: string, ps: Prompt[] | undefined) => (ps ? html`<h4>${title}</h4>${prompts(ps, L)}` : "");
  return html`<section class="card flow" aria-labelledby="flow-${f.id}">
<h2 id="flow-${f.id}"><span lang="${f.language}">${f.name}</span> <span class="muted">(${f.id}, ${msg(L).admin.version} <code>${f.version}</code>)</span></h2>
${part(msg(L).admin.greeting, f.greeting)}
<h3>${msg(L).admin.questions}</h3>
<ol class="questions">${f.questions.map((q) => html`<li data-question="${q.key}"><span class="muted">${questionLabel(q.key, L)}</span>${prompts(q.prompt, L)}</li>`)}</ol>
${f.message ? part(msg(L).admin.voiceMessage, f.message.prompt) : ""}
${part(msg(L).admin.thanks, f.thanks)}
${part(msg(L).admin.invalidKey, f.invalidInput)}
${part(msg(L).admin.noAnswer, f.noInput)}
${part(msg(L).admin.optedOut, f.optedOut)}
${
  versionsSeen.length
    ? html`<h3>${msg(L).admin.versionsWithAnswers}</h3><ul>${versionsSeen.map((v) => html`<li><code>${v.version}</code>: ${int(L, v.answers)} ${msg(L).admin.answers}${v.version === f.version ? html` (${msg(L).admin.current})` : ""}</li>`)}</ul>`
    : ""
}
${editForm(f, L, csrf)}
</section>`;
}

export function flowRoutes(ctx: AppContext, r: Router): void {
  const kit = adminKit(ctx, r);
  const section: AdminSection = {
    key: "flows",
    title: (L) => msg(L).admin.surveyFlows,
    async content(_req, v) {
      const L = v.lang;
      const seen = await ctx.prisma.answer.groupBy({
        by: ["flowId", "flowVersion"],
        where: { organizationId: v.organizationId },
        _count: { _all: true },
      });
      return html`${ctx.flows.ids().map((id) => {
        const f = ctx.flows.getFlow(id);
        const versions = seen
          .filter((s) => s.flowId === id)
          .map((s) => ({ version: s.flowVersion, answers: s._count._all }));
        const older = ctx.flows
          .versions(id)
          .filter((o) => o.version !== f.version && !versions.some((x) => x.version === o.version))
          .map((o) => ({ version: o.version, answers: 0 }));
        return flowView(f, L, [...versions, ...older], v.csrf);
      })}`;
    },
  };
  r.get("/admin/flows", kit.admin, (req, res, next) => kit.render(req, res, section).catch(next));
  kit.post("/admin/flows/:flowId", section, async (req, v) => {
    const flowId = String(req.params.flowId);
    if (!ctx.flows.ids().includes(flowId))
      throw new AppError("not_found", "No such flow", undefined, msg(v.lang).admin.noSuchFlow);
    const texts = Object.fromEntries(Object.entries(formBody(req)).filter(([k]) => k !== "_csrf"));
    const saved = await saveFlowTexts(ctx.prisma, ctx.flows, flowId, texts, v.userId);
    if (saved) {
      const changed = flowTexts(saved.after)
        .filter((t) => flowTexts(saved.before).find((b) => b.path === t.path)?.text !== t.text)
        .map((t) => t.path);
      await kit.audit(req, {
        action: "flow.version-create",
        targetType: "flow",
        targetId: flowId,
        detail: { from: saved.before.version, to: saved.after.version, changed },
      });
    }
    return "/admin/flows?saved=1";
  });
}
