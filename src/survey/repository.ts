import type { Db, Prisma } from "../lib/db.js";
import type { SurveyState } from "../generated/prisma/enums.js";
import { insertAnswerWithRollup } from "../results/rollup.js";
import type { Progress } from "./engine.js";
import { transition } from "./state.js";

export interface SurveyTurn {
  id: string;
  state: SurveyState;
  progress: unknown;
  flowId: string;
  flowVersion: string | null;
  organizationId: string;
  groupId: string;
  agentId: string;
  answeredBy: string | null;
  organizationName: string;
  timeZone: string;
}

/**
 * What one webhook needs to know about a survey. Raw SQL because it is one
 * round trip instead of two (Prisma loads the organization separately), and
 * this runs on every keypress.
 */
export async function loadSurveyTurn(db: Db, surveyId: string): Promise<SurveyTurn | null> {
  const rows = await db.$queryRaw<SurveyTurn[]>`
    SELECT s.id, s.state::text AS state, s.progress, s."flowId", s."flowVersion", s."organizationId", s."groupId", s."agentId",
           s."answeredBy", o.name AS "organizationName", o."timeZone"
    FROM "SurveyCall" s JOIN "Organization" o ON o.id = s."organizationId"
    WHERE s.id = ${surveyId}::uuid`;
  return rows[0] ?? null;
}

/** States in which the flow may still move: partial/completed only because Twilio's callbacks race each other. */
export const FLOW_STATES: SurveyState[] = ["in_progress", "partial", "completed"];

export interface StoredAnswer {
  questionKey: string;
  score: number;
  answeredAt: Date;
}

/**
 * Moves the progress from `expected` to `next` only if it is still `expected`
 * (compare-and-set): a replayed or concurrent callback for the same step
 * finds zero rows. One statement; Prisma's updateMany would add BEGIN/COMMIT.
 */
export async function moveProgress(db: Db, s: SurveyTurn, expected: Progress, next: Progress, humanProof: boolean, at: Date): Promise<boolean> {
  const count = await db.$executeRaw`
    UPDATE "SurveyCall"
    SET progress = ${JSON.stringify(next)}::jsonb, "updatedAt" = ${at},
        "answeredBy" = CASE WHEN ${humanProof} THEN 'human' ELSE "answeredBy" END
    WHERE id = ${s.id}::uuid AND state::text IN ('in_progress', 'partial', 'completed') AND progress = ${JSON.stringify(expected)}::jsonb`;
  return count === 1;
}

/**
 * Stores the answer (with its rollups, in one statement) and then moves the
 * progress. No transaction is needed for that order: the answer is unique per
 * survey and question, so if we crash in between, Twilio's retry of the same
 * callback stores nothing twice and then moves the progress. Marks the survey
 * completed once the questions are done.
 */
export async function saveStep(
  prisma: Prisma,
  s: SurveyTurn,
  step: { expected: Progress; next: Progress; humanProof: boolean; answer?: StoredAnswer; flowVersion: string; complete: boolean; at: Date },
): Promise<{ saved: boolean; answerInserted: boolean; completed: boolean }> {
  let answerInserted = false;
  if (step.answer) {
    const id = await insertAnswerWithRollup(prisma, {
      surveyId: s.id, organizationId: s.organizationId, groupId: s.groupId, agentId: s.agentId,
      flowId: s.flowId, flowVersion: step.flowVersion, timeZone: s.timeZone, ...step.answer,
    });
    answerInserted = id !== null;
  }
  const saved = await moveProgress(prisma, s, step.expected, step.next, step.humanProof, step.at);
  const completed =
    saved && step.complete
      ? await transition(prisma, { surveyId: s.id, from: ["in_progress", "partial"], to: "completed", at: step.at, event: "questions-done" })
      : false;
  return { saved, answerInserted, completed };
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
