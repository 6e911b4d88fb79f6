import type { Router } from "express";
import type { AppContext } from "../../context.js";
import type { Flow, Prompt } from "../../survey/flow-schema.js";
import { flowTexts, saveFlowTexts } from "../../survey/flow-versions.js";
import { AppError } from "../../lib/errors.js";
import { html, type Html } from "../html.js";
import { tr, type Lang } from "../i18n.js";
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
    return html`<p class="prompt"><span class="visually-hidden">${tr(L, "Talsyntes:", "Speech:")} </span>${p.say} <span class="muted">(${p.voice}, ${p.language})</span></p>`;
  const src = `/twilio/${p.play}`;
  return html`<p class="prompt">${tr(L, "Inspelad fil", "Recorded file")} <code>${p.play}</code></p><audio controls preload="none" src="${src}" aria-label="${tr(L, "Lyssna på", "Listen to")} ${p.play}"></audio>`;
}

const prompts = (ps: Prompt[], L: Lang) => html`${ps.map((p) => promptView(p, L))}`;

/** A person's name for a text's place in the flow ("questions.2.prompt.0" → "Fråga 3 (kunskap)"). */
function textLabel(f: Flow, path: string, L: Lang): string {
  const [part, i] = path.split(".");
  if (part === "questions") return `${tr(L, "Fråga", "Question")} ${Number(i) + 1} (${f.questions[Number(i)].key})`;
  const names: Record<string, [string, string]> = {
    greeting: ["Hälsning", "Greeting"],
    message: ["Röstmeddelande", "Voice message"],
    thanks: ["Tack", "Thanks"],
    invalidInput: ["Felaktig knapp", "Invalid key"],
    noInput: ["Inget svar", "No answer"],
    optedOut: ["Vill inte bli uppringd igen", "Opted out"],
    ended: ["Enkäten är redan avslutad", "Survey already over"],
    error: ["Fel hos oss", "Error on our side"],
  };
  const n = names[part];
  return n ? tr(L, n[0], n[1]) : path;
}

function editForm(f: Flow, L: Lang, csrf: string): Html {
  const texts = flowTexts(f);
  if (!texts.length) return html``;
  return html`<details class="edit"><summary>${tr(L, "Ändra texterna (sparas som en ny version)", "Edit the texts (saved as a new version)")}</summary>
<form method="post" action="/admin/flows/${f.id}" class="card">${csrfField(csrf)}
<p class="hint">${tr(L, "Nya enkäter använder den nya versionen; samtal som pågår behåller sin. {organization} ersätts med kundcentrets namn.", "New surveys use the new version; calls in progress keep theirs. {organization} is replaced by the contact centre's name.")}</p>
${texts.map((t, i) => html`<label for="ft-${f.id}-${i}">${textLabel(f, t.path, L)}</label><textarea id="ft-${f.id}-${i}" name="${t.path}" rows="3" maxlength="2000" required>${t.text}</textarea>`)}
<p><button type="submit">${tr(L, "Spara som ny version", "Save as a new version")}</button></p>
</form></details>`;
}

function flowView(f: Flow, L: Lang, versionsSeen: { version: string; answers: number }[], csrf: string): Html {
  const part = (title: string, ps: Prompt[] | undefined) => (ps ? html`<h4>${title}</h4>${prompts(ps, L)}` : "");
  return html`<section class="card flow" aria-labelledby="flow-${f.id}">
<h2 id="flow-${f.id}">${f.name} <span class="muted">(${f.id}, ${tr(L, "version", "version")} <code>${f.version}</code>)</span></h2>
${part(tr(L, "Hälsning", "Greeting"), f.greeting)}
<h3>${tr(L, "Frågor", "Questions")}</h3>
<ol class="questions">${f.questions.map((q) => html`<li><span class="muted">${q.key}</span>${prompts(q.prompt, L)}</li>`)}</ol>
${f.message ? part(tr(L, "Röstmeddelande", "Voice message"), f.message.prompt) : ""}
${part(tr(L, "Tack", "Thanks"), f.thanks)}
${part(tr(L, "Felaktig knapp", "Invalid key"), f.invalidInput)}
${part(tr(L, "Inget svar", "No answer"), f.noInput)}
${part(tr(L, "Vill inte bli uppringd igen", "Opted out"), f.optedOut)}
${
  versionsSeen.length
    ? html`<h3>${tr(L, "Versioner med svar", "Versions with answers")}</h3><ul>${versionsSeen.map((v) => html`<li><code>${v.version}</code>: ${v.answers} ${tr(L, "svar", "answers")}${v.version === f.version ? html` (${tr(L, "gällande", "current")})` : ""}</li>`)}</ul>`
    : ""
}
${editForm(f, L, csrf)}
</section>`;
}

export function flowRoutes(ctx: AppContext, r: Router): void {
  const kit = adminKit(ctx, r);
  const section: AdminSection = {
    key: "flows",
    title: (L) => tr(L, "Enkätflöden", "Survey flows"),
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
      throw new AppError("not_found", "No such flow", undefined, tr(v.lang, "Flödet finns inte.", "No such flow."));
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
