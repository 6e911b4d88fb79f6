import { randomBytes } from "node:crypto";
import type { SurveyState } from "../../src/generated/prisma/enums.js";
import { ensureAgent, ensureGroup } from "../../src/organizations/service.js";
import type { TestContext } from "./context.js";

/**
 * A completed call and its survey call, as intake and the dispatcher would
 * leave them (default: dialling, the moment Twilio fetches the first TwiML).
 * Numbers and names are invented.
 */
export async function createSurveyCall(
  ctx: TestContext,
  opts: { state?: SurveyState; flowId?: string; callerNumber?: string; progress?: object; answeredBy?: string } = {},
) {
  const group = await ensureGroup(ctx.prisma, ctx.organizationId, "val-1", "Val 1 – Socialt stöd, vård och omsorg");
  const agent = await ensureAgent(ctx.prisma, ctx.organizationId, "agent-017", "Testagent Sjutton");
  const number = opts.callerNumber ?? "+46701234567";
  const now = ctx.now();
  const completedCall = await ctx.prisma.completedCall.create({
    data: {
      organizationId: ctx.organizationId,
      externalCallId: `ext-${randomBytes(6).toString("hex")}`,
      callerNumberEnc: new Uint8Array(ctx.numbers.encrypt(number)),
      callerHash: ctx.numbers.hash(number),
      agentId: agent.id,
      groupId: group.id,
      queueSeconds: 75,
      talkSeconds: 180,
      startedAt: new Date(now.getTime() - 5 * 60_000),
      endedAt: new Date(now.getTime() - 2 * 60_000),
      decision: "scheduled",
    },
  });
  const survey = await ctx.prisma.surveyCall.create({
    data: {
      organizationId: ctx.organizationId,
      completedCallId: completedCall.id,
      groupId: group.id,
      agentId: agent.id,
      state: opts.state ?? "dialling",
      expiresAt: new Date(now.getTime() + 4 * 3600_000),
      flowId: opts.flowId ?? "nki-sv",
      callSid: opts.state === "scheduled" ? null : `CA${randomBytes(16).toString("hex")}`,
      progress: (opts.progress ?? {}) as never,
      answeredBy: opts.answeredBy ?? null,
    },
  });
  return { survey, completedCall, group, agent, number };
}
