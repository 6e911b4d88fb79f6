import type { Router } from "express";
import type { AppContext } from "../../context.js";
import type { Flow, Prompt } from "../../survey/flow-schema.js";
import { html, type Html } from "../html.js";
import { tr, type Lang } from "../i18n.js";
import { adminKit, type AdminSection } from "./kit.js";

/**
 * Survey flows as a person reads them: each flow and version as its greeting,
 * questions and closing prompts, with a player for recorded prompts (served
 * by the webhooks' /twilio/audio, the same file Twilio plays).
 */
function promptView(p: Prompt, L: Lang): Html {
  if ("say" in p)
    return html`<p class="prompt"><span class="visually-hidden">${tr(L, "Talsyntes:", "Speech:")} </span>${p.say} <span class="muted">(${p.voice}, ${p.language})</span></p>`;
  const src = `/twilio/${p.play}`;
  return html`<p class="prompt">${tr(L, "Inspelad fil", "Recorded file")} <code>${p.play}</code></p><audio controls preload="none" src="${src}" aria-label="${tr(L, "Lyssna på", "Listen to")} ${p.play}"></audio>`;
}

const prompts = (ps: Prompt[], L: Lang) => html`${ps.map((p) => promptView(p, L))}`;

function flowView(f: Flow, L: Lang, versionsSeen: { version: string; answers: number }[]): Html {
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
        return flowView(f, L, versions);
      })}`;
    },
  };
  r.get("/admin/flows", kit.admin, (req, res, next) => kit.render(req, res, section).catch(next));
}
