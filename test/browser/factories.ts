import { randomUUID } from "node:crypto";
import type { AppContext } from "../../src/context.js";
import { insertAnswer } from "../support/answers.js";

export const QUESTIONS = ["svarstid", "bemotande", "engagemang", "kunskap", "fick_hjalp", "helhet", "rekommendera"];

/** A completed call and its (completed) survey, the rows an Answer hangs on. */
export async function makeSurvey(
  ctx: AppContext,
  o: { organizationId: string; groupId: string; agentId: string; at: Date },
): Promise<string> {
  const call = await ctx.prisma.completedCall.create({
    data: {
      organizationId: o.organizationId,
      externalCallId: `call-${randomUUID()}`,
      agentId: o.agentId,
      groupId: o.groupId,
      queueSeconds: 60,
      talkSeconds: 180,
      startedAt: new Date(o.at.getTime() - 300_000),
      endedAt: new Date(o.at.getTime() - 120_000),
      decision: "scheduled",
    },
    select: { id: true },
  });
  const survey = await ctx.prisma.surveyCall.create({
    data: {
      organizationId: o.organizationId,
      completedCallId: call.id,
      groupId: o.groupId,
      agentId: o.agentId,
      state: "completed",
      expiresAt: new Date(o.at.getTime() + 3_600_000),
      flowId: "nki-sv",
      flowVersion: "test",
    },
    select: { id: true },
  });
  return survey.id;
}

/**
 * Stores answers the way the survey webhooks do (Answer and rollups in one
 * statement) and then publishes `answer.stored`, after the write, as they do.
 */
export async function storeAnswers(
  ctx: AppContext,
  o: {
    organizationId: string;
    groupId: string;
    agentId: string;
    at: Date;
    scores: Record<string, number>;
    publish?: boolean;
    /** The survey's channel; default phone. */
    channel?: "phone" | "web";
  },
): Promise<string> {
  const org = await ctx.prisma.organization.findUniqueOrThrow({
    where: { id: o.organizationId },
    select: { timeZone: true },
  });
  const surveyId = await makeSurvey(ctx, o);
  for (const [questionKey, score] of Object.entries(o.scores)) {
    await insertAnswer(ctx.prisma, {
      surveyId,
      organizationId: o.organizationId,
      groupId: o.groupId,
      agentId: o.agentId,
      flowId: "nki-sv",
      flowVersion: "test",
      questionKey,
      score,
      answeredAt: o.at,
      timeZone: org.timeZone,
      channel: o.channel,
    });
    if (o.publish !== false) {
      ctx.events.publish({
        type: "answer.stored",
        organizationId: o.organizationId,
        groupId: o.groupId,
        agentId: o.agentId,
        surveyId,
        questionKey,
        score,
        answeredAt: o.at.toISOString(),
      });
    }
  }
  return surveyId;
}

/** n surveys with every question answered, scores drawn deterministically around `level`. */
export async function seedSurveys(
  ctx: AppContext,
  o: { organizationId: string; groupId: string; agentId: string; from: Date; n: number; level: number },
) {
  let seed = 7;
  const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  for (let i = 0; i < o.n; i++) {
    const scores = Object.fromEntries(
      QUESTIONS.map((q) => [q, Math.max(1, Math.min(5, Math.round(o.level + (rnd() - 0.5) * 2.2)))]),
    );
    await storeAnswers(ctx, { ...o, at: new Date(o.from.getTime() + i * 60_000), scores, publish: false });
  }
}
