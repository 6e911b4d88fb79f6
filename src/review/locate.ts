import type { AppContext } from "../context.js";
import { getOrganization } from "../organizations/service.js";
import { countAheadInQueue } from "./repository.js";
import { compareWeeks, formatIsoWeek, weekOf, weekRange } from "./rules.js";
import { assertReviewer, PAGE_SIZE, type Actor } from "./service.js";

/** Where a message is in the listening queue: the week (ISO, e.g. 2026-W48) and the page of it that shows it. */
export interface QueueSpot {
  week: string;
  page: number;
}

/** The queue's address of a spot, for a link to the message (`#m-<id>` is its card). */
export function queueHref(spot: QueueSpot, id: string): string {
  return `/queue?week=${encodeURIComponent(spot.week)}${spot.page > 1 ? `&page=${spot.page}` : ""}#m-${id}`;
}

/**
 * A link's target in the queue: its week, page and the address
 * (`/queue?week=…&page=…#m-<id>`). `queued` is false for a message not in the
 * queue (no audio stored yet, or another organization's): its link is then its
 * own week's first page.
 */
export interface QueueLocation extends QueueSpot {
  href: string;
  queued: boolean;
}

/**
 * Where each message is in its own week's listening queue, counted in the
 * queue's own order and PAGE_SIZE, so a link from elsewhere opens the page
 * that shows it. The search page and the JSON search API both use it, so they
 * point to the same place.
 */
export async function queueLocations(
  ctx: AppContext,
  actor: Actor,
  messages: readonly { id: string; recordedAt: Date }[],
): Promise<Map<string, QueueLocation>> {
  assertReviewer(actor);
  if (messages.length === 0) return new Map();
  const { timeZone } = await getOrganization(ctx.prisma, actor.organizationId);
  const spots = await spotsIn(ctx, actor, messages, timeZone);
  return new Map(
    messages.map((m) => {
      const found = spots.get(m.id);
      const spot = found ?? { week: formatIsoWeek(weekOf(m.recordedAt, timeZone)), page: 1 };
      return [m.id, { ...spot, href: queueHref(spot, m.id), queued: found !== undefined }];
    }),
  );
}

async function spotsIn(
  ctx: AppContext,
  actor: Actor,
  messages: readonly { id: string; recordedAt: Date }[],
  timeZone: string,
): Promise<Map<string, QueueSpot>> {
  const current = weekOf(ctx.now(), timeZone);
  const weeks = new Map(messages.map((m) => [m.id, weekOf(m.recordedAt, timeZone)]));
  const ahead = await countAheadInQueue(
    ctx.prisma,
    actor.organizationId,
    messages.map((m) => {
      const week = weeks.get(m.id)!;
      return { id: m.id, ...weekRange(week, timeZone), carryOver: compareWeeks(week, current) === 0 };
    }),
  );
  const spots = new Map<string, QueueSpot>();
  for (const [id, n] of ahead)
    spots.set(id, { week: formatIsoWeek(weeks.get(id)!), page: Math.floor(n / PAGE_SIZE) + 1 });
  return spots;
}
