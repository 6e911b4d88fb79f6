import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import nock from "nock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sessionCookieName } from "../src/auth/cookies.js";
import { sessionPolicy } from "../src/auth/middleware.js";
import { createSession } from "../src/auth/sessions.js";
import { createPrisma, sqlExecute, type Prisma } from "../src/lib/db.js";
import { loadConfig } from "../src/lib/config.js";
import { createRecordingStorage } from "../src/recordings/storage-factory.js";
import { generateVoiceMp3 } from "../src/telephony/simulator/mp3.js";
import { createUser } from "./review.fixtures.js";
import { createSurvey, sid } from "./support/dispatch-fixtures.js";
import { createTestContext, startTestApp, TEST_ACCOUNT_SID, type TestContext } from "./support/context.js";
import { createTestDatabase, type TestDatabase } from "./support/db.js";
import { signedPost } from "./support/twilio.js";

/**
 * Two service instances on one database, each with its own connection pool,
 * its own DATA_DIR and the same AUDIO_KEY, as behind a load balancer: the
 * recording callback lands on A, the enhetschef's player reaches B.
 */
describe("two instances share voice messages through the database", () => {
  const T0 = "2026-11-24T09:00:00Z";
  const AUDIO_KEY = randomBytes(32).toString("base64");
  /** About 70 s of the simulator's MP3: three 64 KiB chunks. */
  const MP3 = generateVoiceMp3(70);
  let db: TestDatabase;
  let prismaB: Prisma;
  let a: TestContext;
  let b: TestContext;
  let appA: Awaited<ReturnType<typeof startTestApp>>;
  let appB: Awaited<ReturnType<typeof startTestApp>>;

  function instance(ctx: TestContext, prisma: Prisma): TestContext {
    const dataDir = mkdtempSync(path.join(tmpdir(), "nki-instance-"));
    const config = loadConfig({
      NODE_ENV: "test",
      DATA_DIR: dataDir,
      DATABASE_URL: ctx.config.DATABASE_URL,
      PUBLIC_BASE_URL: ctx.config.PUBLIC_BASE_URL,
      AUDIO_KEY,
    });
    const { storage } = createRecordingStorage(config, { prisma, dataDir });
    return { ...ctx, config, prisma, storage };
  }

  beforeAll(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect("127.0.0.1");
    db = await createTestDatabase();
    const base = await createTestContext(db, { now: T0 });
    prismaB = createPrisma(db.url, 2);
    a = instance(base, db.prisma);
    b = instance(base, prismaB);
    expect(a.config.STORAGE).toBe("postgres");
    [appA, appB] = await Promise.all([startTestApp(a), startTestApp(b)]);
  });
  afterAll(async () => {
    nock.cleanAll();
    nock.enableNetConnect();
    await appA?.close();
    await appB?.close();
    await prismaB?.$disconnect();
    await db?.close();
  });

  it("a recording stored by A is played through B, whole and by Range, byte-exact", async () => {
    const callSid = sid("CA");
    const re = sid("RE");
    const s = await createSurvey(a, { state: "completed", callSid, claimedAt: new Date(T0) });
    const twilio = nock("https://api.twilio.com");
    twilio
      .get(`/2010-04-01/Accounts/${TEST_ACCOUNT_SID}/Recordings/${re}.mp3`)
      .reply(200, MP3, { "Content-Type": "audio/mpeg" });
    twilio.delete(`/2010-04-01/Accounts/${TEST_ACCOUNT_SID}/Recordings/${re}.json`).reply(204);
    const callback = await signedPost(
      appA.url,
      `/twilio/recording?surveyId=${s.id}`,
      {
        AccountSid: TEST_ACCOUNT_SID,
        CallSid: callSid,
        RecordingSid: re,
        RecordingStatus: "completed",
        RecordingDuration: "70",
      },
      a,
    );
    expect(callback.status).toBe(200);
    expect(nock.pendingMocks()).toEqual([]);
    const vm = await prismaB.voiceMessage.findUniqueOrThrow({ where: { recordingSid: re } });
    expect(vm).toMatchObject({ state: "stored", contentType: "audio/mpeg", sizeBytes: MP3.length });

    const manager = await createUser(prismaB, b.organizationId, "manager");
    const session = await createSession(prismaB, { userId: manager.id, now: b.now(), policy: sessionPolicy(b.config) });
    const get = (range?: string) =>
      fetch(`${appB.url}/queue/audio/${vm.id}`, {
        headers: { cookie: `${sessionCookieName(b.config)}=${session.id}`, ...(range ? { range } : {}) },
      });

    const whole = await get();
    expect(whole.status).toBe(200);
    expect(whole.headers.get("content-type")).toBe("audio/mpeg");
    expect(Buffer.from(await whole.arrayBuffer()).equals(MP3)).toBe(true);

    const C = 64 * 1024;
    const part = await get(`bytes=${C - 10}-${2 * C + 10}`);
    expect(part.status).toBe(206);
    expect(part.headers.get("content-range")).toBe(`bytes ${C - 10}-${2 * C + 10}/${MP3.length}`);
    expect(Buffer.from(await part.arrayBuffer()).equals(MP3.subarray(C - 10, 2 * C + 11))).toBe(true);

    // What B serves is decrypted on read: the rows hold no audio.
    const rows = await prismaB.audioChunk.findMany({ select: { data: true } });
    expect(rows.some((r) => Buffer.from(r.data).includes(MP3.subarray(1000, 1064)))).toBe(false);

    // A chunk changed in the database is refused with a clean error, not played or half-sent.
    await sqlExecute(
      prismaB,
      `UPDATE "AudioChunk" SET data = set_byte(data, 100, get_byte(data, 100) # 1)
        WHERE idx = 0 AND "objectId" = (SELECT "objectId" FROM "AudioObject" WHERE key = $1)`,
      [vm.storageKey],
    );
    const tampered = await get("bytes=0-99");
    expect(tampered.status).toBe(500);
    expect(((await tampered.json()) as { error: { code: string } }).error.code).toBe("internal");
    expect(b.logs.some((l) => l.message === "voice message audio failed decryption")).toBe(true);
  });

  it("each instance's storage answers its readiness probe", async () => {
    await expect(a.storage.probe()).resolves.toBeUndefined();
    await expect(b.storage.probe()).resolves.toBeUndefined();
  });
});
