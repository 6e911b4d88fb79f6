import { existsSync } from "node:fs";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "../src/lib/errors.js";
import { ensureAgent, ensureGroup, ensureOrganization } from "../src/organizations/service.js";
import { forgetNumber } from "../src/retention/forget.js";
import { callerHashCutoff, dataCutoff, INBOUND_SMS_RETENTION_DAYS, monthsBefore } from "../src/retention/rules.js";
import {
  anonymiseCallerHashes,
  deleteExpiredCalls,
  eraseStaleCiphertexts,
  forgetInboundSms,
  purgeReviewedAudio,
} from "../src/retention/service.js";
import { handleInboundSms } from "../src/sms/inbound.js";
import { retentionJobs } from "../src/retention/jobs.js";
import { createTestDatabase, type TestDatabase } from "./support/db.js";
import { createTestContext, type TestContext } from "./support/context.js";
import { createVoiceMessage, makeWav } from "./review.fixtures.js";

describe("retention periods", () => {
  it("counts months on the calendar, clamping to the month's last day", () => {
    expect(monthsBefore(new Date("2025-03-31T10:00:00Z"), 1).toISOString()).toBe("2025-02-28T10:00:00.000Z");
    expect(dataCutoff(new Date("2025-03-01T00:00:00Z"), 25).toISOString()).toBe("2023-02-01T00:00:00.000Z");
  });

  it("keeps caller hashes four months, but never shorter than the repeat window", () => {
    const now = new Date("2025-06-15T00:00:00Z");
    expect(callerHashCutoff(now, 30).toISOString()).toBe("2025-02-15T00:00:00.000Z");
    expect(callerHashCutoff(now, 200).toISOString()).toBe(new Date(now.getTime() - 201 * 86_400_000).toISOString());
  });
});

describe("retention jobs", () => {
  let db: TestDatabase;
  let ctx: TestContext;
  const file = (key: string) => path.join(ctx.config.DATA_DIR, "recordings", key);

  beforeAll(async () => {
    db = await createTestDatabase();
    ctx = await createTestContext(db, { now: "2025-04-01T00:00:00Z" });
  });
  afterAll(async () => {
    await db?.close();
  });

  it("registers an hourly audio job and a nightly job", () => {
    expect(retentionJobs.map((j) => [j.id, j.schedule])).toEqual([
      ["retention.audio", "0 17 * * * *"],
      ["retention.nightly", "0 40 3 * * *"],
    ]);
  });

  it("deletes audio 90 days after review, keeps the classification, and leaves unreviewed messages alone", async () => {
    const org = ctx.organizationId;
    const reviewed = await createVoiceMessage(db.prisma, {
      organizationId: org,
      recordedAt: "2024-12-30T10:00:00Z",
      storage: ctx.storage,
      audio: makeWav(0.2),
      review: {
        classification: "berom",
        reviewedAt: new Date("2025-01-02T12:00:00Z"),
        registeredAt: new Date("2025-01-02T12:00:00Z"),
        caseReference: "FX-7",
      },
    });
    const unreviewed = await createVoiceMessage(db.prisma, {
      organizationId: org,
      recordedAt: "2024-12-30T11:00:00Z",
      storage: ctx.storage,
    });
    const key = reviewed.vm.storageKey!;
    expect(existsSync(file(key))).toBe(true);

    ctx.setNow("2025-04-01T11:59:00Z"); // 89 days 23:59 after review
    expect(await purgeReviewedAudio(ctx)).toBe(0);
    ctx.setNow("2025-04-02T12:00:01Z");
    expect(await purgeReviewedAudio(ctx)).toBe(1);

    const row = await db.prisma.voiceMessage.findUniqueOrThrow({ where: { id: reviewed.vm.id } });
    expect(row).toMatchObject({ state: "purged", storageKey: null, classification: "berom", caseReference: "FX-7" });
    expect(row.audioPurgedAt?.toISOString()).toBe("2025-04-02T12:00:01.000Z");
    expect(existsSync(file(key))).toBe(false);
    expect((await db.prisma.voiceMessage.findUniqueOrThrow({ where: { id: unreviewed.vm.id } })).state).toBe("stored");
    expect(existsSync(file(unreviewed.vm.storageKey!))).toBe(true);
    const log = await db.prisma.auditEvent.findFirstOrThrow({
      where: { organizationId: org, action: "retention.audio-purged" },
    });
    expect(log.detail).toMatchObject({ count: 1 });
    // A second run finds nothing more.
    expect(await purgeReviewedAudio(ctx)).toBe(0);
  });

  it("follows an organization's own audio retention setting", async () => {
    const other = await ensureOrganization(db.prisma, {
      slug: "kort-gallring",
      name: "Kort gallring",
      timeZone: "Europe/Stockholm",
      settings: { audioRetentionDaysAfterReview: 7 },
    });
    const m = await createVoiceMessage(db.prisma, {
      organizationId: other.id,
      recordedAt: "2025-03-20T10:00:00Z",
      storage: ctx.storage,
      review: { classification: "inget", reviewedAt: new Date("2025-03-25T10:00:00Z") },
    });
    ctx.setNow("2025-04-02T12:00:00Z");
    expect(await purgeReviewedAudio(ctx)).toBe(1);
    expect((await db.prisma.voiceMessage.findUniqueOrThrow({ where: { id: m.vm.id } })).state).toBe("purged");
  });

  it("deletes calls, surveys, answers and voice messages after 25 months, keeping younger ones and the daily rollups", async () => {
    const org = ctx.organizationId;
    const old = await createVoiceMessage(db.prisma, {
      organizationId: org,
      recordedAt: "2023-01-10T10:00:00Z",
      storage: ctx.storage,
    });
    const young = await createVoiceMessage(db.prisma, { organizationId: org, recordedAt: "2023-03-10T10:00:00Z" });
    await db.prisma.answerDaily.create({
      data: {
        organizationId: org,
        day: new Date("2023-01-10"),
        groupId: old.group.id,
        agentId: old.agent.id,
        questionKey: "q1",
        n: 1,
        sum: 4,
        sumSq: 16,
        c4: 1,
      },
    });
    ctx.setNow("2025-03-01T04:00:00Z");
    expect(await deleteExpiredCalls(ctx)).toBe(1);
    expect(await db.prisma.completedCall.findUnique({ where: { id: old.call.id } })).toBeNull();
    expect(await db.prisma.surveyCall.findUnique({ where: { id: old.survey.id } })).toBeNull();
    expect(await db.prisma.answer.count({ where: { surveyId: old.survey.id } })).toBe(0);
    expect(await db.prisma.voiceMessage.findUnique({ where: { id: old.vm.id } })).toBeNull();
    expect(existsSync(file(old.vm.storageKey!))).toBe(false);
    expect(await db.prisma.completedCall.findUnique({ where: { id: young.call.id } })).not.toBeNull();
    expect(await db.prisma.answer.count({ where: { surveyId: young.survey.id } })).toBe(2);
    expect(await db.prisma.answerDaily.count({ where: { organizationId: org, day: new Date("2023-01-10") } })).toBe(1);
  });

  it("nulls caller hashes after four months and keeps opt-outs", async () => {
    const org = ctx.organizationId;
    const fiveMonths = await createVoiceMessage(db.prisma, {
      organizationId: org,
      recordedAt: "2024-11-01T10:00:00Z",
      callerHash: "hash-old",
    });
    const threeMonths = await createVoiceMessage(db.prisma, {
      organizationId: org,
      recordedAt: "2025-01-05T10:00:00Z",
      callerHash: "hash-recent",
    });
    await db.prisma.optOut.create({ data: { organizationId: org, numberHash: "hash-old", source: "keypad" } });
    ctx.setNow("2025-04-02T04:00:00Z");
    expect(await anonymiseCallerHashes(ctx)).toBeGreaterThanOrEqual(1);
    expect(
      (await db.prisma.completedCall.findUniqueOrThrow({ where: { id: fiveMonths.call.id } })).callerHash,
    ).toBeNull();
    expect((await db.prisma.completedCall.findUniqueOrThrow({ where: { id: threeMonths.call.id } })).callerHash).toBe(
      "hash-recent",
    );
    expect(await db.prisma.optOut.count({ where: { numberHash: "hash-old" } })).toBe(1);
  });

  it("erases numbers left behind by ended, skipped and stuck calls, but not by a survey still waiting", async () => {
    const org = ctx.organizationId;
    ctx.setNow("2025-04-10T12:00:00Z");
    const group = await ensureGroup(db.prisma, org, "val1");
    const agent = await ensureAgent(db.prisma, org, "a-100");
    const enc = new Uint8Array(ctx.numbers.encrypt("+46701110000"));
    const call = async (receivedAt: string, survey?: { state: "scheduled" | "completed"; expiresAt: string }) => {
      const c = await db.prisma.completedCall.create({
        data: {
          organizationId: org,
          externalCallId: randomUUID(),
          agentId: agent.id,
          groupId: group.id,
          queueSeconds: 1,
          talkSeconds: 60,
          startedAt: new Date(receivedAt),
          endedAt: new Date(receivedAt),
          receivedAt: new Date(receivedAt),
          decision: survey ? "scheduled" : "skipped",
          callerNumberEnc: enc,
        },
      });
      if (survey) {
        await db.prisma.surveyCall.create({
          data: {
            organizationId: org,
            completedCallId: c.id,
            groupId: group.id,
            agentId: agent.id,
            state: survey.state,
            expiresAt: new Date(survey.expiresAt),
            flowId: "nki-sv",
          },
        });
      }
      return c.id;
    };
    const ended = await call("2025-04-10T11:00:00Z", { state: "completed", expiresAt: "2025-04-10T15:00:00Z" });
    const waiting = await call("2025-04-10T11:30:00Z", { state: "scheduled", expiresAt: "2025-04-10T15:30:00Z" });
    const stuck = await call("2025-04-08T09:00:00Z", { state: "scheduled", expiresAt: "2025-04-08T13:00:00Z" });
    const skippedOld = await call("2025-04-08T09:00:00Z");
    const skippedNow = await call("2025-04-10T11:59:00Z");
    expect(await eraseStaleCiphertexts(ctx)).toBe(3);
    const enc0 = async (id: string) =>
      (await db.prisma.completedCall.findUniqueOrThrow({ where: { id } })).callerNumberEnc;
    expect(await enc0(ended)).toBeNull();
    expect(await enc0(stuck)).toBeNull();
    expect(await enc0(skippedOld)).toBeNull();
    expect(await enc0(waiting)).not.toBeNull();
    expect(await enc0(skippedNow)).not.toBeNull();
  });
});

describe("inbound SMS", () => {
  let db: TestDatabase;
  let ctx: TestContext;
  beforeAll(async () => {
    db = await createTestDatabase();
    ctx = await createTestContext(db, { now: "2025-04-01T00:00:00Z" });
  });
  afterAll(async () => {
    await db?.close();
  });

  it(`forgets them after ${INBOUND_SMS_RETENTION_DAYS} days, and within that time a replay still does nothing`, async () => {
    const start = ctx.now().getTime();
    const day = 86_400_000;
    const from = "+46701234568";
    // Through the webhook's own handler, so the rows are what production writes.
    ctx.setNow(new Date(start));
    await handleInboundSms(ctx, { messageSid: "SMold", from, body: "STOPP" });
    ctx.setNow(new Date(start + 10 * day));
    await handleInboundSms(ctx, { messageSid: "SMyoung", from, body: "Tack!" });
    ctx.setNow(new Date(start + (INBOUND_SMS_RETENTION_DAYS + 5) * day));
    // 35 and 25 days old: the first goes, the second stays.
    expect(await forgetInboundSms(ctx)).toBe(1);
    const left = await db.prisma.inboundSms.findMany({ select: { messageSid: true } });
    expect(left.map((r) => r.messageSid)).toEqual(["SMyoung"]);
    expect(ctx.logs.some((l) => l.message === "inbound SMS past retention forgotten" && l.count === 1)).toBe(true);
    const replay = await handleInboundSms(ctx, { messageSid: "SMyoung", from, body: "Tack!" });
    expect(replay.duplicate).toBe(true);
    expect(await forgetInboundSms(ctx)).toBe(0);
    // The opt-out the old STOPP made outlives its message.
    expect(await db.prisma.optOut.count({ where: { organizationId: ctx.organizationId } })).toBe(1);
  });
});

describe("forgetting one number on request", () => {
  let db: TestDatabase;
  let ctx: TestContext;

  beforeAll(async () => {
    db = await createTestDatabase();
    ctx = await createTestContext(db, { now: "2025-04-02T10:00:00Z" });
  });
  afterAll(async () => {
    await db?.close();
  });

  it("erases the number's hashes and ciphertexts, deletes its audio, cancels a waiting survey and keeps the opt-out", async () => {
    const org = ctx.organizationId;
    const number = "+46701234567";
    const hash = ctx.numbers.hash(number);
    const reviewed = await createVoiceMessage(db.prisma, {
      organizationId: org,
      recordedAt: "2025-03-20T10:00:00Z",
      storage: ctx.storage,
      callerHash: hash,
      review: {
        classification: "klagomal",
        reviewedAt: new Date("2025-03-21T10:00:00Z"),
        registeredAt: new Date("2025-03-21T10:00:00Z"),
        caseReference: "FX-9",
      },
    });
    const someoneElse = await createVoiceMessage(db.prisma, {
      organizationId: org,
      recordedAt: "2025-03-20T11:00:00Z",
      storage: ctx.storage,
      callerHash: ctx.numbers.hash("+46709999999"),
    });
    // A survey waiting to call the number carries only the ciphertext here.
    const waiting = await createVoiceMessage(db.prisma, {
      organizationId: org,
      recordedAt: "2025-04-02T09:55:00Z",
      callerNumberEnc: ctx.numbers.encrypt(number),
    });
    await db.prisma.surveyCall.update({ where: { id: waiting.survey.id }, data: { state: "scheduled" } });
    await db.prisma.optOut.create({ data: { organizationId: org, numberHash: hash, source: "keypad" } });

    const r = await forgetNumber(ctx, { number: "070-123 45 67" });
    expect(r).toEqual({ calls: 2, surveysCanceled: 1, voiceMessages: 2, optOut: "kept" });

    const call = await db.prisma.completedCall.findUniqueOrThrow({ where: { id: reviewed.call.id } });
    expect(call.callerHash).toBeNull();
    expect(call.callerNumberEnc).toBeNull();
    expect(
      (await db.prisma.completedCall.findUniqueOrThrow({ where: { id: waiting.call.id } })).callerNumberEnc,
    ).toBeNull();
    expect((await db.prisma.surveyCall.findUniqueOrThrow({ where: { id: waiting.survey.id } })).state).toBe("canceled");
    const vm = await db.prisma.voiceMessage.findUniqueOrThrow({ where: { id: reviewed.vm.id } });
    expect(vm).toMatchObject({ state: "purged", classification: "klagomal", caseReference: "FX-9" });
    expect(existsSync(path.join(ctx.config.DATA_DIR, "recordings", reviewed.vm.storageKey!))).toBe(false);
    expect(await db.prisma.answer.count({ where: { surveyId: reviewed.survey.id } })).toBe(2);
    // Another citizen's call is untouched.
    expect((await db.prisma.voiceMessage.findUniqueOrThrow({ where: { id: someoneElse.vm.id } })).state).toBe("stored");
    expect(await db.prisma.optOut.count({ where: { numberHash: hash } })).toBe(1);
    const log = await db.prisma.auditEvent.findFirstOrThrow({
      where: { organizationId: org, action: "number.forgotten" },
    });
    expect(log.detail).toMatchObject({ calls: 2, optOut: "kept" });
    expect(JSON.stringify(log.detail)).not.toContain(hash);
    expect(JSON.stringify(ctx.logs)).not.toContain(number);
  });

  it("removes the opt-out only when asked to", async () => {
    const hash = ctx.numbers.hash("+46705550000");
    await db.prisma.optOut.create({ data: { organizationId: ctx.organizationId, numberHash: hash, source: "api" } });
    const r = await forgetNumber(ctx, { number: "+46 70 555 00 00", removeOptOut: true });
    expect(r.optOut).toBe("removed");
    expect(await db.prisma.optOut.count({ where: { numberHash: hash } })).toBe(0);
  });

  it("rejects something that is not a phone number, naming the field", async () => {
    const err = await forgetNumber(ctx, { number: "hej" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).details?.[0]?.field).toBe("number");
  });
});
