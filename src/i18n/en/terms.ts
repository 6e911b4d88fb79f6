import type { Messages } from "../messages.js";

/** English texts: the domain's terms; exactly the English terms of docs/glossary.md. */
export const terms: Messages["terms"] = {
  questions: {
    overall: "Overall NKI",
    svarstid: "Waiting time",
    bemotande: "Courtesy",
    engagemang: "Engagement",
    kunskap: "Knowledge",
    fick_hjalp: "Got help",
    helhet: "Overall impression",
    rekommendera: "Recommend the municipality",
  },
  classes: {
    klagomal: "Complaint",
    berom: "Praise",
    forslag: "Suggestion",
    fraga: "Question",
    inget: "Nothing to register",
  },
  months: [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
  ],
  monthsShort: ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
  periodKinds: { week: "Week", month: "Month", tertial: "Tertial", year: "Year" },
  surveyMethod: "Post-call NKI survey, keypad 1–5",
};
