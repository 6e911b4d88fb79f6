import { describe, expect, it } from "vitest";
import { capturingLogger } from "./support/capturing-logger.js";
import { scrubPhoneNumbers, scrubPhoneNumbersDeep } from "../src/lib/scrub.js";

/** Numbers from the ranges PTS reserves for fiction (070-174 06 05 … 99), in the ways people write them. */
const SPELLINGS = [
  "+46701740605",
  "+46 70 174 06 05",
  "+46 (0)70 174 06 05",
  "+46-70-174 06 05",
  "0046701740605",
  "0046 70 174 06 05",
  "46701740605",
  "46 70 174 06 05",
  "0701740605",
  "070-1740605",
  "070-174 06 05",
  "070 174 06 05",
  "(070) 174 06 05",
  "(070)1740605",
  "(+46) 70 174 06 05",
  "08-123 456 78",
  "(08) 123 456 78",
  "+1 (415) 555-0134",
  "+4915112345678",
];

const DIGITS = (s: string) => s.replace(/\D/g, "");

describe("scrubPhoneNumbers finds a number however it is written", () => {
  it.each(SPELLINGS)("masks %s alone, inside a sentence and in brackets", (n) => {
    for (const text of [n, `The 'To' number ${n} is not a valid phone number.`, `to=${n}, retry`, `[${n}]`]) {
      const out = scrubPhoneNumbers(text);
      // No run of the number's last seven digits survives in any spelling.
      expect(DIGITS(out)).not.toContain(DIGITS(n).slice(-7));
      expect(out).toContain("*");
    }
  });

  it("masks like the logs do, keeping the country code and the last two digits", () => {
    expect(scrubPhoneNumbers("Call to +46701740605 failed")).toBe("Call to +4670*****05 failed");
    expect(scrubPhoneNumbers("(+46701740605)")).toBe("(+4670*****05)");
  });

  it("masks every number of a text, and numbers inside a stack trace", () => {
    const stack =
      "Error: cannot reach 0701740605\n    at dial (/srv/nki/src/dispatch/place-call.ts:52:11)\n    at +46701740699";
    const out = scrubPhoneNumbers(stack);
    expect(out).not.toMatch(/1740605|1740699/);
    expect(out).toContain("place-call.ts:52:11");
  });

  it.each([
    ["+46701740607 (070-174 06 07)", ["1740607", "174 06 07"]],
    ["0701740605 0701740606", ["1740605", "1740606"]],
    ["070-174 06 05 070-174 06 06", ["174 06 05", "174 06 06"]],
    ["46701740605 46701740606", ["1740605", "1740606"]],
  ])("masks two numbers written side by side: %s", (text, parts) => {
    const out = scrubPhoneNumbers(`Could not reach ${text}.`);
    for (const p of parts) expect(out).not.toContain(p);
    expect(out).toMatch(/^Could not reach .*\*.*\.$/);
  });

  it("scrubs every string of a JSON detail and keeps its shape", () => {
    const detail = { code: 21211, message: "Invalid 'To' 46701740605", nested: [{ to: "070-174 06 05" }], ok: true };
    const out = scrubPhoneNumbersDeep(detail);
    expect(JSON.stringify(out)).not.toMatch(/1740605|174 06 05/);
    expect(out).toMatchObject({ code: 21211, ok: true, nested: [{}] });
  });

  it("passes null, undefined and empty text through", () => {
    expect(scrubPhoneNumbers(null)).toBeNull();
    expect(scrubPhoneNumbers(undefined)).toBeUndefined();
    expect(scrubPhoneNumbers("")).toBe("");
  });
});

describe("scrubPhoneNumbers leaves what is not a number alone", () => {
  const KEEP = [
    "2026-01-01T00:00",
    "0000-01-01T00:00:00.000Z",
    "2026-11-22T05:00:00.000Z",
    "2026-03-31T10:15:00+02:00",
    "2026-03-31 10:15:00",
    "2026-03-31",
    "10:15:00",
    "due 2026-03-31T10:15:00+02:00, expires 2026-03-31T14:15:00+02:00",
    "0f8fad5b-d9cb-469f-a165-70867728950e",
    "12345678-1234-4234-8234-123456789012",
    "CA0123456789abcdef0123456789abcdef",
    "RE46701740605aaaaaaaaaaaaaaaaaaaaaa",
    "e2e-46701740605-x",
    "1234567890",
    "1764763200000",
    "retry in 300000 ms after 12 failures",
    "127.0.0.1:5432",
    "v6.19.0",
    "week 2026-W13",
    "HTTP 400: code 21211",
    "queueSeconds 86400",
    "0.25",
  ];
  it.each(KEEP)("keeps %s", (text) => {
    expect(scrubPhoneNumbers(text)).toBe(text);
  });
});

describe("the logger masks with the same matcher", () => {
  function capture() {
    const { logger, seen } = capturingLogger("info");
    return { logger, text: () => JSON.stringify(seen) };
  }

  it("masks numbers in a logged error's message and stack", () => {
    const { logger, text } = capture();
    const err = new Error("The 'To' number +46701740605 is not a valid phone number.");
    logger.error("dial failed", { err });
    logger.error(err);
    expect(text()).not.toContain("46701740605");
    expect(text()).toContain("+4670*****05");
  });

  it("masks numbers without + or 0 and with spaces, and keeps dates and ids", () => {
    const { logger, text } = capture();
    logger.info("number 46701740605 and 46 70 174 06 05", {
      at: "2026-01-01T00:00",
      year0: "0000-01-01T00:00:00.000Z",
      id: "0f8fad5b-d9cb-469f-a165-70867728950e",
      sid: "CA0123456789abcdef0123456789abcdef",
    });
    const out = text();
    expect(out).not.toMatch(/46701740605|174 06 05/);
    expect(out).toContain("2026-01-01T00:00");
    expect(out).toContain("0000-01-01T00:00:00.000Z");
    expect(out).toContain("0f8fad5b-d9cb-469f-a165-70867728950e");
    expect(out).toContain("CA0123456789abcdef0123456789abcdef");
  });
});
