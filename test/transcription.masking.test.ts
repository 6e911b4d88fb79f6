import { describe, expect, it } from "vitest";
import { luhnValid, maskIdentifiers } from "../src/transcription/masking.js";

// Invented numbers with a valid control digit (Skatteverket's test ranges are not used as data anywhere else).
const VALID = ["8112189876", "8503121231", "4001012451", "1212121212", "6408233234"];

describe("luhnValid", () => {
  it("accepts the invented valid numbers and rejects each with one digit changed", () => {
    for (const n of VALID) {
      expect(luhnValid(n)).toBe(true);
      const last = (Number(n[9]) + 1) % 10;
      expect(luhnValid(n.slice(0, 9) + String(last))).toBe(false);
    }
  });
});

describe("maskIdentifiers: personnummer", () => {
  const spellings = [
    "811218-9876",
    "8112189876",
    "19811218-9876",
    "198112189876",
    "19811218 9876",
    "811218 9876",
    "811218+9876",
    "19811218 - 9876",
    "81 12 18-9876",
    "850312–1231",
    "20121212-1212",
    "121212-1212",
    // samordningsnummer: day + 60
    "851272-1237",
  ];
  for (const s of spellings) {
    it(`masks "${s}"`, () => {
      const r = maskIdentifiers(`Mitt personnummer är ${s}, ring mig.`);
      expect(r.text).toBe("Mitt personnummer är [personnummer], ring mig.");
      expect(r.counts.personnummer).toBe(1);
    });
  }

  it("leaves a ten-digit number with a wrong control digit to the other rules (not a personnummer)", () => {
    const r = maskIdentifiers("Ärendenummer 811218-9875 gäller bygglovet.");
    expect(r.counts.personnummer).toBe(0);
    expect(r.text).toContain("811218-9875");
  });

  it("does not take an impossible date for a personnummer", () => {
    // Month 13: not a date even though the Luhn sum happens to be checked.
    expect(maskIdentifiers("nummer 811318-9876").counts.personnummer).toBe(0);
  });

  it("does not mask a number glued to letters or longer digit runs", () => {
    expect(maskIdentifiers("kod A8112189876").counts.personnummer).toBe(0);
    expect(maskIdentifiers("123198112189876").counts.personnummer).toBe(0);
  });
});

describe("maskIdentifiers: phone numbers", () => {
  const spellings = [
    "070-174 06 05",
    "0701740605",
    "070 174 06 05",
    "070-1740605",
    "+46 70 174 06 05",
    "+46701740605",
    "0046 70 174 06 05",
    "08-123 456 78",
    "08 - 123 456 78",
    "(08) 123 456 78",
    "031-12 34 56",
    "0771-12 34 56",
    "+44 20 7946 0958",
  ];
  for (const s of spellings) {
    it(`masks "${s}"`, () => {
      const r = maskIdentifiers(`Ni når mig på ${s} efter lunch.`);
      expect(r.text).toBe("Ni når mig på [telefonnummer] efter lunch.");
      expect(r.counts.telefonnummer).toBe(1);
    });
  }

  it("keeps times, amounts, years and short numbers", () => {
    const text =
      "Jag ringde klockan 08.30 den 12 mars 2025 och väntade 45 minuter, det kostade 1 200 kronor och 100 000 i vite.";
    const r = maskIdentifiers(text);
    expect(r.text).toBe(text);
  });
});

describe("maskIdentifiers: e-mail addresses", () => {
  it.each([
    ["anna.berg@exempel.se"],
    ["A.Berg+kommun@post.exempel.nu"],
    ["åsa_öberg@exempel-kommun.se"],
    ["anna punkt berg snabel-a exempel punkt se"],
    ["anna snabel a exempel punkt se"],
  ])("masks %s", (address) => {
    const r = maskIdentifiers(`Skriv till ${address} så svarar jag.`);
    expect(r.text).toBe("Skriv till [e-post] så svarar jag.");
    expect(r.counts.epost).toBe(1);
  });
});

describe("maskIdentifiers: street addresses", () => {
  it.each([
    ["Storgatan 12"],
    ["storgatan 12"],
    ["Kungsvägen 3B"],
    ["Kungsvägen 3 B"],
    ["Sankt Eriksgatan 5a"],
    ["Lilla Nygatan 7"],
    ["Björkstigen 14, lgh 1102"],
    ["Torget 2"],
    ["Åsgränd 9"],
    ["Östra Långgatan 101"],
  ])("masks %s", (address) => {
    const r = maskIdentifiers(`Snön är inte röjd på ${address} sedan i tisdags.`);
    expect(r.text).toBe("Snön är inte röjd på [adress] sedan i tisdags.");
    expect(r.counts.adress).toBe(1);
  });

  it("masks a postal code with its town", () => {
    expect(maskIdentifiers("Jag bor i 123 45 Storstad.").text).toBe("Jag bor i [adress].");
  });

  it("keeps a street named without a number (no address of a person)", () => {
    const text = "Storgatan är full av grus och cykelbanan på Kungsvägen är trasig.";
    expect(maskIdentifiers(text).text).toBe(text);
  });
});

describe("maskIdentifiers: several in one message", () => {
  it("masks each and counts them", () => {
    const r = maskIdentifiers(
      "Hej, jag heter Kim och mitt personnummer är 19850312-1231. Ring 070-174 06 05 eller mejla kim@exempel.se, jag bor på Storgatan 12.",
    );
    expect(r.text).toBe(
      "Hej, jag heter Kim och mitt personnummer är [personnummer]. Ring [telefonnummer] eller mejla [e-post], jag bor på [adress].",
    );
    expect(r.counts).toEqual({ personnummer: 1, telefonnummer: 1, epost: 1, adress: 1 });
  });

  it("leaves a text without identifiers unchanged", () => {
    const text = "Tack för ett fantastiskt bemötande, handläggaren var så hjälpsam!";
    expect(maskIdentifiers(text)).toEqual({
      text,
      counts: { personnummer: 0, telefonnummer: 0, epost: 0, adress: 0 },
    });
  });
});
