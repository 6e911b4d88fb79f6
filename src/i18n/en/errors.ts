import type { Messages } from "../messages.js";

/** English texts: the app's own error pages (src/web/error-page.ts). */
export const errors: Messages["errors"] = {
  badRequest: { title: "Bad request", text: "What was sent could not be read. Go back and try again." },
  forbidden: { title: "Not allowed", text: "Your role does not have access to this page." },
  notFound: { title: "Page not found", text: "Check the address." },
  serverError: {
    title: "Something went wrong",
    text: "An error occurred on our side. Try again in a while; if it persists, contact your administrator.",
  },
  badPeriod: (value: string, why: string) => `The period "${value}" cannot be shown: ${why}.`,
  period: {
    format: "write for example 2026, 2026-P3, 2026-W48, 2026-11 or 2026-11-30",
    yearRange: (min: number, max: number) => `choose a year between ${min} and ${max}`,
    tertial: "the tertial must be P1, P2 or P3",
    weeks: (year: number, weeks: number) => `${year} has weeks 1–${weeks}`,
    month: "the month must be 01–12",
    noSuchDate: "that date does not exist",
    dayFormat: "write dates as YYYY-MM-DD",
    fromAfterTo: "the start date is after the end date",
    tenYears: "at most ten years at a time",
    kind: "choose week, month, tertial or year",
  },
  periodOrRange: "Give either a period or a date range (from and to), not both.",
  periodRequired: "Give a period (for example 2026-W48) or both a from and a to date.",
  unknownGroup: (key: string) => `The answer group "${key}" does not exist.`,
  unknownAgent: (key: string) => `The agent "${key}" does not exist.`,
  home: "Go to the start page",
};
