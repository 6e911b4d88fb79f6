import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import type { Db } from "../lib/db.js";

/**
 * Server-side sessions in the Session table. The cookie carries a random id;
 * only its SHA-256 is stored, so a leaked table cannot be replayed as cookies.
 * A session ends after an idle period or at an absolute limit, whichever
 * comes first; `expiresAt` always holds the earlier of the two.
 */
export interface SessionPolicy {
  idleMs: number;
  absoluteMs: number;
}

const sessionDataSchema = z.object({
  csrf: z.string(),
  createdAt: z.string(),
  lastSeenAt: z.string(),
  /** How the user signed in, for the audit log and sign-out. */
  method: z.enum(["password", "oidc"]).default("password"),
});
export type SessionData = z.infer<typeof sessionDataSchema>;

export interface LoadedSession {
  /** Hash stored as Session.id. */
  key: string;
  userId: string;
  data: SessionData;
  expiresAt: Date;
}

/** Activity is written back at most this often, so page views do not each cost a write. */
const TOUCH_EVERY_MS = 60_000;

export const hashSessionId = (id: string) => createHash("sha256").update(id).digest("base64url");
export const newToken = () => randomBytes(32).toString("base64url");

function expiry(createdAt: Date, lastSeenAt: Date, p: SessionPolicy): Date {
  return new Date(Math.min(lastSeenAt.getTime() + p.idleMs, createdAt.getTime() + p.absoluteMs));
}

/** Starts a new session (a fresh id on every sign-in: no fixation). Returns the cookie value. */
export async function createSession(
  db: Db,
  input: { userId: string; now: Date; policy: SessionPolicy; method?: SessionData["method"] },
): Promise<{ id: string; session: LoadedSession }> {
  const id = newToken();
  const data: SessionData = {
    csrf: newToken(),
    createdAt: input.now.toISOString(),
    lastSeenAt: input.now.toISOString(),
    method: input.method ?? "password",
  };
  const expiresAt = expiry(input.now, input.now, input.policy);
  const key = hashSessionId(id);
  await db.session.create({ data: { id: key, userId: input.userId, data, expiresAt } });
  return { id, session: { key, userId: input.userId, data, expiresAt } };
}

/** The live session for a cookie value, with its idle clock moved on; null when unknown or expired. */
export async function loadSession(db: Db, id: string, now: Date, policy: SessionPolicy): Promise<LoadedSession | null> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(id)) return null;
  const key = hashSessionId(id);
  const row = await db.session.findUnique({
    where: { id: key },
    select: { userId: true, data: true, expiresAt: true },
  });
  if (!row) return null;
  if (row.expiresAt <= now) {
    await db.session.deleteMany({ where: { id: key } });
    return null;
  }
  const parsed = sessionDataSchema.safeParse(row.data);
  if (!parsed.success) return null;
  const data = parsed.data;
  let expiresAt = row.expiresAt;
  if (now.getTime() - Date.parse(data.lastSeenAt) > TOUCH_EVERY_MS) {
    data.lastSeenAt = now.toISOString();
    expiresAt = expiry(new Date(data.createdAt), now, policy);
    await db.session.updateMany({ where: { id: key }, data: { data, expiresAt } });
  }
  return { key, userId: row.userId, data, expiresAt };
}

export async function destroySession(db: Db, key: string): Promise<void> {
  await db.session.deleteMany({ where: { id: key } });
}

/** Ends every session of a user (password change, account disabled). */
export async function destroyUserSessions(db: Db, userId: string): Promise<number> {
  return (await db.session.deleteMany({ where: { userId } })).count;
}

export async function purgeExpiredSessions(db: Db, now: Date): Promise<number> {
  return (await db.session.deleteMany({ where: { expiresAt: { lte: now } } })).count;
}
