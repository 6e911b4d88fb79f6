import { createHash } from "node:crypto";
import type { Prisma } from "../lib/db.js";
import { AppError } from "../lib/errors.js";
import { hashPassword } from "./passwords.js";
import { passwordSchema } from "./users.js";
import { destroyUserSessions, newToken } from "./sessions.js";

/**
 * One-time password-reset links made by an administrator. The admin never
 * learns the password: the link is shown once, the user picks the password.
 * Only a SHA-256 of the 256-bit token is stored; the link expires after
 * RESET_LINK_HOURS and works once (a guarded update claims it). Using it
 * signs the user out everywhere.
 */
export const RESET_LINK_HOURS = 24;
const hashToken = (t: string) => createHash("sha256").update(t, "utf8").digest("hex");

export async function createPasswordReset(
  db: Prisma,
  userId: string,
  now: Date,
): Promise<{ token: string; expiresAt: Date }> {
  const token = newToken();
  const expiresAt = new Date(now.getTime() + RESET_LINK_HOURS * 3_600_000);
  // An older link stops working when a new one is made.
  await db.passwordReset.updateMany({ where: { userId, usedAt: null }, data: { usedAt: now } });
  await db.passwordReset.create({ data: { userId, tokenHash: hashToken(token), expiresAt } });
  return { token, expiresAt };
}

/** The user a live link belongs to, or null (unknown, used or expired: the same answer). */
export async function findPasswordReset(db: Prisma, token: string, now: Date) {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return null;
  return db.passwordReset.findFirst({
    where: { tokenHash: hashToken(token), usedAt: null, expiresAt: { gt: now }, user: { disabledAt: null } },
    select: { id: true, user: { select: { id: true, organizationId: true, name: true, email: true } } },
  });
}

const linkGone = () =>
  new AppError(
    "bad_request",
    "Password-reset link unknown, used or expired",
    [{ field: "token", message: "unknown, used or expired" }],
    "Länken har redan använts eller gått ut. Be en administratör om en ny.",
  );

/** Sets the new password and uses up the link, in one transaction; a second use is refused. */
export async function usePasswordReset(db: Prisma, token: string, password: string, now: Date) {
  const pw = passwordSchema.safeParse(password);
  if (!pw.success)
    throw new AppError(
      "validation_failed",
      "Password too short or too long",
      [{ field: "password", message: pw.error.issues[0]?.message ?? "invalid" }],
      "Nytt lösenord: minst 12 och högst 256 tecken.",
    );
  const hash = await hashPassword(pw.data);
  return db.$transaction(async (tx) => {
    const claimed = await tx.passwordReset.updateManyAndReturn({
      where: { tokenHash: hashToken(token), usedAt: null, expiresAt: { gt: now }, user: { disabledAt: null } },
      data: { usedAt: now },
      select: { userId: true },
    });
    if (claimed.length !== 1) throw linkGone();
    const userId = claimed[0].userId;
    const user = await tx.user.update({
      where: { id: userId },
      data: { passwordHash: hash },
      select: { id: true, organizationId: true },
    });
    await destroyUserSessions(tx, userId);
    return user;
  });
}
