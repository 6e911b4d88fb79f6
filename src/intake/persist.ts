import { randomUUID } from "node:crypto";
import type { SurveyDecision } from "./sampling.js";
import type { CompletedCallInput } from "./schema.js";
import { SCHEDULED_EVENT } from "./repository.js";
import { talkSeconds } from "./sampling.js";
import type { IntakeDeps } from "./service.js";

export interface NewCall {
  index: number;
  /** Chosen here so the survey and its event can refer to it in the same round trip. */
  id: string;
  externalCallId: string;
  call: CompletedCallInput;
  groupId: string;
  agentId: string;
  e164: string | null;
  hash: string | null;
  language: string | null;
  flowId: string;
  decision: SurveyDecision;
}

/**
 * Stores a batch of decisions in one transaction: the completed calls, the
 * scheduled surveys and their first event. ON CONFLICT DO NOTHING on
 * (organization, externalCallId) lets a concurrent resend lose quietly; the
 * rows it lost are returned so the caller can answer with the winner's decision.
 */
export async function persistDecisions(deps: IntakeDeps, organizationId: string, calls: NewCall[], now: Date): Promise<{ lost: Set<string> }> {
  const inserted = await deps.prisma.$transaction(async (tx) => {
    const rows = await tx.completedCall.createManyAndReturn({
      skipDuplicates: true,
      select: { id: true },
      data: calls.map((c) => {
        const startedAt = new Date(c.call.startedAt);
        const endedAt = new Date(c.call.endedAt);
        const scheduled = c.decision.decision === "scheduled";
        return {
          id: c.id,
          organizationId,
          externalCallId: c.externalCallId,
          // Only a survey needs the number itself; a skipped call keeps at most its hash.
          callerNumberEnc: scheduled && c.e164 ? new Uint8Array(deps.numbers.encrypt(c.e164)) : null,
          callerHash: c.hash,
          agentId: c.agentId,
          groupId: c.groupId,
          queueSeconds: c.call.queueSeconds,
          talkSeconds: talkSeconds({ startedAt, endedAt, queueSeconds: c.call.queueSeconds }),
          startedAt,
          endedAt,
          language: c.language,
          decision: c.decision.decision,
          skipReason: c.decision.decision === "skipped" ? c.decision.reason : null,
          receivedAt: now,
        };
      }),
    });
    const ids = new Set(rows.map((r) => r.id));
    const surveys = calls.flatMap((c) =>
      c.decision.decision === "scheduled" && ids.has(c.id) ? [{ c, d: c.decision, surveyId: randomUUID() }] : [],
    );
    if (surveys.length > 0) {
      await tx.surveyCall.createMany({
        data: surveys.map(({ c, d, surveyId }) => ({
          id: surveyId,
          organizationId,
          completedCallId: c.id,
          groupId: c.groupId,
          agentId: c.agentId,
          state: "scheduled" as const,
          nextAttemptAt: d.dueAt,
          expiresAt: d.expiresAt,
          flowId: c.flowId,
          language: c.language,
        })),
      });
      await tx.surveyEvent.createMany({
        data: surveys.map(({ d, surveyId }) => ({
          surveyId,
          at: now,
          type: SCHEDULED_EVENT,
          toState: "scheduled",
          detail: { dueAt: d.dueAt.toISOString(), expiresAt: d.expiresAt.toISOString() },
        })),
      });
    }
    return { ids, surveys };
  });
  for (const { surveyId } of inserted.surveys) {
    deps.events.publish({ type: "survey.state", organizationId, surveyId, from: null, to: "scheduled", at: now.toISOString() });
  }
  return { lost: new Set(calls.filter((c) => !inserted.ids.has(c.id)).map((c) => c.externalCallId)) };
}
