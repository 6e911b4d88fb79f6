import { randomUUID } from "node:crypto";
import pg from "pg";
import type { DomainEvent, EventBus } from "../lib/events.js";
import type { Logger } from "../lib/logger.js";

export const CHANNEL = "nki_events";
/** PostgreSQL refuses NOTIFY payloads of 8000 bytes or more. */
const MAX_PAYLOAD = 7900;

export interface PgEventBus extends EventBus {
  /** Resolves once LISTEN is in place (tests wait for it before publishing elsewhere). */
  ready: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Fans domain events out to every service instance on one PostgreSQL, over
 * LISTEN/NOTIFY on one dedicated connection, around a local in-process bus.
 * `publish` delivers locally at once (no round trip for this instance's own
 * subscribers) and notifies the others; each message carries the sender's id
 * so an instance ignores its own echo. Callers publish after their
 * transaction commits, so a subscriber never reads an answer that is not there.
 * When the connection drops it reconnects with backoff; events published
 * meanwhile reach local subscribers only (logged), which a live view survives.
 */
export function createPgEventBus(opts: { url: string; local: EventBus; logger: Logger }): PgEventBus {
  const origin = randomUUID();
  const log = opts.logger.child({ component: "pg-event-bus" });
  let client: pg.Client | null = null;
  let stopped = false;
  let attempt = 0;
  let markReady: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  async function connect(): Promise<void> {
    if (stopped) return;
    const c = new pg.Client({ connectionString: opts.url, application_name: "nki-events" });
    c.on("notification", (msg) => {
      if (msg.channel !== CHANNEL || !msg.payload) return;
      try {
        const { o, e } = JSON.parse(msg.payload) as { o: string; e: DomainEvent };
        if (o !== origin) opts.local.publish(e);
      } catch (err) {
        log.warn("ignored a malformed event notification", { err });
      }
    });
    c.on("error", (err) => log.warn("event connection error", { err }));
    c.on("end", () => {
      if (client === c) client = null;
      if (!stopped) retry();
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${CHANNEL}`);
      client = c;
      attempt = 0;
      markReady();
      log.debug("listening for events");
    } catch (err) {
      log.warn("could not listen for events; retrying", { err });
      await c.end().catch(() => {});
    }
  }

  function retry() {
    attempt += 1;
    const delay = Math.min(30_000, 500 * 2 ** Math.min(attempt, 6));
    setTimeout(() => void connect(), delay).unref();
  }

  void connect();

  return {
    ready,
    subscribe: (listener) => opts.local.subscribe(listener),
    publish(event) {
      opts.local.publish(event);
      const payload = JSON.stringify({ o: origin, e: event });
      if (payload.length > MAX_PAYLOAD) {
        log.warn("event too large to share with other instances", { type: event.type });
        return;
      }
      if (!client) {
        log.warn("event not shared with other instances: no connection", { type: event.type });
        return;
      }
      client.query("SELECT pg_notify($1, $2)", [CHANNEL, payload]).catch((err) => log.warn("NOTIFY failed", { err }));
    },
    async stop() {
      stopped = true;
      const c = client;
      client = null;
      await c?.end().catch(() => {});
    },
  };
}
