import type { Db, Prisma } from "../lib/db.js";
import { AppError } from "../lib/errors.js";
import { moveCallsToGroup } from "../intake/repository.js";
import { moveSurveysToGroup } from "../survey/repository.js";
import { moveVoiceMessagesToGroup } from "../recordings/repository.js";
import { moveGroupAnswers } from "../results/rollup.js";

/**
 * Svarsgrupper as an administrator manages them: create, rename, hide, merge.
 * The telephony system still registers groups on first sight (service.ts);
 * a merged group stays as an alias (mergedIntoId) so its telephony key keeps
 * landing in the survivor, and a hidden group keeps its history.
 */
export interface AdminGroup {
  id: string;
  key: string;
  name: string;
  hiddenAt: Date | null;
  mergedIntoId: string | null;
}

const SELECT = { id: true, key: true, name: true, hiddenAt: true, mergedIntoId: true } as const;

/** Every group of the organization, merged aliases included (the admin page shows them apart). */
export function listAdminGroups(db: Db, organizationId: string): Promise<AdminGroup[]> {
  return db.answerGroup.findMany({
    where: { organizationId },
    orderBy: [{ name: "asc" }, { key: "asc" }],
    select: SELECT,
  });
}

async function liveGroup(db: Db, organizationId: string, id: string, field: string) {
  const g = await db.answerGroup.findFirst({ where: { id, organizationId, mergedIntoId: null }, select: SELECT });
  if (!g)
    throw new AppError(
      "validation_failed",
      "No such svarsgrupp",
      [{ field, message: "unknown group" }],
      "Svarsgruppen finns inte (längre).",
    );
  return g;
}

export async function createGroup(db: Db, organizationId: string, input: { key: string; name: string }) {
  const existing = await db.answerGroup.findUnique({
    where: { organizationId_key: { organizationId, key: input.key } },
    select: { id: true },
  });
  if (existing)
    throw new AppError(
      "conflict",
      `A svarsgrupp with key ${input.key} exists`,
      [{ field: "key", message: "taken" }],
      `Nyckel: det finns redan en svarsgrupp med nyckeln ${input.key}.`,
    );
  return db.answerGroup.create({ data: { organizationId, key: input.key, name: input.name }, select: SELECT });
}

export async function renameGroup(db: Db, organizationId: string, id: string, name: string) {
  const g = await liveGroup(db, organizationId, id, "id");
  if (g.name === name) return { before: g, after: g };
  const after = await db.answerGroup.update({ where: { id }, data: { name, renamedAt: new Date() }, select: SELECT });
  return { before: g, after };
}

export async function setGroupHidden(db: Db, organizationId: string, id: string, hidden: boolean, now: Date) {
  const g = await liveGroup(db, organizationId, id, "id");
  if (Boolean(g.hiddenAt) === hidden) return g;
  return db.answerGroup.update({ where: { id }, data: { hiddenAt: hidden ? now : null }, select: SELECT });
}

export interface MergeResult {
  from: AdminGroup;
  into: AdminGroup;
  moved: { calls: number; surveys: number; voiceMessages: number };
}

/**
 * Merges `fromId` into `intoId` in one transaction: calls, surveys, answers,
 * voice messages and the per-group rollups move to the survivor (the agents'
 * membership follows their answers); the merged group becomes a hidden alias,
 * and aliases that pointed at it now point at the survivor.
 */
export async function mergeGroups(
  prisma: Prisma,
  organizationId: string,
  fromId: string,
  intoId: string,
  now: Date,
): Promise<MergeResult> {
  if (fromId === intoId)
    throw new AppError(
      "validation_failed",
      "Cannot merge a group into itself",
      [{ field: "intoId", message: "same group" }],
      "Slå ihop med: välj en annan svarsgrupp än den som slås ihop.",
    );
  return prisma.$transaction(async (tx) => {
    const from = await liveGroup(tx, organizationId, fromId, "id");
    const into = await liveGroup(tx, organizationId, intoId, "intoId");
    // Surveys first: an answer stored meanwhile takes its group from its survey's (now locked) row.
    const surveys = await moveSurveysToGroup(tx, organizationId, from.id, into.id);
    const calls = await moveCallsToGroup(tx, organizationId, from.id, into.id);
    const voiceMessages = await moveVoiceMessagesToGroup(tx, organizationId, from.id, into.id);
    await moveGroupAnswers(tx, organizationId, from.id, into.id);
    await tx.answerGroup.updateMany({
      where: { organizationId, mergedIntoId: from.id },
      data: { mergedIntoId: into.id },
    });
    const merged = await tx.answerGroup.update({
      where: { id: from.id },
      data: { mergedIntoId: into.id, hiddenAt: from.hiddenAt ?? now },
      select: SELECT,
    });
    return {
      from: merged,
      into,
      moved: { calls: calls.count, surveys: surveys.count, voiceMessages: voiceMessages.count },
    };
  });
}
