/** Swedish texts: the app's own error pages (src/web/error-page.ts). */
export const errors = {
  badRequest: { title: "Felaktig begäran", text: "Det som skickades gick inte att läsa. Gå tillbaka och försök igen." },
  forbidden: { title: "Ingen behörighet", text: "Din roll har inte tillgång till den här sidan." },
  notFound: { title: "Sidan finns inte", text: "Kontrollera adressen." },
  serverError: {
    title: "Något gick fel",
    text: "Ett fel uppstod hos oss. Försök igen om en stund; om felet består, kontakta din administratör.",
  },
  /** Why a period or parameter in the address cannot be shown (the 400 page; src/results/periods.ts). */
  badPeriod: (value: string, why: string) => `Perioden "${value}" går inte att visa: ${why}.`,
  period: {
    format: "skriv till exempel 2026, 2026-P3, 2026-W48, 2026-11 eller 2026-11-30",
    yearRange: (min: number, max: number) => `välj ett år mellan ${min} och ${max}`,
    tertial: "tertialen ska vara P1, P2 eller P3",
    weeks: (year: number, weeks: number) => `${year} har veckorna 1–${weeks}`,
    month: "månaden ska vara 01–12",
    noSuchDate: "det datumet finns inte",
    dayFormat: "skriv datum som ÅÅÅÅ-MM-DD",
    fromAfterTo: "startdatum är efter slutdatum",
    tenYears: "högst tio år åt gången",
    kind: "välj vecka, månad, tertial eller år",
  },
  periodOrRange: "Ange antingen en period eller ett datumintervall (från och till), inte båda.",
  periodRequired: "Ange en period (till exempel 2026-W48) eller både från- och till-datum.",
  unknownGroup: (key: string) => `Svarsgruppen "${key}" finns inte.`,
  unknownAgent: (key: string) => `Handläggaren "${key}" finns inte.`,
  home: "Till startsidan",
};
