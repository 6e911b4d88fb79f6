import type { AppContext } from "../context.js";
import type { SessionUser } from "../auth/middleware.js";
import type { DomainEvent } from "../lib/events.js";

/**
 * Computes what one signed-in user sees right now. `memo` lives for one
 * flush, so work shared by every viewer of an organization (its aggregates)
 * is done once however many are connected.
 */
export type SnapshotFn = (
  ctx: AppContext,
  user: SessionUser,
  memo: Map<string, Promise<unknown>>,
  params: StreamParams,
) => Promise<unknown>;

/** What the page asked for when it opened the stream (language, which period is shown). */
export type StreamParams = Record<string, string>;

export interface ResultsMessage {
  /** When the triggering answers were stored (the newest of a burst). */
  answeredAt: string;
  /** How many answers this update covers. */
  answers: number;
  /** True when at least one of them was about the viewer as an agent. */
  mine: boolean;
  results: unknown;
}

interface Subscriber {
  user: SessionUser;
  params: StreamParams;
  send(msg: ResultsMessage): void;
  pending: { answers: number; mine: boolean; answeredAt: string } | null;
}

/**
 * Fans `answer.stored` out to the result streams. Every answer changes the
 * organization's aggregate, which every viewer in that organization sees, so
 * all of them are affected; the payload itself is cut to each viewer's scope
 * by the snapshot. Bursts are coalesced: a flush waits `debounceMs` for quiet,
 * but never longer than `maxWaitMs` after the first event (well inside the
 * two-second promise).
 */
export function createResultsHub(
  ctx: AppContext,
  snapshot: SnapshotFn,
  opts: { debounceMs?: number; maxWaitMs?: number } = {},
) {
  const debounceMs = opts.debounceMs ?? 200;
  const maxWaitMs = opts.maxWaitMs ?? 800;
  const byOrg = new Map<string, Set<Subscriber>>();
  const timers = new Map<string, { timer: NodeJS.Timeout; firstAt: number }>();
  let unsubscribeBus: (() => void) | null = null;

  async function flush(orgId: string) {
    timers.delete(orgId);
    const subs = [...(byOrg.get(orgId) ?? [])].filter((s) => s.pending);
    const memo = new Map<string, Promise<unknown>>();
    await Promise.all(
      subs.map(async (s) => {
        const p = s.pending!;
        s.pending = null;
        try {
          s.send({ ...p, results: await snapshot(ctx, s.user, memo, s.params) });
        } catch (err) {
          ctx.logger.warn("could not compute live results", { err, userId: s.user.id });
        }
      }),
    );
  }

  function onEvent(e: DomainEvent) {
    if (e.type !== "answer.stored") return;
    const subs = byOrg.get(e.organizationId);
    if (!subs?.size) return;
    for (const s of subs) {
      const p = (s.pending ??= { answers: 0, mine: false, answeredAt: e.answeredAt });
      p.answers += 1;
      p.mine ||= s.user.agentId === e.agentId;
      if (e.answeredAt > p.answeredAt) p.answeredAt = e.answeredAt;
    }
    const now = Date.now();
    const t = timers.get(e.organizationId);
    if (t) clearTimeout(t.timer);
    const firstAt = t?.firstAt ?? now;
    const wait = Math.max(0, Math.min(debounceMs, firstAt + maxWaitMs - now));
    timers.set(e.organizationId, { firstAt, timer: setTimeout(() => void flush(e.organizationId), wait) });
  }

  return {
    subscribe(user: SessionUser, send: (msg: ResultsMessage) => void, params: StreamParams = {}): () => void {
      const sub: Subscriber = { user, params, send, pending: null };
      let set = byOrg.get(user.organizationId);
      if (!set) byOrg.set(user.organizationId, (set = new Set()));
      set.add(sub);
      unsubscribeBus ??= ctx.events.subscribe(onEvent);
      return () => {
        set.delete(sub);
        if (set.size === 0) byOrg.delete(user.organizationId);
        if (byOrg.size === 0 && unsubscribeBus) {
          unsubscribeBus();
          unsubscribeBus = null;
        }
      };
    },
    subscriberCount: () => [...byOrg.values()].reduce((n, s) => n + s.size, 0),
  };
}
export type ResultsHub = ReturnType<typeof createResultsHub>;
