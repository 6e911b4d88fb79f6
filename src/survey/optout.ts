import type { Prisma } from "../lib/db.js";
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
    await tx.optOut.upsert({
      where: { organizationId_numberHash: { organizationId: s.organizationId, numberHash: hash } },
      update: {},
      create: { organizationId: s.organizationId, numberHash: hash, source: "keypad" },
    });
    const others = await tx.surveyCall.findMany({
      where: {
        organizationId: s.organizationId,
        state: "scheduled",
        id: { not: s.id },
        completedCall: { callerHash: hash },
      },
      select: { id: true },
    });
    const canceledSurveyIds: string[] = [];
    for (const o of others) {
      const done = await transition(tx, {
        surveyId: o.id,
        from: "scheduled",
        to: "canceled",
        at: p.at,
        event: "opted-out",
        detail: { bySurveyId: s.id },
      });
      if (done) canceledSurveyIds.push(o.id);
    }
    return { optedOut, canceledSurveyIds, hashKnown: true };
  });
}
