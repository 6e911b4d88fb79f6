import type { Db, Prisma } from "../lib/db.js";
import type { SurveyState } from "../generated/prisma/enums.js";
import { addAnswerToRollup } from "../results/rollup.js";
import type { Progress } from "./engine.js";
import { transition } from "./state.js";

/** What one webhook needs to know about a survey, read in one go. */
export async function loadSurveyTurn(db: Db, surveyId: string) {
  return db.surveyCall.findUnique({
    where: { id: surveyId },
    select: {
      id: true,
      state: true,
      progress: true,
      flowId: true,
      flowVersion: true,
      organizationId: true,
      groupId: true,
      agentId: true,
      answeredBy: true,
      organization: { select: { name: true, timeZone: true } },
    },
  });
}
export type SurveyTurn = NonNullable<Awaited<ReturnType<typeof loadSurveyTurn>>>;

/** States in which the flow may still move: partial/completed only because Twilio's callbacks race each other. */
export const FLOW_STATES: SurveyState[] = ["in_progress", "partial", "completed"];

export interface StoredAnswer {
  questionKey: string;
  score: number;
  answeredAt: Date;
}

/**
 * Moves the progress from `expected` to `next` (compare-and-set: a replayed or
 * concurrent callback for the same step finds zero rows and changes nothing),
 * stores the answer with its rollup, and marks the survey completed when the
 * questions are done, all in one transaction. Returns false when another
 * request moved the survey first.
 */
export async function saveStep(
  prisma: Prisma,
  s: SurveyTurn,
  step: { expected: Progress; next: Progress; humanProof: boolean; answer?: StoredAnswer; flowVersion: string; questionsDone: boolean; at: Date },
): Promise<{ saved: boolean; answerInserted: boolean; completed: boolean }> {
  const write = async (db: Db) => {
    const { count } = await db.surveyCall.updateMany({
      where: { id: s.id, state: { in: FLOW_STATES }, progress: { equals: step.expected as never } },
      data: { progress: step.next as never, ...(step.humanProof && s.answeredBy !== "human" ? { answeredBy: "human" } : {}) },
    });
    if (count === 0) return { saved: false, answerInserted: false, completed: false };
    let answerInserted = false;
    if (step.answer) {
      // skipDuplicates: the (surveyId, questionKey) key makes a replay a no-op rather than a second count.
      const inserted = await db.answer.createMany({
        data: [{
          surveyId: s.id, organizationId: s.organizationId, groupId: s.groupId, agentId: s.agentId,
          flowId: s.flowId, flowVersion: step.flowVersion,
          questionKey: step.answer.questionKey, score: step.answer.score, answeredAt: step.answer.answeredAt,
        }],
        skipDuplicates: true,
      });
      answerInserted = inserted.count === 1;
      if (answerInserted) {
        await addAnswerToRollup(db, {
          organizationId: s.organizationId, groupId: s.groupId, agentId: s.agentId,
          questionKey: step.answer.questionKey, score: step.answer.score, answeredAt: step.answer.answeredAt,
          timeZone: s.organization.timeZone,
        });
      }
    }
    const completed = step.questionsDone
      ? await transition(db, { surveyId: s.id, from: ["in_progress", "partial"], to: "completed", at: step.at, event: "questions-done" })
      : false;
    return { saved: true, answerInserted, completed };
  };
  // A plain progress move is one statement; only answers and completion need a transaction.
  return step.answer || step.questionsDone ? prisma.$transaction(write) : write(prisma);
}

/** The first TwiML of the call: the citizen answered. A status callback may have moved it to in_progress already. */
export async function startSurvey(db: Db, s: SurveyTurn, p: { progress: Progress; flowVersion: string; at: Date; callSid?: string }) {
  return transition(db, {
    surveyId: s.id,
    // Guarded on the state just read: if a status callback moves it meanwhile, the caller re-reads and retries.
    from: s.state === "dialling" ? "dialling" : "in_progress",
    to: "in_progress",
    at: p.at,
    event: "flow-started",
    callSid: p.callSid,
    data: { progress: p.progress, startedAt: p.at, flowVersion: p.flowVersion },
  });
}

export async function markHuman(db: Db, surveyId: string) {
  await db.surveyCall.updateMany({
    where: { id: surveyId, OR: [{ answeredBy: null }, { answeredBy: { not: "human" } }] },
    data: { answeredBy: "human" },
  });
}
