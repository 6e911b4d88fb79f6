// Placeholder owned by the web feature: the page shell every page renders into.
import type { SessionUser } from "../auth/middleware.js";

export interface PageOptions {
  title: string;
  user: SessionUser | null;
  /** Navigation key of the current page. */
  active?: string;
  /** Inner HTML (already escaped where needed). */
  body: string;
  /** Script URLs served by this service. */
  scripts?: string[];
  lang?: "sv" | "en";
  csrfToken?: string;
}

export function renderPage(o: PageOptions): string {
  return `<!doctype html><html lang="${o.lang ?? "sv"}"><head><meta charset="utf-8"><title>${o.title}</title></head><body><main>${o.body}</main>${(o.scripts ?? []).map((s) => `<script src="${s}" defer></script>`).join("")}</body></html>`;
}
