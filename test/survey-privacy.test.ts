import { describe, expect, it } from "vitest";
import { renderTwiml } from "../src/survey/twiml.js";
import { loadFlows } from "../src/survey/flows.js";
import { orgSettingsSchema, nkiTotalKeys } from "../src/organizations/settings.js";

const flows = loadFlows();
const messageNodes = (id: string) => [{ kind: "prompt" as const, prompt: flows.getFlow(id).message!.prompt[0] }];
const rc = { baseUrl: "https://nki.example", surveyId: "s", flowId: "nki-sv", organizationName: "Testkommun" };

describe("the survey tells the citizen what it records, before the message", () => {
  it("says in Swedish that the message is recorded and kept by the municipality, why, and where to read more", () => {
    const xml = renderTwiml(messageNodes("nki-sv"), { ...rc, privacyInfo: "testkommun.se/personuppgifter" });
    expect(xml).toContain("Meddelandet spelas in och sparas av Testkommun, så att vi kan ta hand om det du säger");
    expect(xml).toContain("läsa mer om hur vi hanterar dina uppgifter på testkommun.se/personuppgifter.");
    expect(xml.indexOf("spelas in")).toBeLessThan(xml.indexOf("Tala efter tonen"));
  });

  it("falls back to the municipality's website in the flow's language when the setting is empty", () => {
    expect(renderTwiml(messageNodes("nki-sv"), { ...rc, privacyInfo: "" })).toContain("på kommunens webbplats.");
    const en = renderTwiml(messageNodes("nki-en"), { ...rc, flowId: "nki-en", privacyInfo: null });
    expect(en).toContain("The message is recorded and kept by Testkommun");
    expect(en).toContain("on the municipality's website.");
    expect(en).not.toContain("{privacyInfo}");
  });

  it("reads question 7 with its own scale words", () => {
    const q7 = flows.getFlow("nki-sv").questions.find((q) => q.key === "rekommendera")!;
    expect(JSON.stringify(q7.prompt)).toMatch(/1 om inte alls, och 5 om absolut/);
  });
});

describe("question 7 and NKI totalt", () => {
  it("leaves rekommendera out of NKI totalt by default, also for settings stored before the option existed", () => {
    expect(nkiTotalKeys(orgSettingsSchema.parse({}).nkiDefinition)).toEqual({ excludeQuestionKeys: ["rekommendera"] });
    expect(nkiTotalKeys(orgSettingsSchema.parse({ nkiDefinition: { kind: "all-questions" } }).nkiDefinition)).toEqual({
      excludeQuestionKeys: ["rekommendera"],
    });
    expect(nkiTotalKeys({ kind: "all-questions", exclude: [] })).toEqual({});
    expect(nkiTotalKeys({ kind: "question", questionKey: "helhet" })).toEqual({ questionKeys: ["helhet"] });
  });
});
