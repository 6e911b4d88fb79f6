/**
 * The web survey's pages under load: citizens walk through /s/<token> (GET the
 * page, POST the form, follow the 303) at a fixed open-loop rate, and every
 * request's time to the last byte is recorded, GET and POST apart.
 *
 *   TEST_DATABASE_URL=postgresql://root@127.0.0.1:5432/postgres npx tsx bench/websurvey.ts [--rate 100] [--seconds 30]
 *
 * Target (issue 14): p95 < 50 ms at 100 requests/s on PostgreSQL. A fresh
 * database per run (dropped at the end); the app in this process on loopback.
 */
import { parseArgs } from "node:util";
import { createTestDatabase } from "../test/support/db.js";
import { createTestContext, startTestApp } from "../test/support/context.js";
import { createSurveyCall } from "../test/support/survey-calls.js";
import { issueLinkToken } from "../src/websurvey/token.js";

const { values: args } = parseArgs({
  options: { rate: { type: "string", default: "100" }, seconds: { type: "string", default: "30" } },
});
const RATE = Number(args.rate);
const SECONDS = Number(args.seconds);
// 8 posts and 9 gets per completed survey; enough citizens that none is reused.
const CITIZENS = Math.ceil((RATE * SECONDS) / 17) + 50;

const db = await createTestDatabase();
const ctx = await createTestContext(db, { env: { LOG_LEVEL: "error" } });
ctx.logger.silent = true;
const app = await startTestApp(ctx);
const urls: string[] = [];
for (let i = 0; i < CITIZENS; i++) {
  const { survey } = await createSurveyCall(ctx, { state: "no_answer", callerNumber: `+4670${String(1000000 + i)}` });
  urls.push(`${app.url}/s/${issueLinkToken(ctx.numbers, survey.id, new Date())}`);
}

interface Citizen {
  url: string;
  page: string | null;
  rounds: number;
}
const timings: Record<"GET" | "POST", number[]> = { GET: [], POST: [] };
let errors = 0;
let completed = 0;

function formOf(page: string): URLSearchParams {
  const form = new URLSearchParams();
  for (const m of page.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)) form.set(m[1], m[2]);
  for (const m of page.matchAll(/name="(q_[a-z0-9_]+)"/g)) form.set(m[1], String(1 + Math.floor(Math.random() * 5)));
  if (page.includes('name="comment"')) form.set("comment", "Bra bemötande, tack.");
  return form;
}

/** One request of a citizen: a GET when it has no page in hand, else the POST of that page. */
async function step(c: Citizen): Promise<boolean> {
  const t0 = performance.now();
  if (c.page === null) {
    const res = await fetch(c.url, { headers: { accept: "text/html" } });
    c.page = await res.text();
    timings.GET.push(performance.now() - t0);
    if (res.status !== 200) errors++;
    if (c.page.includes('data-survey-state="done"')) {
      completed++;
      return false;
    }
    return true;
  }
  const res = await fetch(c.url, { method: "POST", redirect: "manual", body: formOf(c.page) });
  await res.arrayBuffer();
  timings.POST.push(performance.now() - t0);
  if (res.status !== 303) errors++;
  c.page = null;
  return ++c.rounds <= 10;
}

const ready: Citizen[] = [];
let next = 0;
const inFlight = new Set<Promise<void>>();
const startedAt = performance.now();
let sent = 0;
const total = RATE * SECONDS;
await new Promise<void>((resolve) => {
  const tick = () => {
    const due = Math.min(total, Math.floor(((performance.now() - startedAt) / 1000) * RATE));
    while (sent < due) {
      const c = ready.shift() ?? (next < urls.length ? { url: urls[next++], page: null, rounds: 0 } : null);
      if (!c) break;
      sent++;
      const p = step(c)
        .then((more) => void (more && ready.push(c)))
        .catch(() => void errors++)
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
    if (sent >= total) resolve();
    else setTimeout(tick, 2);
  };
  tick();
});
await Promise.all(inFlight);
const elapsed = (performance.now() - startedAt) / 1000;

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
};
const fmt = (xs: number[]) =>
  `n=${xs.length} p50=${pct(xs, 50).toFixed(1)} ms p95=${pct(xs, 95).toFixed(1)} ms p99=${pct(xs, 99).toFixed(1)} ms max=${Math.max(...xs).toFixed(1)} ms`;
const all = [...timings.GET, ...timings.POST];
console.log(
  `web survey: ${sent} requests in ${elapsed.toFixed(1)} s (${(sent / elapsed).toFixed(1)}/s target ${RATE}/s), ${completed} surveys completed, ${errors} errors`,
);
console.log(`  all  ${fmt(all)}`);
console.log(`  GET  ${fmt(timings.GET)}`);
console.log(`  POST ${fmt(timings.POST)}`);
await app.close();
await db.close();
