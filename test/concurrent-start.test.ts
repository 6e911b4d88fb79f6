import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureDemoUsers, ensureSeedAdmin } from "../src/auth/seed.js";
import { ensureApiKey } from "../src/intake/api-keys.js";
import { loadConfig } from "../src/lib/config.js";
import { createLogger } from "../src/lib/logger.js";
import { applySettingsOverrides, ensureAgent, ensureGroup, ensureOrganization } from "../src/organizations/service.js";
import { startService, type RunningService } from "../src/service.js";
import { createTestDatabase, type TestDatabase } from "./support/db.js";

const SEED_API_KEY = "seed-key-for-three-instances-0123456789";
const NUMBER_KEY = randomBytes(32).toString("base64");
const silent = () => createLogger("error", { silent: true });

/**
 * Every ensure-step of start-up, as three instances run it at the same moment.
 * On PGlite (one session) the three interleave statement by statement, which is
 * enough for a check-then-insert to collide; on a server they also run in parallel.
 */
describe("start-up's ensure steps run three times at once", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.close();
  });

  it("all succeed and leave one organization, one key, one admin and one set of demo users", async () => {
    const config = loadConfig({
      DATABASE_URL: db.url,
      SEED_ADMIN_EMAIL: "it-admin@kommun.example",
      SEED_ADMIN_PASSWORD: "a long enough seed password",
      SEED_API_KEY,
    });
    const startUp = async () => {
      const org = await ensureOrganization(db.prisma, {
        slug: "samtidig",
        name: "Samtidig",
        timeZone: "Europe/Stockholm",
      });
      await applySettingsOverrides(db.prisma, org.id, { sampleRate: 0.5 });
      await ensureApiKey(db.prisma, org.id, SEED_API_KEY, "SEED_API_KEY");
      await ensureSeedAdmin(db.prisma, config, org.id, silent());
      await ensureGroup(db.prisma, org.id, "val1", "Val 1");
      await ensureAgent(db.prisma, org.id, "a-1", "Agent Ett");
      return { org, demo: await ensureDemoUsers(db.prisma, org.id) };
    };
    const results = await Promise.allSettled([startUp(), startUp(), startUp()]);
    expect(results.map((r) => (r.status === "rejected" ? String(r.reason) : "ok"))).toEqual(["ok", "ok", "ok"]);
    const orgIds = new Set(results.map((r) => (r.status === "fulfilled" ? r.value.org.id : null)));
    expect(orgIds.size).toBe(1);
    expect(await db.prisma.organization.count({ where: { slug: "samtidig" } })).toBe(1);
    expect(await db.prisma.apiKey.count()).toBe(1);
    expect(await db.prisma.user.count({ where: { email: "it-admin@kommun.example", role: "admin" } })).toBe(1);
    expect(await db.prisma.user.count({ where: { email: { endsWith: "@demo.invalid" } } })).toBe(
      results[0].status === "fulfilled" ? results[0].value.demo.length : -1,
    );
  });
});

/**
 * Three whole services started at the same moment on one PostgreSQL server,
 * first on an empty database and then again on the migrated one. (The embedded
 * database serves one process per data directory, so this needs a server.)
 */
describe.skipIf(!process.env.TEST_DATABASE_URL)("three instances started at once on one PostgreSQL", () => {
  let db: TestDatabase;
  const dirs: string[] = [];
  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
  });
  afterAll(async () => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    await db?.close();
  });

  const startThree = async () => {
    const services = await Promise.allSettled(
      [1, 2, 3].map(() => {
        const dir = mkdtempSync(path.join(tmpdir(), "nki-three-"));
        dirs.push(dir);
        const config = loadConfig({
          DATABASE_URL: db.url,
          DATA_DIR: dir,
          PORT: "0",
          HOST: "127.0.0.1",
          SEED_API_KEY,
          SEED_ADMIN_EMAIL: "it-admin@kommun.example",
          SEED_ADMIN_PASSWORD: "a long enough seed password",
          NUMBER_KEY,
          DEMO_CALLS_PER_MINUTE: "0",
        });
        return startService(config, { logger: silent() });
      }),
    );
    const started = services.filter((s) => s.status === "fulfilled").map((s) => s.value);
    await Promise.all(started.map((s: RunningService) => s.stop()));
    return services.map((s) => (s.status === "rejected" ? String(s.reason) : "ok"));
  };

  it("on an empty database: all three start, one default organization", async () => {
    expect(await startThree()).toEqual(["ok", "ok", "ok"]);
    expect(await db.prisma.organization.count()).toBe(1);
    expect(await db.prisma.user.count({ where: { role: "admin", email: "it-admin@kommun.example" } })).toBe(1);
  }, 120_000);

  it("on the migrated database: all three start again", async () => {
    expect(await startThree()).toEqual(["ok", "ok", "ok"]);
    expect(await db.prisma.organization.count()).toBe(1);
    expect(await db.prisma.apiKey.count({ where: { name: "SEED_API_KEY" } })).toBe(1);
  }, 120_000);
});
