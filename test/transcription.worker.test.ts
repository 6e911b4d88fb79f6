import nock from "nock";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { applySettingsOverrides } from "../src/organizations/service.js";
import { createHttpTranscriber } from "../src/transcription/transcriber.js";
import { runTranscriptionTick, transcribeNext } from "../src/transcription/worker.js";
import { MAX_ATTEMPTS } from "../src/transcription/rules.js";
import { createTestDatabase, type TestDatabase } from "./support/db.js";
import { createTestContext, type TestContext } from "./support/context.js";
import { createVoiceMessage, makeWav } from "./review.fixtures.js";

const T0 = "2026-11-24T09:00:00Z";
const ASR = "http://asr.kommun.test:8000";
const PATH = "/v1/audio/transcriptions";
const MODEL = "KBLab/kb-whisper-small";

/** The multipart body nock saw, parsed back by the platform's own parser. */
async function parseMultipart(body: unknown, contentType: string): Promise<FormData> {
  const raw =
    typeof body === "string" && /^[0-9a-f]+$/.test(body) && body.length % 2 === 0
      ? Buffer.from(body, "hex")
      : Buffer.from(typeof body === "string" ? body : JSON.stringify(body), "binary");
  return new Response(new Uint8Array(raw), { headers: { "content-type": contentType } }).formData();
}

const verbose = (text: string, extra: Record<string, unknown> = {}) => ({
  task: "transcribe",
  language: "swedish",
  duration: 6.2,
  text,
  segments: [{ id: 0, seek: 0, start: 0, end: 6.2, text: ` ${text}`, avg_logprob: -0.25, no_speech_prob: 0.01 }],
  ...extra,
});

describe("transcription job against an OpenAI-compatible server", () => {
  let db: TestDatabase;
  let ctx: TestContext;
  const unmatched: string[] = [];
  const onNoMatch = (req: { method?: string; href?: string; path?: string }) =>
    unmatched.push(`${req.method} ${req.href ?? req.path}`);
  const asr = () => nock(ASR);

  beforeAll(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect("127.0.0.1");
    nock.emitter.on("no match", onNoMatch);
    db = await createTestDatabase();
    ctx = await createTestContext(db, {
      now: T0,
      env: { TRANSCRIPTION_URL: ASR, TRANSCRIPTION_MODEL: MODEL, TRANSCRIPTION_TIMEOUT_SECONDS: "1" },
    });
    ctx.transcriber = createHttpTranscriber({ url: ASR, model: MODEL, apiKey: "asr-secret", timeoutMs: 1000 });
  });
  beforeEach(async () => {
    ctx.setNow(T0);
    unmatched.length = 0;
    await db.prisma.completedCall.deleteMany({ where: { organizationId: ctx.organizationId } });
    await applySettingsOverrides(db.prisma, ctx.organizationId, { transcriptKeepIdentifiers: false });
  });
  afterEach(() => {
    expect(nock.pendingMocks()).toEqual([]);
    expect(unmatched).toEqual([]);
    nock.cleanAll();
  });
  afterAll(async () => {
    nock.emitter.off("no match", onNoMatch);
    nock.enableNetConnect();
    await db?.close();
  });

  const message = (durationSeconds = 12, audio = makeWav(1)) =>
    createVoiceMessage(db.prisma, {
      organizationId: ctx.organizationId,
      recordedAt: "2026-11-24T08:30:00Z",
      storage: ctx.storage,
      audio,
      durationSeconds,
    });
  const transcriptOf = (voiceMessageId: string) => db.prisma.transcript.findUnique({ where: { voiceMessageId } });

  it("posts the stored audio as multipart (file, model, language, verbose_json) and stores the text with identifiers masked", async () => {
    const audio = makeWav(1);
    const { vm } = await message(12, audio);
    let seen: { form: FormData; auth: string | undefined } | undefined;
    asr()
      .post(PATH)
      .reply(async function (_uri, body) {
        const form = await parseMultipart(body, String(this.req.headers["content-type"]));
        seen = { form, auth: this.req.headers.authorization };
        return [
          200,
          {
            text: "Snöröjningen är dålig. Mitt personnummer är 811218-9876, ring 070-174 06 05.",
            language: "swedish",
            segments: [
              { start: 0, end: 2.1, text: " Snöröjningen är dålig.", avg_logprob: -0.1 },
              {
                start: 2.1,
                end: 7.9,
                text: " Mitt personnummer är 811218-9876, ring 070-174 06 05.",
                avg_logprob: -0.6,
              },
            ],
            words: [
              { word: "Snöröjningen", start: 0, end: 0.9, probability: 0.95 },
              { word: "är", start: 0.9, end: 1.1, probability: 0.99 },
              { word: "dålig.", start: 1.1, end: 2.0, probability: 0.41 },
              { word: "811218-9876", start: 3.5, end: 5.0, probability: 0.8 },
            ],
          },
        ];
      });

    expect(await runTranscriptionTick(ctx)).toBe(1);

    const form = seen!.form;
    expect([...(form as unknown as Iterable<[string, unknown]>)].map(([k]) => k)).toEqual([
      "file",
      "model",
      "language",
      "response_format",
      "timestamp_granularities[]",
      "timestamp_granularities[]",
    ]);
    const file = form.get("file") as File;
    expect(file.name).toBe(`${vm.id}.wav`);
    expect(file.type).toBe("audio/wav");
    expect(Buffer.from(await file.arrayBuffer()).equals(audio)).toBe(true);
    expect(form.get("model")).toBe(MODEL);
    expect(form.get("language")).toBe("sv");
    expect(form.get("response_format")).toBe("verbose_json");
    expect(form.getAll("timestamp_granularities[]")).toEqual(["segment", "word"]);
    expect(seen!.auth).toBe("Bearer asr-secret");

    const t = await transcriptOf(vm.id);
    expect(t).toMatchObject({
      status: "done",
      text: "Snöröjningen är dålig. Mitt personnummer är [personnummer], ring [telefonnummer].",
      masked: true,
      model: MODEL,
      attempts: 1,
      claimedUntil: null,
      lastError: null,
    });
    const segments = t!.segments as { text: string; confidence?: number; words?: { word: string }[] }[];
    expect(segments[0].words!.map((w) => w.word)).toEqual(["Snöröjningen", "är", "dålig."]);
    expect(segments[0].confidence).toBeCloseTo(Math.exp(-0.1));
    // The words of a masked segment would spell out the number again: dropped.
    expect(segments[1]).toEqual({
      start: 2.1,
      end: 7.9,
      text: "Mitt personnummer är [personnummer], ring [telefonnummer].",
      confidence: Math.exp(-0.6),
    });
    expect(JSON.stringify(t)).not.toContain("9876");
    expect(JSON.stringify(ctx.logs)).not.toContain("9876");
  });

  it("keeps identifiers when the organization says so", async () => {
    await applySettingsOverrides(db.prisma, ctx.organizationId, { transcriptKeepIdentifiers: true });
    const { vm } = await message();
    asr().post(PATH).reply(200, verbose("Ring mig på 070-174 06 05."));
    await runTranscriptionTick(ctx);
    expect(await transcriptOf(vm.id)).toMatchObject({
      status: "done",
      text: "Ring mig på 070-174 06 05.",
      masked: false,
    });
  });

  it("skips a message too short to transcribe without asking the server", async () => {
    const { vm } = await message(2);
    expect(await runTranscriptionTick(ctx)).toBe(0);
    expect(await transcriptOf(vm.id)).toMatchObject({ status: "skipped", lastError: "shorter than 3 s", attempts: 0 });
  });

  it("retries a 5xx with backoff, then stores the text", async () => {
    const { vm } = await message();
    asr().post(PATH).reply(503, "model loading");
    expect(await transcribeNextAfterEnqueue()).toBe("retry");
    const t1 = await transcriptOf(vm.id);
    expect(t1).toMatchObject({
      status: "pending",
      attempts: 1,
      lastError: "HTTP 503: model loading",
      claimedUntil: null,
    });
    const wait = t1!.nextAttemptAt!.getTime() - new Date(T0).getTime();
    expect(wait).toBeGreaterThanOrEqual(24_000);
    expect(wait).toBeLessThanOrEqual(36_000);
    // Not due yet: nothing is claimed.
    expect(await transcribeNext(ctx, ctx.transcriber!)).toBe("idle");

    ctx.setNow(t1!.nextAttemptAt!);
    asr().post(PATH).reply(200, verbose("Tack för hjälpen med bygglovet."));
    expect(await transcribeNext(ctx, ctx.transcriber!)).toBe("done");
    expect(await transcriptOf(vm.id)).toMatchObject({ status: "done", attempts: 2, lastError: null });
  });

  it("retries when the server does not answer within the timeout", async () => {
    const { vm } = await message();
    asr().post(PATH).delay(1_500).reply(200, verbose("för sent"));
    expect(await transcribeNextAfterEnqueue()).toBe("retry");
    expect(await transcriptOf(vm.id)).toMatchObject({ status: "pending", lastError: "no answer within 1 s" });
  });

  it("retries an answer that is not JSON, and one without a text", async () => {
    const { vm } = await message();
    asr().post(PATH).reply(200, "<html>Bad gateway</html>", { "content-type": "text/html" });
    expect(await transcribeNextAfterEnqueue()).toBe("retry");
    expect((await transcriptOf(vm.id))!.lastError).toBe("the answer is not JSON: <html>Bad gateway</html>");

    ctx.setNow(new Date(new Date(T0).getTime() + 3_600_000));
    asr().post(PATH).reply(200, { transcription: "fel fält" });
    expect(await transcribeNext(ctx, ctx.transcriber!)).toBe("retry");
    expect(await transcriptOf(vm.id)).toMatchObject({ status: "pending", lastError: "the answer has no text field" });
  });

  it("marks an empty text as skipped (no speech recognised)", async () => {
    const { vm } = await message();
    asr().post(PATH).reply(200, { text: "  ", segments: [] });
    expect(await transcribeNextAfterEnqueue()).toBe("skipped");
    expect(await transcriptOf(vm.id)).toMatchObject({
      status: "skipped",
      text: null,
      lastError: "no speech recognised",
    });
  });

  it("fails at once on a 4xx that waiting will not fix", async () => {
    const { vm } = await message();
    asr()
      .post(PATH)
      .reply(401, { error: { message: "invalid api key" } });
    expect(await transcribeNextAfterEnqueue()).toBe("failed");
    expect(await transcriptOf(vm.id)).toMatchObject({
      status: "failed",
      lastError: 'HTTP 401: {"error":{"message":"invalid api key"}}',
      nextAttemptAt: null,
    });
  });

  it(`gives up after ${MAX_ATTEMPTS} failed attempts, keeping the reason`, async () => {
    const { vm } = await message();
    let now = new Date(T0).getTime();
    for (let i = 1; i <= MAX_ATTEMPTS; i++) {
      asr().post(PATH).reply(500, "out of memory");
      expect(await (i === 1 ? transcribeNextAfterEnqueue() : transcribeNext(ctx, ctx.transcriber!))).toBe(
        i === MAX_ATTEMPTS ? "failed" : "retry",
      );
      now += 7 * 3_600_000;
      ctx.setNow(new Date(now));
    }
    expect(await transcriptOf(vm.id)).toMatchObject({
      status: "failed",
      attempts: MAX_ATTEMPTS,
      lastError: `gave up after ${MAX_ATTEMPTS} attempts: HTTP 500: out of memory`,
    });
  });

  it("falls back to plain json when the server refuses verbose_json", async () => {
    const { vm } = await message();
    const formats: string[] = [];
    const capture = async (body: unknown, headers: Record<string, unknown>) =>
      formats.push(String((await parseMultipart(body, String(headers["content-type"]))).get("response_format")));
    asr()
      .post(PATH)
      .reply(async function (_u, body) {
        await capture(body, this.req.headers);
        return [400, { error: "response_format verbose_json is not supported" }];
      })
      .post(PATH)
      .reply(async function (_u, body) {
        await capture(body, this.req.headers);
        return [200, { text: "Bra bemötande." }];
      });
    expect(await transcribeNextAfterEnqueue()).toBe("done");
    expect(formats).toEqual(["verbose_json", "json"]);
    expect(await transcriptOf(vm.id)).toMatchObject({ status: "done", text: "Bra bemötande.", segments: [] });
  });

  it("drops the text of a message deleted while its transcription runs", async () => {
    const { vm, call } = await message();
    asr()
      .post(PATH)
      .reply(async () => {
        await db.prisma.completedCall.delete({ where: { id: call.id } });
        return [200, verbose("Min adress är Storgatan 12.")];
      });
    expect(await transcribeNextAfterEnqueue()).toBe("gone");
    expect(await db.prisma.voiceMessage.count({ where: { id: vm.id } })).toBe(0);
    expect(await db.prisma.transcript.count({ where: { voiceMessageId: vm.id } })).toBe(0);
  });

  it("stores no text for a message whose audio was purged while its transcription ran", async () => {
    const { vm } = await message();
    asr()
      .post(PATH)
      .reply(async () => {
        await db.prisma.voiceMessage.update({ where: { id: vm.id }, data: { state: "purged", storageKey: null } });
        return [200, verbose("Tack så mycket.")];
      });
    expect(await transcribeNextAfterEnqueue()).toBe("gone");
    expect(await transcriptOf(vm.id)).toMatchObject({ text: null });
  });

  it("two workers never transcribe the same message", async () => {
    const { vm } = await message();
    asr().post(PATH).delay(100).reply(200, verbose("En gång."));
    await enqueue();
    const results = await Promise.all([
      transcribeNext(ctx, ctx.transcriber!),
      transcribeNext(ctx, ctx.transcriber!),
      transcribeNext(ctx, ctx.transcriber!),
    ]);
    expect(results.sort()).toEqual(["done", "idle", "idle"]);
    expect(await transcriptOf(vm.id)).toMatchObject({ status: "done", attempts: 1 });
  });

  async function enqueue() {
    const { enqueueStoredMessages } = await import("../src/transcription/repository.js");
    await enqueueStoredMessages(db.prisma, ctx.now(), 100);
  }
  async function transcribeNextAfterEnqueue() {
    await enqueue();
    return transcribeNext(ctx, ctx.transcriber!);
  }
});
