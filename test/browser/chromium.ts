import { existsSync, readFileSync } from "node:fs";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

/**
 * Debian's Chromium driven by playwright-core (`npx playwright install`
 * cannot download browsers here). Without a Chromium the browser tests skip
 * with a message, unless REQUIRE_BROWSER=1 (CI), where that is a failure.
 */
const CANDIDATES = [
  process.env.CHROMIUM_PATH,
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/bin/google-chrome",
].filter(Boolean) as string[];

export const chromiumPath = CANDIDATES.find((p) => existsSync(p)) ?? null;
export const requireBrowser = process.env.REQUIRE_BROWSER === "1";

if (!chromiumPath) {
  const msg = `no Chromium found (tried ${CANDIDATES.join(", ")}); install it with 'apt-get install -y chromium' or set CHROMIUM_PATH`;
  if (requireBrowser) throw new Error(`REQUIRE_BROWSER=1 but ${msg}`);
  console.warn(`browser tests skipped: ${msg}`);
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath!,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

export const SCREENSHOT_DIR = path.resolve("test-output/screenshots");

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

const axePath = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
let axeSource: string | undefined;

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; html: string }[];
}

/** Runs axe-core (WCAG 2.1 A and AA rules) in the page; returns the serious and critical violations. */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  return (await axeViolations(page)).filter((v) => v.impact === "serious" || v.impact === "critical");
}

/** Every axe-core violation (WCAG 2.1 A and AA rules), whatever its impact. */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  // Evaluated through DevTools rather than added as a <script>: the pages' CSP refuses inline scripts.
  axeSource ??= readFileSync(axePath, "utf8");
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: AxeViolation[] }> } }
    ).axe;
    const r = await axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
    });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => ({ target: n.target, html: n.html.slice(0, 160) })),
    }));
  });
  return violations;
}

/**
 * Collects every Content Security Policy violation in the context's pages:
 * the `securitypolicyviolation` event (reported out through a binding, so it
 * survives navigations) and Chromium's console message about it. Call before
 * opening pages; the returned array fills as violations happen.
 */
export async function watchCsp(context: BrowserContext): Promise<string[]> {
  const seen: string[] = [];
  await context.exposeBinding("__cspViolation", (_source, what: string) => void seen.push(what));
  await context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      const report = (window as unknown as { __cspViolation: (s: string) => void }).__cspViolation;
      void report(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} in ${e.documentURI}`);
    });
  });
  context.on("console", (m) => {
    if (/content security policy/i.test(m.text())) seen.push(`console: ${m.text()}`);
  });
  return seen;
}
