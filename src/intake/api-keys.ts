import { createHash, randomBytes } from "node:crypto";
import type { Db } from "../lib/db.js";
import { AppError } from "../lib/errors.js";

/**
 * Intake API keys, one or more per organization. Only a SHA-256 of the secret
 * is stored (the secret is high-entropy, so a slow password hash adds nothing);
 * the first characters are kept as a prefix so an operator can tell keys apart.
 */
const PREFIX_LENGTH = 8;

export const hashApiKey = (secret: string) => createHash("sha256").update(secret, "utf8").digest("hex");

export async function createApiKey(db: Db, organizationId: string, name: string): Promise<{ id: string; secret: string }> {
  const secret = `nki_${randomBytes(24).toString("base64url")}`;
  const row = await db.apiKey.create({
    data: { organizationId, name, prefix: secret.slice(0, PREFIX_LENGTH), hash: hashApiKey(secret) },
    select: { id: true },
  });
  return { id: row.id, secret };
}

/** Makes sure a key with this exact secret exists for the organization (SEED_API_KEY, demo traffic). */
export async function ensureApiKey(db: Db, organizationId: string, secret: string, name: string): Promise<{ id: string }> {
  const hash = hashApiKey(secret);
  const row = await db.apiKey.upsert({
    where: { hash },
    update: {},
    create: { organizationId, name, prefix: secret.slice(0, PREFIX_LENGTH), hash },
    select: { id: true, organizationId: true },
  });
  if (row.organizationId !== organizationId) throw new AppError("conflict", "This API key already belongs to another organization");
  return { id: row.id };
}

export interface ApiKeyPrincipal {
  apiKeyId: string;
  organizationId: string;
}

// lastUsedAt is for operators ("is this key still in use?"); minute precision
// is plenty and saves a write on every request.
const LAST_USED_RESOLUTION_MS = 60_000;

/** Resolves an `Authorization: Bearer <secret>` header, or throws unauthorized. */
export async function authenticateApiKey(db: Db, authorization: string | undefined, now: Date): Promise<ApiKeyPrincipal> {
  const m = /^Bearer\s+(\S{1,200})\s*$/i.exec(authorization ?? "");
  if (!m) throw new AppError("unauthorized", "Send the organization's API key as `Authorization: Bearer <key>`");
  // Raw: this runs on every intake request, and Prisma's typed path costs about 1 ms of CPU more here.
  const [key] = await db.$queryRawUnsafe<{ id: string; organizationId: string; revokedAt: Date | null; lastUsedAt: Date | null }[]>(
    `SELECT id::text AS id, "organizationId"::text AS "organizationId", "revokedAt", "lastUsedAt" FROM "ApiKey" WHERE hash = $1`,
    hashApiKey(m[1]!),
  );
  if (!key || key.revokedAt) throw new AppError("unauthorized", "Unknown or revoked API key");
  if (!key.lastUsedAt || now.getTime() - new Date(key.lastUsedAt).getTime() > LAST_USED_RESOLUTION_MS) {
    await db.apiKey.update({ where: { id: key.id }, data: { lastUsedAt: now }, select: { id: true } });
  }
  return { apiKeyId: key.id, organizationId: key.organizationId };
}
