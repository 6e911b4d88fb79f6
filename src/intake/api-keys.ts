import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import { sqlRows, type Db } from "../lib/db.js";
import { AppError } from "../lib/errors.js";

// Row schemas built once: zod compiles each schema on its first parse (about 0.1 ms of CPU), so one
// built inside a function cost that on every call.
const apiKeyRow = z.strictObject({
  id: z.string(),
  organizationId: z.string(),
  revokedAt: z.date().nullable(),
  lastUsedAt: z.date().nullable(),
});

/**
 * Intake API keys, one or more per organization. Only a SHA-256 of the secret
 * is stored (the secret is high-entropy, so a slow password hash adds nothing);
 * the first characters are kept as a prefix so an operator can tell keys apart.
 */
const PREFIX_LENGTH = 8;

export const hashApiKey = (secret: string) => createHash("sha256").update(secret, "utf8").digest("hex");

export async function createApiKey(
  db: Db,
  organizationId: string,
  name: string,
): Promise<{ id: string; secret: string }> {
  const secret = `nki_${randomBytes(24).toString("base64url")}`;
  const row = await db.apiKey.create({
    data: { organizationId, name, prefix: secret.slice(0, PREFIX_LENGTH), hash: hashApiKey(secret) },
    select: { id: true },
  });
  return { id: row.id, secret };
}

/** Makes sure a key with this exact secret exists for the organization (SEED_API_KEY, demo traffic). */
export async function ensureApiKey(
  db: Db,
  organizationId: string,
  secret: string,
  name: string,
): Promise<{ id: string }> {
  const hash = hashApiKey(secret);
  // ON CONFLICT DO NOTHING, then read: several instances may ensure the same key at the same moment.
  await db.apiKey.createMany({
    data: [{ organizationId, name, prefix: secret.slice(0, PREFIX_LENGTH), hash }],
    skipDuplicates: true,
  });
  const row = await db.apiKey.findUniqueOrThrow({ where: { hash }, select: { id: true, organizationId: true } });
  if (row.organizationId !== organizationId)
    throw new AppError("conflict", "This API key already belongs to another organization");
  return { id: row.id };
}

export interface ApiKeyPrincipal {
  apiKeyId: string;
  organizationId: string;
}

// lastUsedAt is for operators ("is this key still in use?"); minute precision
// is plenty and saves a write on every request.
const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * Valid keys are remembered briefly, saving a database round trip on every
 * intake request (a third of a single call's). Only successes are cached, so a
 * new key works at once; a revoked key stops within API_KEY_CACHE_MS on every
 * instance (at once on the instance that revoked it).
 */
export const API_KEY_CACHE_MS = 10_000;
const MAX_CACHED_KEYS = 1_000;
const keyCache = new Map<string, { principal: ApiKeyPrincipal; until: number; lastUsedAt: number }>();

/** Resolves an `Authorization: Bearer <secret>` header, or throws unauthorized. */
export async function authenticateApiKey(
  db: Db,
  authorization: string | undefined,
  now: Date,
): Promise<ApiKeyPrincipal> {
  const m = /^Bearer\s+(\S{1,200})\s*$/i.exec(authorization ?? "");
  if (!m) throw new AppError("unauthorized", "Send the organization's API key as `Authorization: Bearer <key>`");
  const hash = hashApiKey(m[1]);
  const cached = keyCache.get(hash);
  if (cached && cached.until > now.getTime()) {
    if (now.getTime() - cached.lastUsedAt > LAST_USED_RESOLUTION_MS) {
      cached.lastUsedAt = now.getTime();
      await touchLastUsed(db, cached.principal.apiKeyId, now);
    }
    return cached.principal;
  }
  keyCache.delete(hash);
  const [key] = await sqlRows(
    db,
    apiKeyRow,
    `SELECT id::text AS id, "organizationId"::text AS "organizationId", "revokedAt", "lastUsedAt" FROM "ApiKey" WHERE hash = $1`,
    [hash],
    { prepare: true },
  );
  if (!key || key.revokedAt) throw new AppError("unauthorized", "Unknown or revoked API key");
  let lastUsedAt = key.lastUsedAt ? new Date(key.lastUsedAt).getTime() : 0;
  if (now.getTime() - lastUsedAt > LAST_USED_RESOLUTION_MS) {
    lastUsedAt = now.getTime();
    await touchLastUsed(db, key.id, now);
  }
  const principal = { apiKeyId: key.id, organizationId: key.organizationId };
  if (keyCache.size >= MAX_CACHED_KEYS) keyCache.delete(keyCache.keys().next().value!);
  keyCache.set(hash, { principal, until: now.getTime() + API_KEY_CACHE_MS, lastUsedAt });
  return principal;
}

const touchLastUsed = (db: Db, id: string, now: Date) =>
  db.apiKey.update({ where: { id }, data: { lastUsedAt: now }, select: { id: true } });

export interface ApiKeyListing {
  id: string;
  name: string;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export function listApiKeys(db: Db, organizationId: string): Promise<ApiKeyListing[]> {
  return db.apiKey.findMany({
    where: { organizationId },
    orderBy: { createdAt: "asc" },
    select: { id: true, name: true, prefix: true, createdAt: true, lastUsedAt: true, revokedAt: true },
  });
}

/** Revokes one of the organization's keys by its id (as listed); false when there is no such live key. */
export async function revokeApiKey(db: Db, organizationId: string, id: string, now: Date): Promise<boolean> {
  const key = await db.apiKey.findFirst({ where: { id, organizationId, revokedAt: null }, select: { hash: true } });
  if (!key) return false;
  await db.apiKey.update({ where: { id }, data: { revokedAt: now }, select: { id: true } });
  keyCache.delete(key.hash);
  return true;
}
