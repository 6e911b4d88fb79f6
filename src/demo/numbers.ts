/**
 * Caller numbers for the demo: only numbers PTS (the Swedish Post and Telecom
 * Authority) reserves for fiction, so a demo pointed at real Twilio by mistake
 * could still never ring a real person. PTS reserved 070-174 06 05 to
 * 070-174 06 99 for mobiles and one hundred landline numbers in each of four
 * areas (reported e.g. at https://www.tellerreport.com/life/2020-09-07-hundreds-of-telephone-numbers-are-reserved-for-film--television-and-books.Symrwpm4w.html;
 * the ranges are listed on pts.se under "Telefonnummer för fiktiva ändamål").
 */
const range = (prefix: string, from: number, to: number, width: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => `${prefix}${String(from + i).padStart(width, "0")}`);

export const FICTION_MOBILE_NUMBERS: readonly string[] = range("+4670174", 605, 699, 4);

export const FICTION_LANDLINE_NUMBERS: readonly string[] = [
  ...range("+46846500", 400, 499, 3), // Stockholm 08-465 004 00 … 99
  ...range("+46313900", 600, 699, 3), // Göteborg 031-390 06 00 … 99
  ...range("+46406280", 400, 499, 3), // Malmö 040-628 04 00 … 99
  ...range("+4698031", 9200, 9299, 4), // Kiruna 0980-319 200 … 299
];

/** Most citizens call from a mobile; about one in five from a landline. */
export function pickFictionNumber(rnd: () => number, isFree: (n: string) => boolean): string | null {
  const pools =
    rnd() < 0.8
      ? [FICTION_MOBILE_NUMBERS, FICTION_LANDLINE_NUMBERS]
      : [FICTION_LANDLINE_NUMBERS, FICTION_MOBILE_NUMBERS];
  for (const pool of pools) {
    const start = Math.floor(rnd() * pool.length);
    for (let i = 0; i < pool.length; i++) {
      const n = pool[(start + i) % pool.length];
      if (isFree(n)) return n;
    }
  }
  return null;
}
