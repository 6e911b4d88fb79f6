import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import express from "express";
import { describe, expect, it } from "vitest";
import { parseFlow, loadFlows, DEFAULT_FLOWS_DIR, fromFlows } from "../src/survey/flows.js";
import { renderFlowJsonSchema } from "../src/survey/write-flow-schema.js";
import { renderTwiml } from "../src/survey/twiml.js";
import { surveyWebhookRouter } from "../src/survey/webhooks.js";
import type { AppContext } from "../src/context.js";
import { createLogger } from "../src/lib/logger.js";
import { parseTwiml } from "./support/twiml.js";

const KEYS = ["svarstid", "bemotande", "engagemang", "kunskap", "fick_hjalp", "helhet", "rekommendera"];
const readJson = (name: string) => JSON.parse(readFileSync(path.join(DEFAULT_FLOWS_DIR, name), "utf8"));
function tempFlowsDir() {
  const dir = mkdtempSync(path.join(tmpdir(), "nki-flows-"));
  cpSync(DEFAULT_FLOWS_DIR, dir, { recursive: true });
  // git keeps no empty directory, so flows/audio/ may be absent in a clean clone.
  mkdirSync(path.join(dir, "audio"), { recursive: true });
  return dir;
}

describe("survey flow files", () => {
  it("the committed JSON Schema is the one generated from the zod schema (run npm run flows:schema)", () => {
    expect(readFileSync(path.join(DEFAULT_FLOWS_DIR, "flow.schema.json"), "utf8")).toBe(renderFlowJsonSchema());
  });

  it("loads the Swedish and English flows with the seven questions in order, under the same keys", () => {
    const flows = loadFlows();
    expect(flows.ids().sort()).toEqual(["nki-en", "nki-sv"]);
    for (const id of flows.ids()) {
      const f = flows.getFlow(id);
      expect(f.questions.map((q) => q.key)).toEqual(KEYS);
      expect(f.version).toMatch(/^[0-9a-f]{12}$/);
      expect(f.message).toMatchObject({ maxLengthSeconds: 120 });
      expect(readJson(`${id}.json`).$schema).toBe("./flow.schema.json");
    }
    const sv = flows.getFlow("nki-sv");
    expect(sv.greeting[0]).toMatchObject({ voice: "Polly.Astrid", language: "sv-SE" });
    expect(JSON.stringify(sv.greeting)).toContain("{organization}");
    expect(JSON.stringify(sv.greeting)).toContain("stjärna");
    expect(flows.getFlow("nki-en").greeting[0]).toMatchObject({ voice: "Polly.Joanna", language: "en-US" });
  });

  it("derives the version from the content: an edit makes a new version, reformatting does not", () => {
    const raw = readJson("nki-sv.json");
    const v = parseFlow(raw, "a").version;
    expect(parseFlow(JSON.parse(JSON.stringify(raw, null, 8)), "b").version).toBe(v);
    const { $schema: _s, ...withoutSchemaRef } = raw;
    expect(parseFlow(withoutSchemaRef, "c").version).toBe(v);
    const edited = structuredClone(raw);
    edited.questions[1].prompt[0].say = "Fråga 2. Hur nöjd är du med bemötandet?";
    expect(parseFlow(edited, "d").version).not.toBe(v);
  });

  it("refuses to start on an invalid flow, naming the file and the field", () => {
    const dir = tempFlowsDir();
    const broken = readJson("nki-sv.json");
    broken.questions[2].key = "bemotande";
    broken.questions[4].prompt[0].voice = "Astrid";
    writeFileSync(path.join(dir, "nki-sv.json"), JSON.stringify(broken));
    const message = (() => {
      try {
        loadFlows(dir);
      } catch (err) {
        return (err as Error).message;
      }
    })();
    expect(message).toContain(`Invalid survey flow ${path.join(dir, "nki-sv.json")}:`);
    expect(message).toContain('questions.2.key: duplicate question key "bemotande"');
    expect(message).toContain("questions.4.prompt.0.voice: expected a Twilio voice");
    writeFileSync(path.join(dir, "nki-sv.json"), "{ not json");
    expect(() => loadFlows(dir)).toThrow(/nki-sv\.json: not valid JSON/);
    writeFileSync(path.join(dir, "nki-sv.json"), JSON.stringify({ ...readJson("nki-sv.json"), id: "other" }));
    expect(() => loadFlows(dir)).toThrow(/nki-sv\.json:\n {2}id: "other" must equal the file name/);
    const playsMissing = readJson("nki-sv.json");
    playsMissing.thanks = [{ play: "audio/tack.wav" }];
    writeFileSync(path.join(dir, "nki-sv.json"), JSON.stringify(playsMissing));
    expect(() => loadFlows(dir)).toThrow(/nki-sv\.json:\n {2}play: "audio\/tack\.wav" does not exist/);
    writeFileSync(path.join(dir, "audio", "tack.wav"), Buffer.from("RIFF....WAVEfmt "));
    expect(loadFlows(dir).getFlow("nki-sv").thanks).toEqual([{ play: "audio/tack.wav" }]);
  });

  it("renders a recorded prompt as <Play> of a URL the service serves without a signature", async () => {
    const dir = tempFlowsDir();
    writeFileSync(path.join(dir, "audio", "halsning.wav"), Buffer.from("RIFF....WAVEfmt "));
    const raw = readJson("nki-sv.json");
    raw.greeting = [{ play: "audio/halsning.wav" }];
    const flow = parseFlow(raw, "x");
    const xml = renderTwiml([{ kind: "gather", step: "intro", try: 0, timeoutSeconds: 1, prompts: flow.greeting }], {
      baseUrl: "https://nki.example.test",
      surveyId: "s1",
      flowId: "nki-sv",
      organizationName: "X",
    });
    expect(parseTwiml(xml)[0].children).toEqual([
      { verb: "Play", attrs: {}, text: "https://nki.example.test/twilio/audio/halsning.wav", children: [] },
    ]);

    const ctx = {
      flows: fromFlows([flow], path.join(dir, "audio")),
      logger: createLogger("error", { silent: true }),
    } as unknown as AppContext;
    const app = express().use("/twilio", surveyWebhookRouter(ctx));
    const server = app.listen(0, "127.0.0.1");
    await new Promise((r) => server.once("listening", r));
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      const ok = await fetch(`${base}/twilio/audio/halsning.wav`);
      expect(ok.status).toBe(200);
      expect(ok.headers.get("content-type")).toMatch(/audio\/(wav|x-wav|wave)/);
      expect((await fetch(`${base}/twilio/audio/none.wav`)).status).toBe(404);
      expect((await fetch(`${base}/twilio/audio/..%2Fnki-sv.json`)).status).toBe(404);
    } finally {
      server.close();
    }
  });
});
