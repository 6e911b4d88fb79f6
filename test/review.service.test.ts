import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "../src/lib/errors.js";
import { getWeekCounts, getWeekQueue, nextUnreviewed, type Actor } from "../src/review/service.js";
import { updateReview } from "../src/review/actions.js";
import { ensureOrganization } from "../src/organizations/service.js";
import { createTestDatabase, type TestDatabase } from "./support/db.js";
import { createTestContext, type TestContext } from "./support/context.js";
import { createUser, createVoiceMessage } from "./review.fixtures.js";

async function rejection(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error("expected a rejection");
}

describe("the weekly listening queue", () => {
  let db: TestDatabase;
  let ctx: TestContext;
  let manager: Actor;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    db = await createTestDatabase();
    // Wednesday of 2025-W14, the week after clocks went forward.
    ctx = await createTestContext(db, { now: "2025-04-02T10:00:00Z" });
    const u = await createUser(db.prisma, ctx.organizationId, "manager");
    manager = { id: u.id, organizationId: ctx.organizationId, role: "manager" };
    const org = ctx.organizationId;
    const mk = async (
      name: string,
      at: string,
      extra: Parameters<typeof createVoiceMessage>[1]["review"] = undefined,
      scores?: Record<string, number>,
    ) => {
      ids[name] = (
        await createVoiceMessage(db.prisma, { organizationId: org, recordedAt: at, review: extra, scores })
      ).vm.id;
    };
    await mk("w12-sunday-late", "2025-03-23T22:30:00Z"); // Sun 23 Mar 23:30 CET: W12, unreviewed
    await mk("w13-monday-early", "2025-03-23T23:30:00Z"); // Mon 24 Mar 00:30 CET: W13
    await mk("w13-sunday-late", "2025-03-30T21:30:00Z", {
      classification: "inget",
      reviewedAt: new Date("2025-03-31T08:00:00Z"),
    }); // Sun 30 Mar 23:30 CEST
    await mk("w14-monday-early", "2025-03-30T22:30:00Z", undefined, { q1: 2, q2: 1, q3: 3 }); // Mon 31 Mar 00:30 CEST
    await mk("w14-reviewed", "2025-03-31T09:00:00Z", {
      classification: "fraga",
      reviewedAt: new Date("2025-03-31T10:00:00Z"),
    });
    await mk("w14-later", "2025-04-01T12:00:00Z");
    await mk("w15", "2025-04-07T08:00:00Z");
  });
  afterAll(async () => {
    await db?.close();
  });

  it("defaults to the current week and carries earlier unreviewed messages, marked, ahead of the week's own", async () => {
    const q = await getWeekQueue(ctx, manager, {});
    expect(q.week).toBe("2025-W14");
    expect(q.isCurrentWeek).toBe(true);
    expect(q.items.map((i) => i.id)).toEqual([
      ids["w12-sunday-late"],
      ids["w13-monday-early"],
      ids["w14-monday-early"],
      ids["w14-later"],
      ids["w14-reviewed"],
    ]);
    expect(q.items.map((i) => i.carriedOver)).toEqual([true, true, false, false, false]);
    expect(q.counts).toMatchObject({ total: 3, unreviewed: 2, carriedOver: 2, byClassification: { fraga: 1 } });
    expect(q.nextWeek).toBeNull();
  });

  it("puts a message from Sunday 23:30 and one from Monday 00:30 local time in different weeks across the DST change", async () => {
    const w13 = await getWeekQueue(ctx, manager, { week: "2025-W13" });
    expect(w13.start.toISOString()).toBe("2025-03-23T23:00:00.000Z");
    expect(w13.end.toISOString()).toBe("2025-03-30T22:00:00.000Z");
    // A past week shows only its own messages: W12's unreviewed one is not carried into it.
    expect(w13.items.map((i) => i.id)).toEqual([ids["w13-monday-early"], ids["w13-sunday-late"]]);
    expect(w13.items.every((i) => !i.carriedOver)).toBe(true);
    expect(w13.counts).toMatchObject({ total: 2, unreviewed: 1, carriedOver: 0, byClassification: { inget: 1 } });
    expect(w13.nextWeek).toBe("2025-W14");
    expect(w13.previousWeek).toBe("2025-W12");
  });

  it("shows each message's svarsgrupp, agent, scores by question and duration", async () => {
    const q = await getWeekQueue(ctx, manager, {});
    const item = q.items.find((i) => i.id === ids["w14-monday-early"])!;
    expect(item).toMatchObject({
      groupName: "Val 1 – Socialt stöd",
      agentName: "Agent Testsson",
      durationSeconds: 12,
      audioAvailable: true,
    });
    expect(item.scores).toEqual({ q1: 2, q2: 1, q3: 3 });
  });

  it("counts messages per week for the last eight weeks, newest first", async () => {
    const q = await getWeekQueue(ctx, manager, { week: "2025-W14" });
    expect(q.recentWeeks.slice(0, 3)).toEqual([
      { week: "2025-W14", total: 3, unreviewed: 2 },
      { week: "2025-W13", total: 2, unreviewed: 1 },
      { week: "2025-W12", total: 1, unreviewed: 1 },
    ]);
    expect(q.recentWeeks).toHaveLength(8);
  });

  it("rejects a malformed week naming the field", async () => {
    const err = await rejection(getWeekQueue(ctx, manager, { week: "2025-14" }));
    expect(err.code).toBe("validation_failed");
    expect(err.details?.[0]?.field).toBe("week");
  });

  it("refuses agents", async () => {
    const err = await rejection(getWeekQueue(ctx, { ...manager, role: "agent" }, {}));
    expect(err.code).toBe("forbidden");
  });
});

describe("reviewing a voice message", () => {
  let db: TestDatabase;
  let ctx: TestContext;
  let manager: Actor;

  beforeAll(async () => {
    db = await createTestDatabase();
    ctx = await createTestContext(db, { now: "2025-04-02T10:00:00Z" });
    const u = await createUser(db.prisma, ctx.organizationId, "manager");
    manager = { id: u.id, organizationId: ctx.organizationId, role: "manager", ip: "10.0.0.7" };
  });
  afterAll(async () => {
    await db?.close();
  });

  const newMessage = async () =>
    (await createVoiceMessage(db.prisma, { organizationId: ctx.organizationId, recordedAt: "2025-04-01T09:00:00Z" })).vm
      .id;
  const auditOf = (id: string) =>
    db.prisma.auditEvent.findMany({
      where: { targetId: id },
      orderBy: { id: "asc" },
      select: { action: true, actorUserId: true, detail: true, ip: true, at: true },
    });

  it("marks listened, and a message classified as nothing to register is reviewed at once", async () => {
    const id = await newMessage();
    ctx.setNow("2025-04-02T10:05:00Z");
    const r = await updateReview(ctx, manager, id, { listened: true, classification: "inget" });
    expect(r).toMatchObject({ reviewed: true, classification: "inget", needsRegistration: false });
    const row = await db.prisma.voiceMessage.findUniqueOrThrow({ where: { id } });
    expect(row.listenedAt?.toISOString()).toBe("2025-04-02T10:05:00.000Z");
    expect(row.reviewedAt?.toISOString()).toBe("2025-04-02T10:05:00.000Z");
    expect(row.reviewedById).toBe(manager.id);
    const log = await auditOf(id);
    expect(log.map((l) => l.action)).toEqual([
      "voice-message.listened",
      "voice-message.classify",
      "voice-message.reviewed",
    ]);
    expect(log[1]).toMatchObject({ actorUserId: manager.id, ip: "10.0.0.7", detail: { from: null, to: "inget" } });
    expect(log[1].at).toBeInstanceOf(Date);
  });

  it("keeps a complaint unreviewed until it is registered with a case reference", async () => {
    const id = await newMessage();
    const classified = await updateReview(ctx, manager, id, {
      classification: "klagomal",
      forvaltning: "Socialförvaltningen",
      note: "Väntade länge på svar",
    });
    expect(classified).toMatchObject({ reviewed: false, needsRegistration: true, forvaltning: "Socialförvaltningen" });

    const err = await rejection(updateReview(ctx, manager, id, { registered: true }));
    expect(err.code).toBe("validation_failed");
    expect(err.details?.[0]?.field).toBe("caseReference");

    const done = await updateReview(ctx, manager, id, { registered: "1", caseReference: "FX-2025-0412" });
    expect(done).toMatchObject({ reviewed: true, caseReference: "FX-2025-0412" });
    expect(done.registeredAt).toBeInstanceOf(Date);
    const actions = (await auditOf(id)).map((l) => l.action);
    expect(actions).toEqual([
      "voice-message.classify",
      "voice-message.forvaltning",
      "voice-message.note",
      "voice-message.case-reference",
      "voice-message.register",
      "voice-message.reviewed",
    ]);
    // The note's words stay out of the log.
    expect(JSON.stringify(await auditOf(id))).not.toContain("Väntade");
  });

  it("reopens a reviewed message whose new classification needs registering", async () => {
    const id = await newMessage();
    await updateReview(ctx, manager, id, { classification: "fraga" });
    const r = await updateReview(ctx, manager, id, { classification: "berom" });
    expect(r.reviewed).toBe(false);
    expect((await db.prisma.voiceMessage.findUniqueOrThrow({ where: { id } })).reviewedAt).toBeNull();
    expect((await auditOf(id)).map((l) => l.action).slice(-2)).toEqual([
      "voice-message.classify",
      "voice-message.reopened",
    ]);
  });

  it("writes nothing when a save changes nothing", async () => {
    const id = await newMessage();
    await updateReview(ctx, manager, id, { classification: "fraga", note: "" });
    const before = (await auditOf(id)).length;
    const r = await updateReview(ctx, manager, id, {
      classification: "fraga",
      forvaltning: "",
      note: "",
      caseReference: "",
      registered: "0",
    });
    expect(r.changed).toEqual([]);
    expect(await auditOf(id)).toHaveLength(before);
  });

  it("names the invalid field: an unknown classification, an overlong note", async () => {
    const id = await newMessage();
    const e1 = await rejection(updateReview(ctx, manager, id, { classification: "spam" }));
    expect(e1.details?.map((d) => d.field)).toEqual(["classification"]);
    const e2 = await rejection(updateReview(ctx, manager, id, { note: "x".repeat(4001) }));
    expect(e2.details?.map((d) => d.field)).toEqual(["note"]);
    const e3 = await rejection(updateReview(ctx, manager, id, { caseReference: "<script>" }));
    expect(e3.details?.map((d) => d.field)).toEqual(["caseReference"]);
  });

  it("refuses agents and hides other organizations' messages", async () => {
    const id = await newMessage();
    expect((await rejection(updateReview(ctx, { ...manager, role: "agent" }, id, { listened: true }))).code).toBe(
      "forbidden",
    );
    const other = await ensureOrganization(db.prisma, {
      slug: "annan-kommun",
      name: "Annan kommun",
      timeZone: "Europe/Stockholm",
    });
    const stranger = await createUser(db.prisma, other.id, "manager");
    const err = await rejection(
      updateReview(ctx, { id: stranger.id, organizationId: other.id, role: "manager" }, id, { listened: true }),
    );
    expect(err.code).toBe("not_found");
    expect((await db.prisma.voiceMessage.findUniqueOrThrow({ where: { id } })).listenedAt).toBeNull();
  });
});

describe("a week with many messages", () => {
  let db: TestDatabase;
  let ctx: TestContext;
  let manager: Actor;

  beforeAll(async () => {
    db = await createTestDatabase();
    ctx = await createTestContext(db, { now: "2025-04-06T10:00:00Z" });
    const u = await createUser(db.prisma, ctx.organizationId, "manager");
    manager = { id: u.id, organizationId: ctx.organizationId, role: "manager" };
    for (let i = 0; i < 60; i++) {
      const at = new Date(Date.parse("2025-03-31T06:00:00Z") + i * 3_600_000);
      const review = i % 3 === 0 ? { classification: "inget", reviewedAt: new Date(at.getTime() + 60_000) } : undefined;
      await createVoiceMessage(db.prisma, { organizationId: ctx.organizationId, recordedAt: at, review, scores: {} });
    }
  });
  afterAll(async () => {
    await db?.close();
  });

  it("pages 20 at a time, with all 40 unreviewed before the 20 reviewed across the page breaks", async () => {
    const pages = await Promise.all([1, "2", 3].map((page) => getWeekQueue(ctx, manager, { page })));
    expect(pages[0]).toMatchObject({ totalItems: 60, pageCount: 3, pageSize: 20 });
    expect(pages.map((p) => p.items.length)).toEqual([20, 20, 20]);
    const all = pages.flatMap((p) => p.items);
    expect(all.slice(0, 40).every((i) => !i.reviewed)).toBe(true);
    expect(all.slice(40).every((i) => i.reviewed)).toBe(true);
    expect(new Set(all.map((i) => i.id)).size).toBe(60);
    const times = all.slice(0, 40).map((i) => i.recordedAt.getTime());
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  it("finds the next unreviewed message across the page break, on the page it is on after the save", async () => {
    const [p1, p2] = await Promise.all([1, 2].map((page) => getWeekQueue(ctx, manager, { page })));
    const week = p1.week;
    // The last of page 1: the next is the first of page 2.
    expect(await nextUnreviewed(ctx, manager, { week }, p1.items[19].id)).toEqual({ id: p2.items[0].id, page: 2 });
    // Saving the last of page 1 reviews it: the next moves up to position 19, page 1.
    const before = await getWeekCounts(ctx, manager, { week });
    await updateReview(ctx, manager, p1.items[19].id, { classification: "fraga" });
    expect(await nextUnreviewed(ctx, manager, { week }, p1.items[19].id)).toEqual({ id: p2.items[0].id, page: 1 });
    const after = await getWeekCounts(ctx, manager, { week });
    expect(after.unreviewed).toBe(before.unreviewed - 1);
    expect(after.byClassification.fraga).toBe((before.byClassification.fraga ?? 0) + 1);
    // After the last unreviewed one it wraps round to the first; with none left but itself, there is none.
    expect(await nextUnreviewed(ctx, manager, { week }, p2.items[19].id)).toEqual({ id: p1.items[0].id, page: 1 });
    await expect(nextUnreviewed(ctx, manager, { week }, "00000000-0000-0000-0000-000000000000")).resolves.toBeNull();
  });
});
