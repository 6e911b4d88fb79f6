import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureOrganization } from "../src/organizations/service.js";
import { queueHref, queueLocations, type QueueSpot } from "../src/review/locate.js";
import { getWeekQueue, PAGE_SIZE, type Actor } from "../src/review/service.js";
import { createTestDatabase, type TestDatabase } from "./support/db.js";
import { createTestContext, type TestContext } from "./support/context.js";
import { createVoiceMessage, createVoiceMessageCopies } from "./review.fixtures.js";

/**
 * A link to a message from elsewhere (search) must open the queue page that
 * shows it: checked against the queue itself, whatever PAGE_SIZE is.
 */
describe("where a message is in the listening queue", () => {
  let db: TestDatabase;
  let ctx: TestContext;
  let manager: Actor;
  const messages: { id: string; recordedAt: Date; name: string }[] = [];

  async function message(name: string, at: Date, o: { reviewed?: boolean; organizationId?: string } = {}) {
    const { vm } = await createVoiceMessage(db.prisma, {
      organizationId: o.organizationId ?? ctx.organizationId,
      recordedAt: at,
      scores: {},
      review: o.reviewed ? { classification: "inget", reviewedAt: at } : undefined,
    });
    messages.push({ id: vm.id, recordedAt: vm.recordedAt, name });
    return vm;
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    // Wednesday of 2026-W48.
    ctx = await createTestContext(db, { now: "2026-11-25T10:00:00Z" });
    manager = { id: "00000000-0000-4000-8000-000000000001", organizationId: ctx.organizationId, role: "manager" };
    // 2026-W47: more than a page; the three oldest reviewed, so they come last.
    const first = await message("w47-0", new Date("2026-11-16T08:00:00Z"), { reviewed: true });
    const copies = await createVoiceMessageCopies(db.prisma, first, { count: PAGE_SIZE + 2, reviewed: 2 });
    copies.forEach((c, i) => messages.push({ ...c, name: `w47-${i + 1}` }));
    // Two unreviewed from 2026-W46 that the current week carries over, and the current week's own.
    await message("w46-a", new Date("2026-11-10T09:00:00Z"));
    await message("w46-b", new Date("2026-11-10T09:00:00Z"));
    await message("w48-a", new Date("2026-11-24T08:00:00Z"));
    await message("w48-b", new Date("2026-11-24T09:00:00Z"), { reviewed: true });
  });
  afterAll(async () => {
    await db?.close();
  });

  it("gives every message the week and page of the queue that shows it", async () => {
    const spots = await queueLocations(ctx, manager, messages);
    expect(spots.size).toBe(messages.length);
    expect([...spots.values()].every((s) => s.queued)).toBe(true);
    const pages = new Map<string, Set<string>>();
    for (const m of messages) {
      const spot = spots.get(m.id)!;
      const key = `${spot.week}/${spot.page}`;
      if (!pages.has(key)) {
        const q = await getWeekQueue(ctx, manager, { week: spot.week, page: spot.page });
        pages.set(key, new Set(q.items.map((i) => i.id)));
      }
      expect(pages.get(key)!.has(m.id), `${m.name} on ${key}`).toBe(true);
    }
    const spotOf = (name: string): QueueSpot => {
      const { week, page } = spots.get(messages.find((m) => m.name === name)!.id)!;
      return { week, page };
    };
    const pageAt = (position: number) => Math.floor(position / PAGE_SIZE) + 1;
    expect(spotOf("w46-a").week).toBe("2026-W46");
    // 2026-W47: PAGE_SIZE unreviewed first (the last at PAGE_SIZE - 1), then the reviewed, oldest first.
    expect(spotOf(`w47-${PAGE_SIZE + 2}`)).toEqual<QueueSpot>({ week: "2026-W47", page: pageAt(PAGE_SIZE - 1) });
    expect(spotOf("w47-0")).toEqual<QueueSpot>({ week: "2026-W47", page: pageAt(PAGE_SIZE) });
    expect(pageAt(PAGE_SIZE)).toBe(2);
    // The current week leads with the 2 + PAGE_SIZE unreviewed messages it carries over.
    expect(spotOf("w48-a")).toEqual<QueueSpot>({ week: "2026-W48", page: pageAt(PAGE_SIZE + 2) });
    expect(spotOf("w48-b")).toEqual<QueueSpot>({ week: "2026-W48", page: pageAt(PAGE_SIZE + 3) });
  });

  it("has no place in the queue for a message not in it or another organization's, and refuses agents", async () => {
    const pending = await message("pending", new Date("2026-11-24T10:00:00Z"));
    await db.prisma.voiceMessage.update({ where: { id: pending.id }, data: { state: "pending" } });
    const other = await ensureOrganization(db.prisma, {
      slug: "grannkommun",
      name: "Grannkommun",
      timeZone: "Europe/Stockholm",
    });
    const foreign = await message("foreign", new Date("2026-11-24T10:00:00Z"), { organizationId: other.id });
    const spots = await queueLocations(ctx, manager, [pending, foreign]);
    expect([...spots.values()].map((s) => s.queued)).toEqual([false, false]);
    await expect(queueLocations(ctx, { ...manager, role: "agent" }, [pending])).rejects.toMatchObject({
      code: "forbidden",
    });
  });

  it("gives the search API's locations: the spot with its link, or the message's own week's first page", async () => {
    const w47 = messages.find((m) => m.name === "w47-0")!;
    const pending = await message("pending-2", new Date("2026-11-17T10:00:00Z"));
    await db.prisma.voiceMessage.update({ where: { id: pending.id }, data: { state: "pending" } });
    const at = await queueLocations(ctx, manager, [w47, pending]);
    expect(at.get(w47.id)).toEqual({
      week: "2026-W47",
      page: 2,
      href: `/queue?week=2026-W47&page=2#m-${w47.id}`,
      queued: true,
    });
    expect(at.get(pending.id)).toEqual({
      week: "2026-W47",
      page: 1,
      href: `/queue?week=2026-W47#m-${pending.id}`,
      queued: false,
    });
  });

  it("links to the page and the message's card", () => {
    expect(queueHref({ week: "2026-W47", page: 2 }, "abc")).toBe("/queue?week=2026-W47&page=2#m-abc");
    expect(queueHref({ week: "2026-W47", page: 1 }, "abc")).toBe("/queue?week=2026-W47#m-abc");
  });
});
