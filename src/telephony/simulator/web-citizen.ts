/**
 * A virtual citizen answering the web survey behind an SMS link, by HTTP
 * against the real pages (never a database shortcut), following the form
 * contract of src/websurvey: GET the link; on each page post every radio
 * group `q_<key>` (a score chosen by `scoreFor`), `comment` when a
 * `<textarea name="comment">` is present, and every hidden input, urlencoded,
 * to the same URL (303 → GET); repeat until the page carries
 * `data-survey-state="done"`, at most MAX_ROUNDS rounds; stop on a 4xx.
 */
export const MAX_ROUNDS = 10;

export interface WebAnswerResult {
  outcome: "done" | "client_error" | "gave_up" | "server_error";
  rounds: number;
  answered: string[];
  status?: number;
}

export interface WebCitizen {
  /** The score (1–5) for a question key. */
  scoreFor(questionKey: string): number;
  /** A free-text comment, or null for none. */
  comment: string | null;
}

interface FormFields {
  radios: Set<string>;
  hidden: [string, string][];
  hasComment: boolean;
}

const INPUT = /<input\b[^>]*>/gi;
const attr = (tag: string, name: string): string | null => {
  const m = new RegExp(`\\s${name}\\s*=\\s*("([^"]*)"|'([^']*)'|([^\\s>]+))`, "i").exec(tag);
  return m ? decodeEntities(m[2] ?? m[3] ?? m[4] ?? "") : null;
};

function decodeEntities(s: string): string {
  return s
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

/** The fields of the page's form, read from its HTML. */
export function readForm(page: string): FormFields {
  const radios = new Set<string>();
  const hidden: [string, string][] = [];
  for (const tag of page.match(INPUT) ?? []) {
    const type = (attr(tag, "type") ?? "text").toLowerCase();
    const name = attr(tag, "name");
    if (!name) continue;
    if (type === "radio" && /^q_/.test(name)) radios.add(name);
    else if (type === "hidden") hidden.push([name, attr(tag, "value") ?? ""]);
  }
  return { radios, hidden, hasComment: /<textarea\b[^>]*\sname\s*=\s*["']?comment["'\s>]/i.test(page) };
}

export async function answerWebSurvey(
  link: string,
  citizen: WebCitizen,
  opts: { fetch?: typeof fetch; timeoutMs?: number } = {},
): Promise<WebAnswerResult> {
  const f = opts.fetch ?? fetch;
  const signal = () => AbortSignal.timeout(opts.timeoutMs ?? 15_000);
  const answered: string[] = [];
  let res = await f(link, { redirect: "follow", signal: signal() });
  for (let round = 1; round <= MAX_ROUNDS; round++) {
    if (res.status >= 400)
      return {
        outcome: res.status < 500 ? "client_error" : "server_error",
        rounds: round,
        answered,
        status: res.status,
      };
    const page = await res.text();
    if (page.includes('data-survey-state="done"')) return { outcome: "done", rounds: round, answered };
    const form = readForm(page);
    const body = new URLSearchParams();
    for (const name of form.radios) {
      const key = name.slice(2);
      body.append(name, String(citizen.scoreFor(key)));
      answered.push(key);
    }
    if (form.hasComment) body.append("comment", citizen.comment ?? "");
    for (const [name, value] of form.hidden) body.append(name, value);
    // To the page's own URL; fetch follows the 303 with a GET, as a browser does.
    res = await f(res.url || link, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: body.toString(),
      redirect: "follow",
      signal: signal(),
    });
  }
  return { outcome: "gave_up", rounds: MAX_ROUNDS, answered };
}
