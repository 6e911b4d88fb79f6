import { readFile } from "node:fs/promises";
import path from "node:path";
import nock from "nock";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { readAll } from "../src/recordings/storage.js";
import { handleRecordingCallback, processDueVoiceMessages } from "../src/recordings/voice-messages.js";
import { createTestDatabase, type TestDatabase } from "./support/db.js";
import {
  createTestContext,
  startTestApp,
  TEST_ACCOUNT_SID,
  TEST_AUTH_TOKEN,
  type TestContext,
} from "./support/context.js";
import { signedPost } from "./support/twilio.js";
import { clearSurveys, createSurvey, events, sid } from "./support/dispatch-fixtures.js";

const T0 = "2026-11-24T09:00:00Z";
/** RECORDING_FORMAT defaults to mp3: the service asks Twilio for the `.mp3`. */
const media = (recordingSid: string) => `/2010-04-01/Accounts/${TEST_ACCOUNT_SID}/Recordings/${recordingSid}.mp3`;
const resource = (recordingSid: string) => `/2010-04-01/Accounts/${TEST_ACCOUNT_SID}/Recordings/${recordingSid}.json`;
const AUTH = { user: TEST_ACCOUNT_SID, pass: TEST_AUTH_TOKEN };
/** A tiny stand-in for Twilio's MP3 (frame sync, then filler). */
const MP3 = Buffer.concat([Buffer.from([0xff, 0xe3, 0x28, 0xc4]), Buffer.alloc(2048, 7)]);

describe("voice messages: download, store, delete at Twilio", () => {
  let db: TestDatabase;
  let ctx: TestContext;
  let app: Awaited<ReturnType<typeof startTestApp>>;
  const unmatched: string[] = [];
  const onNoMatch = (req: { method?: string; path?: string; href?: string; hostname?: string; host?: string }) => {
    const where = `${req.href ?? ""} ${req.hostname ?? req.host ?? ""}`;
    if (!where.includes("127.0.0.1")) unmatched.push(`${req.method} ${req.href ?? req.path}`);
  };
  const twilio = () => nock("https://api.twilio.com");

  async function inProgressSurvey() {
    const callSid = sid("CA");
    const s = await createSurvey(ctx, { state: "completed", callSid, claimedAt: new Date(T0) });
    return { ...s, callSid };
  }
  const recording = (surveyId: string, callSid: string, recordingSid: string, duration: number) =>
    signedPost(
      app.url,
      `/twilio/recording?surveyId=${surveyId}`,
      {
        AccountSid: TEST_ACCOUNT_SID,
        CallSid: callSid,
        RecordingSid: recordingSid,
        RecordingStatus: "completed",
        RecordingDuration: String(duration),
        RecordingChannels: "1",
        RecordingSource: "RecordVerb",
        // Never fetched: the media URL is built from configuration.
        RecordingUrl: `https://attacker.example/${recordingSid}`,
      },
      ctx,
    );

  beforeAll(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect("127.0.0.1");
    nock.emitter.on("no match", onNoMatch);
    db = await createTestDatabase();
    ctx = await createTestContext(db, { now: T0 });
    app = await startTestApp(ctx);
  });
  beforeEach(async () => {
    ctx.setNow(T0);
    unmatched.length = 0;
    await clearSurveys(ctx);
  });
  afterEach(() => {
    expect(nock.pendingMocks()).toEqual([]);
    expect(unmatched).toEqual([]);
    nock.cleanAll();
  });
  afterAll(async () => {
    nock.emitter.off("no match", onNoMatch);
    nock.enableNetConnect();
    await app?.close();
    await db?.close();
  });

  it("downloads with Basic auth from the configured API, stores the audio, then deletes Twilio's copy", async () => {
    const s = await inProgressSurvey();
    const re = sid("RE");
    const order: string[] = [];
    twilio()
      .get(media(re))
      .basicAuth(AUTH)
      .reply(
        200,
        () => {
          order.push("GET");
          return MP3;
        },
        { "Content-Type": "audio/mpeg" },
      );
    twilio()
      .delete(resource(re))
      .basicAuth(AUTH)
      .reply(204, () => {
        order.push("DELETE");
        return "";
      });

    const res = await recording(s.id, s.callSid, re, 14);
    expect(res.status).toBe(200);
    expect(order).toEqual(["GET", "DELETE"]);

    const vm = await ctx.prisma.voiceMessage.findUniqueOrThrow({ where: { recordingSid: re } });
    expect(vm).toMatchObject({
      surveyId: s.id,
      state: "stored",
      durationSeconds: 14,
      sizeBytes: MP3.length,
      contentType: "audio/mpeg",
      storageKey: `${ctx.organizationId}/${s.id}.mp3`,
      downloadAttempts: 1,
      lastError: null,
      nextDownloadAt: null,
      deletedAtTwilio: new Date(T0),
    });
    expect((await readAll(await ctx.storage.get(vm.storageKey!))).equals(MP3)).toBe(true);
    // Encrypted at rest: the file holds neither the audio nor its first bytes.
    const file = await readFile(path.join(ctx.config.DATA_DIR, "recordings", vm.storageKey!));
    expect(file.subarray(0, 4).toString("ascii")).toBe("NKIA");
    expect(file.includes(MP3.subarray(0, 64))).toBe(false);
    expect(ctx.published).toContainEqual({
      type: "voice-message.stored",
      organizationId: ctx.organizationId,
      surveyId: s.id,
      voiceMessageId: vm.id,
    });
    expect((await events(ctx, s.id)).map((e) => e.type)).toContain("recording-callback");
  });

  it("a failed download keeps Twilio's copy and retries with backoff until it succeeds; only then is Twilio's copy deleted", async () => {
    const s = await inProgressSurvey();
    const re = sid("RE");
    twilio().get(media(re)).reply(500, "oops");
    await recording(s.id, s.callSid, re, 30);
    let vm = await ctx.prisma.voiceMessage.findUniqueOrThrow({ where: { recordingSid: re } });
    expect(vm).toMatchObject({
      state: "pending",
      downloadAttempts: 1,
      lastError: "recording download answered HTTP 500",
      deletedAtTwilio: null,
    });
    const wait = vm.nextDownloadAt!.getTime() - new Date(T0).getTime();
    expect(wait).toBeGreaterThanOrEqual(30_000);
    expect(wait).toBeLessThanOrEqual(37_500);
    expect(ctx.logs.some((l) => l.message?.toString().startsWith("voice message download failed"))).toBe(true);

    expect(await processDueVoiceMessages(ctx)).toBe(0); // not due yet: no request at all

    ctx.setNow(vm.nextDownloadAt!);
    twilio().get(media(re)).replyWithError({ code: "ECONNRESET", message: "socket hang up" });
    await processDueVoiceMessages(ctx);
    vm = await ctx.prisma.voiceMessage.findUniqueOrThrow({ where: { recordingSid: re } });
    expect(vm).toMatchObject({ state: "pending", downloadAttempts: 2, deletedAtTwilio: null });

    ctx.setNow(vm.nextDownloadAt!);
    twilio().get(media(re)).basicAuth(AUTH).reply(200, MP3, { "Content-Type": "audio/mpeg" });
    twilio().delete(resource(re)).reply(204);
    expect(await processDueVoiceMessages(ctx)).toBe(1);
    vm = await ctx.prisma.voiceMessage.findUniqueOrThrow({ where: { recordingSid: re } });
    expect(vm).toMatchObject({
      state: "stored",
      downloadAttempts: 3,
      sizeBytes: MP3.length,
      lastError: null,
      nextDownloadAt: null,
    });
    expect(vm.deletedAtTwilio).toEqual(ctx.now());
  });

  it("a recording under 2 s is discarded without download, and still deleted at Twilio", async () => {
    const s = await inProgressSurvey();
    const re = sid("RE");
    twilio().delete(resource(re)).reply(204);
    await recording(s.id, s.callSid, re, 1);
    expect(await ctx.prisma.voiceMessage.findUniqueOrThrow({ where: { recordingSid: re } })).toMatchObject({
      state: "discarded",
      durationSeconds: 1,
      storageKey: null,
      deletedAtTwilio: new Date(T0),
    });
    expect(ctx.published.some((e) => e.type === "voice-message.stored" && e.surveyId === s.id)).toBe(false);
  });

  it("a replayed recording callback neither duplicates the message nor downloads again", async () => {
    const s = await inProgressSurvey();
    const re = sid("RE");
    twilio().get(media(re)).reply(200, MP3, { "Content-Type": "audio/mpeg" });
    twilio().delete(resource(re)).reply(204);
    await recording(s.id, s.callSid, re, 9);
    expect((await recording(s.id, s.callSid, re, 9)).status).toBe(200);
    expect(await ctx.prisma.voiceMessage.count({ where: { surveyId: s.id } })).toBe(1);
  });

  it("with DELETE_RECORDINGS_FROM_TWILIO off, Twilio's copy is left alone", async () => {
    const keep = { ...ctx, config: { ...ctx.config, DELETE_RECORDINGS_FROM_TWILIO: false } };
    const s = await inProgressSurvey();
    const re = sid("RE");
    twilio().get(media(re)).reply(200, MP3, { "Content-Type": "audio/mpeg" });
    expect(
      await handleRecordingCallback(keep, {
        surveyId: s.id,
        callSid: s.callSid,
        recordingSid: re,
        recordingStatus: "completed",
        durationSeconds: 5,
      }),
    ).toBe("stored");
    expect(await ctx.prisma.voiceMessage.findUniqueOrThrow({ where: { recordingSid: re } })).toMatchObject({
      state: "stored",
      deletedAtTwilio: null,
      nextDownloadAt: null,
    });
  });

  it("with RECORDING_FORMAT=wav, asks Twilio for the .wav and keeps it under a .wav key", async () => {
    const wav = { ...ctx, config: { ...ctx.config, RECORDING_FORMAT: "wav" as const } };
    const s = await inProgressSurvey();
    const re = sid("RE");
    const body = Buffer.concat([Buffer.from("RIFF\x24\x08\x00\x00WAVEfmt ", "binary"), Buffer.alloc(300, 3)]);
    twilio()
      .get(`/2010-04-01/Accounts/${TEST_ACCOUNT_SID}/Recordings/${re}.wav`)
      .reply(200, body, { "Content-Type": "audio/x-wav" });
    twilio().delete(resource(re)).reply(204);
    const cb = { surveyId: s.id, callSid: s.callSid, recordingSid: re, recordingStatus: "completed" };
    expect(await handleRecordingCallback(wav, { ...cb, durationSeconds: 5 })).toBe("stored");
    const vm = await ctx.prisma.voiceMessage.findUniqueOrThrow({ where: { recordingSid: re } });
    expect(vm).toMatchObject({ storageKey: `${ctx.organizationId}/${s.id}.wav`, contentType: "audio/x-wav" });
    expect((await readAll(await ctx.storage.get(vm.storageKey!))).equals(body)).toBe(true);
  });

  it("a recording for another call than the survey's is ignored", async () => {
    const s = await inProgressSurvey();
    expect((await recording(s.id, sid("CA"), sid("RE"), 20)).status).toBe(200);
    expect(await ctx.prisma.voiceMessage.count()).toBe(0);
  });
});
