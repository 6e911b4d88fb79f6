import { sqlRows, type Prisma } from "../lib/db.js";
import { AppError } from "../lib/errors.js";
import { destroyUserSessions } from "./sessions.js";
import { updateUser, type updateUserSchema } from "./users.js";
import { z } from "zod";

/**
 * Changes an administrator makes to an account (name, role, agent link,
 * disabled), refusing any change that would leave the organization without
 * an active administrator. The active admins' rows are locked first, so two
 * admins demoting each other at the same moment cannot both succeed.
 */
export async function changeUser(
  prisma: Prisma,
  organizationId: string,
  userId: string,
  patch: z.input<typeof updateUserSchema>,
) {
  return prisma.$transaction(async (tx) => {
    const admins = await sqlRows(
      tx,
      z.strictObject({ id: z.string() }),
      `SELECT id::text FROM "User" WHERE "organizationId" = $1::uuid AND role = 'admin' AND "disabledAt" IS NULL
        ORDER BY id FOR UPDATE`,
      [organizationId],
    );
    const wasActiveAdmin = admins.some((a) => a.id === userId);
    const losesAdmin = (patch.role !== undefined && patch.role !== "admin") || patch.disabled === true;
    if (wasActiveAdmin && losesAdmin && admins.length <= 1)
      throw new AppError(
        "conflict",
        "The last active administrator cannot be demoted or disabled",
        [{ field: patch.disabled ? "disabled" : "role", message: "last active administrator" }],
        "Det måste finnas minst en aktiv administratör: gör först någon annan till administratör.",
      );
    const before = await tx.user.findFirst({
      where: { id: userId, organizationId },
      select: { name: true, role: true, agentId: true, disabledAt: true },
    });
    if (!before) throw new AppError("not_found", "No such user", undefined, "Användaren finns inte.");
    const after = await updateUser(tx, organizationId, userId, patch);
    // A disabled account or a lower role must not keep sessions opened with the old rights.
    if (patch.disabled === true || (patch.role !== undefined && patch.role !== before.role))
      await destroyUserSessions(tx, userId);
    return { before, after };
  });
}

/** Signs a user out on every device (deletes the sessions); the count is audited. */
export async function signOutEverywhere(prisma: Prisma, organizationId: string, userId: string): Promise<number> {
  const user = await prisma.user.findFirst({ where: { id: userId, organizationId }, select: { id: true } });
  if (!user) throw new AppError("not_found", "No such user", undefined, "Användaren finns inte.");
  return destroyUserSessions(prisma, userId);
}
