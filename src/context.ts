import type { Config } from "./lib/config.js";
import type { NumberCrypto } from "./lib/crypto.js";
import type { Prisma } from "./lib/db.js";
import type { EventBus } from "./lib/events.js";
import type { Logger } from "./lib/logger.js";

/**
 * Everything a feature needs from the outside world, built once in main.ts
 * (or by a test) and passed down. Features never reach for globals.
 * Features add their own collaborators here (telephony client, storage, flows).
 */
export interface AppContext {
  config: Config;
  prisma: Prisma;
  logger: Logger;
  numbers: NumberCrypto;
  events: EventBus;
  /** Injected so tests can move time. */
  now: () => Date;
  /** Distinguishes service instances in claims and logs. */
  instanceId: string;
}
