import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { backupEmbedded, restoreEmbedded } from "../src/lib/backup.js";
import { readTar, writeTar } from "../src/lib/tar.js";
import { createPrisma, EMBEDDED_POOL_SIZE, startEmbeddedPostgres } from "../src/lib/db.js";
import { migrate, readMigrations } from "../src/lib/migrate.js";
import { ensureOrganization } from "../src/organizations/service.js";
import { createLocalStorage } from "../src/recordings/storage.js";
import { createVoiceMessage } from "./review.fixtures.js";

/** What a restore must bring back: every survey, answer and voice message, and the audio bytes. */
async function contents(dataDir: string) {
  const server = await startEmbeddedPostgres({ dataDir: path.join(dataDir, "pg") });
  const prisma = createPrisma(server.url, EMBEDDED_POOL_SIZE);
  try {
    const surveys = (await prisma.surveyCall.findMany({ select: { id: true }, orderBy: { id: "asc" } })).map(
      (r) => r.id,
    );
    const answers = (await prisma.answer.findMany({ orderBy: { id: "asc" } })).map(
      (a) => `${a.surveyId}:${a.questionKey}=${a.score}`,
    );
    const messages = await prisma.voiceMessage.findMany({
      select: { id: true, storageKey: true },
      orderBy: { id: "asc" },
    });
    const audio = messages.map((m) => readFileSync(path.join(dataDir, "recordings", m.storageKey!)).toString("hex"));
    return { surveys, answers, messages: messages.map((m) => m.id), audio };
  } finally {
    await prisma.$disconnect();
    await server.stop();
  }
}

describe("backup and restore of the embedded database", () => {
  const dirs: string[] = [];
  const tempDir = (prefix: string) => {
    const d = mkdtempSync(path.join(tmpdir(), prefix));
    dirs.push(d);
    return d;
  };
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("restores into a new data directory with every survey, answer and voice message", async () => {
    const dataDir = tempDir("nki-backup-src-");
    const server = await startEmbeddedPostgres({
      dataDir: path.join(dataDir, "pg"),
      socketDir: path.join(dataDir, "run"),
    });
    const prisma = createPrisma(server.url, EMBEDDED_POOL_SIZE);
    const file = path.join(tempDir("nki-backup-file-"), "nki.backup");
    try {
      await migrate(server.url);
      const org = await ensureOrganization(prisma, {
        slug: "backupkommun",
        name: "Backupkommun",
        timeZone: "Europe/Stockholm",
      });
      const storage = createLocalStorage(path.join(dataDir, "recordings"));
      for (let i = 0; i < 4; i++)
        await createVoiceMessage(prisma, {
          organizationId: org.id,
          recordedAt: new Date(Date.UTC(2026, 10, 20 + i, 9)),
          storage,
          audio: randomBytes(3000 + i * 700),
          scores: { q1: 1 + i, q2: 5 - i, q3: 3 },
        });
      // While the service's database is open the backup is refused, not taken half-written.
      await expect(backupEmbedded(dataDir, file)).rejects.toThrow(/the service is running on .*: stop it/);
    } finally {
      await prisma.$disconnect();
      await server.stop();
    }
    const before = await contents(dataDir);
    expect(before.surveys).toHaveLength(4);
    expect(before.answers).toHaveLength(12);

    const manifest = await backupEmbedded(dataDir, file);
    expect(manifest.migrations).toEqual(readMigrations().map((m) => m.name));
    expect(manifest.files).toBe(4);

    const restored = tempDir("nki-backup-dst-");
    await restoreEmbedded(file, restored);
    expect(await contents(restored)).toEqual(before);
    // Never over an existing database.
    await expect(restoreEmbedded(file, restored)).rejects.toThrow(
      /already holds a database: restore into a new DATA_DIR/,
    );
  }, 180_000);
});

describe("the backup file's tar format", () => {
  it("round-trips names up to 255 bytes and binary content", () => {
    const long = `recordings/${"a".repeat(60)}/${"b".repeat(70)}/${"c".repeat(90)}.wav`;
    const entries = [
      { name: "nki-backup.json", data: Buffer.from("{}") },
      { name: long, data: randomBytes(1025) },
      { name: "keys/empty", data: Buffer.alloc(0) },
    ];
    expect(readTar(writeTar(entries))).toEqual(entries);
  });
});
