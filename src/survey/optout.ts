import type { Db, Prisma } from "../lib/db.js";
import type { Progress } from "./engine.js";
import type { SurveyTurn } from "./repository.js";
import { transition } from "./state.js";

/**
 * Star: the number is never called again by this organization. Records the
 * OptOut (keyed hash only), ends this survey as opted_out and cancels the
 * number's other scheduled surveys, in one transaction. A survey already
 * completed (star during the voice-message step) stays completed, but the
 * opt-out still counts.
 */
export async function optOutByKeypad(
  prisma: Prisma,
  s: SurveyTurn,
  p: { progress: Progress; at: Date; callSid?: string },
): Promise<{ optedOut: boolean; canceledSurveyIds: string[]; hashKnown: boolean }> {
  return prisma.$transaction(async (tx) => {
    const call = await tx.surveyCall.findUniqueOrThrow({
      where: { id: s.id },
      select: { completedCall: { select: { callerHash: true } } },
    });
    const hash = call.completedCall.callerHash;
    const optedOut = await transition(tx, {
      surveyId: s.id,
      from: ["dialling", "in_progress", "partial"],
      to: "opted_out",
      at: p.at,
      event: "keypad-opt-out",
      callSid: p.callSid,
      data: { progress: p.progress, answeredBy: "human" },
    });
    if (!hash) return { optedOut, canceledSurveyIds: [], hashKnown: false };
    const { canceledSurveyIds } = await optOutNumber(tx, {
      organizationId: s.organizationId,
      numberHash: hash,
      source: "keypad",
      at: p.at,
      exceptSurveyId: s.id,
      detail: { bySurveyId: s.id },
    });
    return { optedOut, canceledSurveyIds, hashKnown: true };
  });
}

/**
 * An opt-out by number (star in a call, STOPP by SMS, an opt-out reported by
 * the carrier): records the OptOut (keyed hash only; idempotent) and cancels the
 * number's scheduled surveys in the organization. Run it inside the caller's
 * transaction so the opt-out and what triggered it are stored together.
 */
export async function optOutNumber(
  tx: Db,
  o: {
    organizationId: string;
    numberHash: string;
    source: string;
    at: Date;
    /** The survey the opt-out came from (star in a call): ended by the caller, not canceled here. */
    exceptSurveyId?: string;
    /** The canceled surveys' event detail; default { source }. */
    detail?: Record<string, unknown>;
  },
): Promise<{ canceledSurveyIds: string[] }> {
  await tx.optOut.upsert({
    where: { organizationId_numberHash: { organizationId: o.organizationId, numberHash: o.numberHash } },
    update: {},
    create: { organizationId: o.organizationId, numberHash: o.numberHash, source: o.source },
  });
  const scheduled = await tx.surveyCall.findMany({
    where: {
      organizationId: o.organizationId,
      state: "scheduled",
      completedCall: { callerHash: o.numberHash },
      ...(o.exceptSurveyId ? { id: { not: o.exceptSurveyId } } : {}),
    },
    select: { id: true },
  });
  const canceledSurveyIds: string[] = [];
  for (const s of scheduled) {
    const done = await transition(tx, {
      surveyId: s.id,
      from: "scheduled",
      to: "canceled",
      at: o.at,
      event: "opted-out",
      detail: o.detail ?? { source: o.source },
    });
    if (done) canceledSurveyIds.push(s.id);
  }
  return { canceledSurveyIds };
}
