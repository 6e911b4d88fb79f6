import type { AppContext } from "../context.js";
import type { SessionUser } from "../auth/middleware.js";
import { queryFunnel } from "../results/funnel.js";
import { findCoachingSignals } from "../results/coaching.js";
import type { Period } from "../results/periods.js";
import { localTime } from "../lib/calendar.js";
import { funnelBar } from "./components.js";
import { html, type Html } from "./html.js";
import { fmt, int, pct, msg, type Lang } from "./i18n.js";
import { reasonName } from "../i18n/index.js";
import { questionLabel } from "./questions.js";
import type { OverviewExtras } from "./pages/overview.js";

/** The funnel and coaching sections of the overview, from the results feature. */
export async function overviewExtras(
  ctx: AppContext,
  user: SessionUser,
  period: Period,
  L: Lang,
  timeZone: string,
): Promise<OverviewExtras> {
  // Coaching looks at the weeks ending with the period (or today, for a period still running).
  const today = localTime(ctx.now(), timeZone).day;
  const end = period.to < today ? period.to : today;
  const viewer = { kind: "user" as const, user };
  const [funnel, coaching] = await Promise.all([
    queryFunnel(ctx, viewer, { organizationId: user.organizationId, from: period.from, to: period.to }, { timeZone }),
    findCoachingSignals(ctx, viewer, { organizationId: user.organizationId, end }),
  ]);
  return { funnel: funnelHtml(funnel.rows[0], L), coaching: coachingHtml(coaching, L) };
}

type Funnel = Awaited<ReturnType<typeof queryFunnel>>["rows"][number] | undefined;

export function funnelHtml(f: Funnel, L: Lang): Html | undefined {
  if (!f) return undefined;
  const steps: [string, number][] = [
    [msg(L).overview.completedCalls, f.completedCalls],
    [msg(L).overview.eligible, f.eligible],
    [msg(L).overview.sampled, f.sampled],
    [msg(L).overview.dialled, f.dialled],
    [msg(L).overview.reachedPerson, f.reachedPerson],
    [msg(L).overview.answeredFullyOrPartly, f.completed + f.partial],
    [msg(L).overview.leftVoiceMessage, f.voiceMessages],
    [msg(L).overview.smsSent, f.smsSent],
    [msg(L).overview.linkOpened, f.linkOpened],
    [msg(L).overview.answeredOnWeb, f.answeredOnWeb],
  ];
  const max = Math.max(1, f.completedCalls);
  const skips = Object.entries(f.skipReasons).sort((a, b) => b[1] - a[1]);
  return html`<h2>${msg(L).overview.fromCallToAnswer}</h2>
<div class="table-wrap" tabindex="0"><table class="funnel" data-testid="funnel"><caption>${msg(L).overview.responseRate}: ${pct(L, f.responseRate)} ${msg(L).overview.ofThoseCalled}; ${pct(L, f.responseRateAllChannels)} ${msg(L).overview.byPhoneOrOn}</caption>
<thead><tr><th scope="col">${msg(L).overview.step}</th><th scope="col" class="num">${msg(L).overview.count}</th><th scope="col">${msg(L).overview.shareOfCompletedCalls}</th></tr></thead>
<tbody>${steps.map(([label, n]) => html`<tr><th scope="row">${label}</th><td class="num">${int(L, n)}</td><td class="bar">${funnelBar(n, max, L)}</td></tr>`)}</tbody></table></div>
${skips.length > 0 && html`<details><summary>${msg(L).overview.reasonsNotToCall}</summary><ul>${skips.map(([k, n]) => html`<li>${reasonName(k, L)}: ${int(L, n)}</li>`)}</ul></details>`}`;
}

type Coaching = Awaited<ReturnType<typeof findCoachingSignals>>;

function coachingHtml(c: Coaching, L: Lang): Html {
  const intro = `${msg(L).overview.agentsWhoseResultsOver} ${c.window.weeks} ${msg(L).overview.weeksAreBelowTheir} (${int(L, c.agentsTested)} ${msg(L).overview.tested}, ${int(L, c.agentsTooFewAnswers)} ${msg(L).overview.withTooFewAnswers}).`;
  if (!c.flags.length)
    return html`<h2>${msg(L).overview.coachingSignals}</h2><p>${intro}</p><p class="notice">${msg(L).overview.noSignalsRightNow}</p>`;
  const rows = c.flags.map((f) => {
    const ref =
      f.reference.kind === "group"
        ? `${msg(L).overview.group} ${fmt(L, f.reference.mean)} (n=${f.reference.n})`
        : `${msg(L).overview.target2} ${f.reference.metric === "mean" ? fmt(L, f.reference.threshold) : pct(L, f.reference.threshold)}`;
    return html`<tr><th scope="row">${f.agentName ?? f.agentExternalId}<br><span class="muted">${f.groupName}</span></th><td>${questionLabel(f.questionKey, L)}</td><td class="num">${fmt(L, f.mean)} <span class="muted">n=${f.n}</span></td><td>${ref}</td><td class="num">p = ${f.adjustedPValue < 0.001 ? "< 0,001" : fmt(L, f.adjustedPValue, 3)}</td></tr>`;
  });
  return html`<h2>${msg(L).overview.coachingSignals}</h2><p>${intro}</p>
<div class="table-wrap" tabindex="0"><table data-testid="coaching"><caption>${msg(L).overview.evidencePerSignalP}</caption>
<thead><tr><th scope="col">${msg(L).overview.agent}</th><th scope="col">${msg(L).overview.question}</th><th scope="col" class="num">${msg(L).overview.mean}</th><th scope="col">${msg(L).overview.comparedWith}</th><th scope="col" class="num">${msg(L).overview.certainty}</th></tr></thead>
<tbody>${rows}</tbody></table></div>`;
}
