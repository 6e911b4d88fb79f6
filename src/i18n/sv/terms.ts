/** Swedish texts: the domain's terms, shared by every page (questions, classifications, months, periods). */
export const terms = {
  /** Short names of the NKI questions (the keys of flows/nki-*.json) for tables and charts. */
  questions: {
    overall: "NKI totalt",
    svarstid: "Svarstid",
    bemotande: "Bemötande",
    engagemang: "Engagemang",
    kunskap: "Kunskap",
    fick_hjalp: "Fick hjälp",
    helhet: "Helhetsintryck",
    rekommendera: "Rekommendera kommunen",
  } as Record<string, string>,
  /** The listening queue's classifications of a voice message. */
  classes: {
    klagomal: "Klagomål",
    berom: "Beröm",
    forslag: "Förslag",
    fraga: "Fråga",
    inget: "Inget att registrera",
  } as Record<string, string>,
  months: [
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
  ],
  monthsShort: ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"],
  periodKinds: { week: "Vecka", month: "Månad", tertial: "Tertial", year: "År" },
  surveyMethod: "NKI-enkät efter samtal, knappsats 1–5",
};
