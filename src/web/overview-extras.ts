import type { AppContext } from "../context.js";
import type { SessionUser } from "../auth/middleware.js";
import { queryFunnel } from "../results/funnel.js";
import { findCoachingSignals } from "../results/coaching.js";
import type { Period } from "../results/periods.js";
import { localTime } from "../lib/calendar.js";
import { funnelBar } from "./components.js";
import { html, type Html } from "./html.js";
import { fmt, pct, tr, type Lang } from "./i18n.js";
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

function funnelHtml(f: Funnel, L: Lang): Html | undefined {
  if (!f) return undefined;
  const steps: [string, number][] = [
    [tr(L, "Avslutade samtal", "Completed calls"), f.completedCalls],
    [tr(L, "Möjliga att fråga", "Eligible"), f.eligible],
    [tr(L, "Valda för enkät", "Sampled"), f.sampled],
    [tr(L, "Uppringda", "Dialled"), f.dialled],
    [tr(L, "Nådde en person", "Reached a person"), f.reachedPerson],
    [tr(L, "Svarade (helt eller delvis)", "Answered (fully or partly)"), f.completed + f.partial],
    [tr(L, "Lämnade röstmeddelande", "Left a voice message"), f.voiceMessages],
    [tr(L, "SMS skickat", "SMS sent"), f.smsSent],
    [tr(L, "Länk öppnad", "Link opened"), f.linkOpened],
    [tr(L, "Svarat på webben", "Answered on the web"), f.answeredOnWeb],
  ];
  const max = Math.max(1, f.completedCalls);
  const skips = Object.entries(f.skipReasons).sort((a, b) => b[1] - a[1]);
  return html`<h2>${tr(L, "Från samtal till svar", "From call to answer")}</h2>
<div class="table-wrap" tabindex="0"><table class="funnel" data-testid="funnel"><caption>${tr(L, "Svarsfrekvens", "Response rate")}: ${pct(L, f.responseRate)} ${tr(L, "av de uppringda", "of those called")}; ${pct(L, f.responseRateAllChannels)} ${tr(L, "i telefon eller på webben, av alla utvalda", "by phone or on the web, of everyone selected")}</caption>
<thead><tr><th scope="col">${tr(L, "Steg", "Step")}</th><th scope="col" class="num">${tr(L, "Antal", "Count")}</th><th scope="col">${tr(L, "Andel av avslutade samtal", "Share of completed calls")}</th></tr></thead>
<tbody>${steps.map(([label, n]) => html`<tr><th scope="row">${label}</th><td class="num">${n}</td><td class="bar">${funnelBar(n, max, L)}</td></tr>`)}</tbody></table></div>
${skips.length > 0 && html`<details><summary>${tr(L, "Skäl att inte ringa", "Reasons not to call")}</summary><ul>${skips.map(([k, n]) => html`<li><code>${k}</code>: ${n}</li>`)}</ul></details>`}`;
}

type Coaching = Awaited<ReturnType<typeof findCoachingSignals>>;

function coachingHtml(c: Coaching, L: Lang): Html {
  const intro = `${tr(L, "Kommunvägledare vars resultat de senaste", "Agents whose results over the last")} ${c.window.weeks} ${tr(L, "veckorna ligger under gruppen eller målet mer än slumpen förklarar", "weeks are below their group or target by more than chance explains")} (${c.agentsTested} ${tr(L, "prövade", "tested")}, ${c.agentsTooFewAnswers} ${tr(L, "med för få svar", "with too few answers")}).`;
  if (!c.flags.length)
    return html`<h2>${tr(L, "Coachningssignaler", "Coaching signals")}</h2><p>${intro}</p><p class="notice">${tr(L, "Inga signaler just nu.", "No signals right now.")}</p>`;
  const rows = c.flags.map((f) => {
    const ref =
      f.reference.kind === "group"
        ? `${tr(L, "gruppen", "group")} ${fmt(L, f.reference.mean)} (n=${f.reference.n})`
        : `${tr(L, "mål", "target")} ${f.reference.metric === "mean" ? fmt(L, f.reference.threshold) : pct(L, f.reference.threshold)}`;
    return html`<tr><th scope="row">${f.agentName ?? f.agentExternalId}<br><span class="muted">${f.groupName}</span></th><td>${questionLabel(f.questionKey, L)}</td><td class="num">${fmt(L, f.mean)} <span class="muted">n=${f.n}</span></td><td>${ref}</td><td class="num">p = ${f.adjustedPValue < 0.001 ? "< 0,001" : fmt(L, f.adjustedPValue, 3)}</td></tr>`;
  });
  return html`<h2>${tr(L, "Coachningssignaler", "Coaching signals")}</h2><p>${intro}</p>
<div class="table-wrap" tabindex="0"><table data-testid="coaching"><caption>${tr(L, "Underlag per signal (p-värde justerat för många jämförelser)", "Evidence per signal (p-value adjusted for multiple comparisons)")}</caption>
<thead><tr><th scope="col">${tr(L, "Kommunvägledare", "Agent")}</th><th scope="col">${tr(L, "Fråga", "Question")}</th><th scope="col" class="num">${tr(L, "Medel", "Mean")}</th><th scope="col">${tr(L, "Jämfört med", "Compared with")}</th><th scope="col" class="num">${tr(L, "Säkerhet", "Certainty")}</th></tr></thead>
<tbody>${rows}</tbody></table></div>`;
}
