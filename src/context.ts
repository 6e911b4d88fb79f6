import type { Config } from "./lib/config.js";
import type { NumberCrypto } from "./lib/crypto.js";
import type { Prisma } from "./lib/db.js";
import type { EventBus } from "./lib/events.js";
import type { Logger } from "./lib/logger.js";
import type { RecordingStorage } from "./recordings/storage.js";
import type { FlowRegistry } from "./survey/flows.js";
import type { TwilioClient, TwilioCredentials } from "./telephony/client.js";
import type { Transcriber } from "./transcription/transcriber.js";

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
  /** twilio-node pointed at Twilio or at a Twilio-compatible API (the simulator). */
  twilio: TwilioClient;
  twilioCredentials: TwilioCredentials;
  /** Voice-message audio. */
  storage: RecordingStorage;
  /** Survey flows from flows/, validated at start-up. */
  flows: FlowRegistry;
  /** Speech-to-text server for voice messages; absent = transcription off. */
  transcriber?: Transcriber | null;
}
