import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import Transport from "winston-transport";
import { createApp } from "../../src/app.js";
import type { AppContext } from "../../src/context.js";
import { loadConfig } from "../../src/lib/config.js";
import { createNumberCrypto } from "../../src/lib/crypto.js";
import { createLocalEventBus, type DomainEvent } from "../../src/lib/events.js";
import { createLogger } from "../../src/lib/logger.js";
import { ensureOrganization } from "../../src/organizations/service.js";
import { createLocalStorage } from "../../src/recordings/storage.js";
import { loadFlows } from "../../src/survey/flows.js";
import twilio from "twilio";
import type { TwilioCredentials } from "../../src/telephony/client.js";
import type { OrgSettings } from "../../src/organizations/settings.js";
import type { TestDatabase } from "./db.js";

export const TEST_ACCOUNT_SID = "AC00000000000000000000000000000001";
export const TEST_AUTH_TOKEN = "test-auth-token-0123456789abcdef";

/** Captures log entries so tests can assert what was logged (and that numbers were masked). */
class MemoryTransport extends Transport {
  entries: Record<string, unknown>[] = [];
  override log(info: Record<string, unknown>, next: () => void) {
    this.entries.push(info);
    next();
  }
}

export interface TestContext extends AppContext {
  logs: MemoryTransport["entries"];
  published: DomainEvent[];
  /** Moves the injected clock. */
  setNow(d: Date | string): void;
  organizationId: string;
}

/**
 * An AppContext on a test database with a movable clock, captured logs and
 * events, and a default organization. `env` overrides configuration keys.
 */
export async function createTestContext(
  db: TestDatabase,
  opts: { env?: Record<string, string>; now?: Date | string; settings?: Partial<OrgSettings> } = {},
): Promise<TestContext> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "nki-test-"));
  const config = loadConfig({
    NODE_ENV: "test",
    DATA_DIR: dataDir,
    DATABASE_URL: db.url,
    PUBLIC_BASE_URL: "https://nki.example.test",
    LOG_LEVEL: "debug",
    ...opts.env,
  });
  const transport = new MemoryTransport();
  const logger = createLogger("debug", { silent: false });
  logger.clear();
  logger.add(transport);
  const events = createLocalEventBus();
  const published: DomainEvent[] = [];
  events.subscribe((e) => published.push(e));
  let now = opts.now ? new Date(opts.now) : new Date();
  const org = await ensureOrganization(db.prisma, {
    slug: `org-${randomBytes(4).toString("hex")}`,
    name: "Testkommun",
    timeZone: "Europe/Stockholm",
    settings: opts.settings,
  });
  // Real twilio-node against api.twilio.com: tests intercept it with nock.
  const twilioCredentials: TwilioCredentials = {
    accountSid: TEST_ACCOUNT_SID,
    authToken: TEST_AUTH_TOKEN,
    fromNumber: "+46850000000",
  };
  return {
    config,
    // Without keep-alive: nock 14 cannot answer axios on a keep-alive agent ("stream has been aborted").
    twilio: twilio(twilioCredentials.accountSid, twilioCredentials.authToken, {
      httpClient: new twilio.RequestClient({ timeout: 2_000, keepAlive: false }),
      autoRetry: false,
    }),
    twilioCredentials,
    storage: createLocalStorage(path.join(dataDir, "recordings")),
    flows: loadFlows(),
    prisma: db.prisma,
    logger,
    numbers: createNumberCrypto(randomBytes(32)),
    events,
    now: () => new Date(now),
    instanceId: "test-instance",
    logs: transport.entries,
    published,
    setNow(d) {
      now = new Date(d);
    },
    organizationId: org.id,
  };
}

/** Boots createApp(ctx) on a free port. */
export async function startTestApp(ctx: AppContext): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const app = createApp(ctx);
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    server,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
